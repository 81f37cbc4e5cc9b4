//! Facet counts for dashboards: how many items match, sliced by every dimension.

use async_graphql::{Context, Object, SimpleObject};
use gcm_store::models::item_pages::FacetRow;

use super::enums::{ItemKind, ResourceSection, Scope, stored};
use super::geography::{Country, Region};
use super::objective::Objective;
use super::reference::{DocumentType, GuidingPrinciple};
use crate::error::{ApiResult, gql};
use crate::limits::directives::{DEFAULT_PAGE_SIZE, first_only, fixed, list_size};
use crate::loaders::first_limit;
use crate::loaders::{
    CountryByIso3, DocumentTypeBySlug, Loaders, ObjectiveByNumber, PrincipleBySlug, RegionBySlug,
};

/// Counts of the items that match a filter, by dimension. An item tied to several
/// countries counts once under each; dimensions list only values with items.
pub struct Facets(pub Vec<FacetRow>);

impl Facets {
    fn of<'a>(&'a self, dimension: &'a str) -> impl Iterator<Item = (&'a str, i64)> + 'a {
        self.0
            .iter()
            .filter(move |r| r.dimension == dimension)
            .map(|r| (r.key.as_str(), r.count))
    }
}

macro_rules! facet_count {
    ($name:ident, $field:ident, $ty:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(SimpleObject)]
        pub struct $name {
            /// The value counted.
            pub $field: $ty,
            /// Matching items.
            pub count: i64,
        }
    };
}

facet_count!(KindCount, kind, ItemKind, "Matching items of one kind.");
facet_count!(
    ObjectiveCount,
    objective,
    Objective,
    "Matching items under one objective."
);
facet_count!(
    PrincipleCount,
    principle,
    GuidingPrinciple,
    "Matching items tagged with one principle."
);
facet_count!(
    RegionCount,
    region,
    Region,
    "Matching items tied to one region."
);
facet_count!(
    CountryCount,
    country,
    Country,
    "Matching items tied to one country."
);
facet_count!(
    DocumentTypeCount,
    document_type,
    DocumentType,
    "Matching resources of one document type."
);
facet_count!(
    SectionCount,
    section,
    ResourceSection,
    "Matching resources in one section."
);
facet_count!(ScopeCount, scope, Scope, "Matching items of one scope.");
facet_count!(
    OrganisationCount,
    organisation,
    String,
    "Matching items of one organisation (publisher, organiser or implementer); spellings \
     that differ only in case or accents count as one, shown as one of them."
);
facet_count!(
    YearCount,
    year,
    i32,
    "Matching items published in one year."
);

/// Resolves every key of one dimension through a loader (one statement for all of them).
async fn resolved<K, R, T>(
    ctx: &Context<'_>,
    facets: &Facets,
    dimension: &str,
    key: impl Fn(&str) -> Option<K>,
    make: impl Fn(R, i64) -> T,
) -> ApiResult<Vec<T>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    R: Send + Sync + Clone + 'static,
    crate::loaders::CatalogueLoader:
        async_graphql::dataloader::Loader<K, Value = R, Error = crate::error::ApiError>,
{
    let loaders = ctx.data::<Loaders>()?;
    let wanted: Vec<(K, i64)> = facets
        .of(dimension)
        .filter_map(|(k, n)| key(k).map(|k| (k, n)))
        .collect();
    let found = loaders
        .load_many(wanted.iter().map(|(k, _)| k.clone()))
        .await
        .map_err(gql)?;
    Ok(wanted
        .into_iter()
        .filter_map(|(k, n)| found.get(&k).cloned().map(|row| make(row, n)))
        .collect())
}

/// Counts of the items that match a filter, by dimension. An item tied to several
/// countries counts once under each; dimensions list only values with items.
#[Object]
impl Facets {
    /// How many items match the filter.
    async fn total(&self) -> i64 {
        self.of("total").map(|(_, n)| n).next().unwrap_or(0)
    }

    /// By kind: resources, events, projects.
    #[graphql(directive = list_size::apply(Some(fixed::KINDS), None, None, None))]
    async fn kinds(&self) -> ApiResult<Vec<KindCount>> {
        self.of("kind")
            .map(|(k, count)| {
                let kind = stored("item kind", k, gcm_domain::ItemKind::parse).map_err(gql)?;
                Ok(KindCount {
                    kind: kind.into(),
                    count,
                })
            })
            .collect()
    }

    /// By objective, in objective order.
    #[graphql(directive = list_size::apply(Some(fixed::OBJECTIVES), None, None, None))]
    async fn objectives(&self, ctx: &Context<'_>) -> ApiResult<Vec<ObjectiveCount>> {
        let mut out = resolved(
            ctx,
            self,
            "objective",
            |k| k.parse().ok().map(ObjectiveByNumber),
            |row, count| ObjectiveCount {
                objective: Objective(row),
                count,
            },
        )
        .await?;
        out.sort_by_key(|c| c.objective.0.number);
        Ok(out)
    }

    /// By guiding principle, in menu order.
    #[graphql(directive = list_size::apply(Some(fixed::PRINCIPLES), None, None, None))]
    async fn principles(&self, ctx: &Context<'_>) -> ApiResult<Vec<PrincipleCount>> {
        let mut out = resolved(
            ctx,
            self,
            "principle",
            |k| Some(PrincipleBySlug(k.to_owned())),
            |row, count| PrincipleCount {
                principle: GuidingPrinciple(row),
                count,
            },
        )
        .await?;
        out.sort_by_key(|c| c.principle.0.position);
        Ok(out)
    }

    /// By region, in menu order.
    #[graphql(directive = list_size::apply(Some(fixed::REGIONS), None, None, None))]
    async fn regions(&self, ctx: &Context<'_>) -> ApiResult<Vec<RegionCount>> {
        let mut out = resolved(
            ctx,
            self,
            "region",
            |k| Some(RegionBySlug(k.to_owned())),
            |row, count| RegionCount {
                region: Region(row),
                count,
            },
        )
        .await?;
        out.sort_by_key(|c| c.region.0.position);
        Ok(out)
    }

    /// By country, most items first, then by name.
    #[graphql(directive = list_size::apply(Some(fixed::COUNTRIES), None, None, None))]
    async fn countries(&self, ctx: &Context<'_>) -> ApiResult<Vec<CountryCount>> {
        let mut out = resolved(
            ctx,
            self,
            "country",
            |k| Some(CountryByIso3(k.to_owned())),
            |row, count| CountryCount {
                country: Country(row),
                count,
            },
        )
        .await?;
        out.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then(a.country.0.position.cmp(&b.country.0.position))
        });
        Ok(out)
    }

    /// By document type, in menu order.
    #[graphql(directive = list_size::apply(Some(fixed::DOCUMENT_TYPES), None, None, None))]
    async fn document_types(&self, ctx: &Context<'_>) -> ApiResult<Vec<DocumentTypeCount>> {
        let mut out = resolved(
            ctx,
            self,
            "document_type",
            |k| Some(DocumentTypeBySlug(k.to_owned())),
            |row, count| DocumentTypeCount {
                document_type: DocumentType(row),
                count,
            },
        )
        .await?;
        out.sort_by_key(|c| c.document_type.0.position);
        Ok(out)
    }

    /// By resource section, in the Hub's order.
    #[graphql(directive = list_size::apply(Some(fixed::SECTIONS), None, None, None))]
    async fn sections(&self) -> ApiResult<Vec<SectionCount>> {
        let mut out = self
            .of("section")
            .map(|(k, count)| {
                let section = stored("resource section", k, gcm_domain::ResourceSection::parse)
                    .map_err(gql)?;
                Ok(SectionCount {
                    section: section.into(),
                    count,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        out.sort_by_key(|c| c.section as u8);
        Ok(out)
    }

    /// By scope: global, regional, national.
    #[graphql(directive = list_size::apply(Some(fixed::SCOPES), None, None, None))]
    async fn scopes(&self) -> ApiResult<Vec<ScopeCount>> {
        let mut out = self
            .of("scope")
            .map(|(k, count)| {
                let scope = stored("scope", k, gcm_domain::Scope::parse).map_err(gql)?;
                Ok(ScopeCount {
                    scope: scope.into(),
                    count,
                })
            })
            .collect::<ApiResult<Vec<_>>>()?;
        out.sort_by_key(|c| c.scope as u8);
        Ok(out)
    }

    /// By year of publication, newest first (undated items are not counted here).
    #[graphql(directive = list_size::apply(Some(fixed::YEARS), None, None, None))]
    async fn years(&self) -> Vec<YearCount> {
        let mut out: Vec<YearCount> = self
            .of("year")
            .filter_map(|(k, count)| k.parse().ok().map(|year| YearCount { year, count }))
            .collect();
        out.sort_by_key(|c| std::cmp::Reverse(c.year));
        out
    }

    /// By organisation (publisher, organiser or implementer), most items first, then by
    /// name; the values `filter.organisations` takes. Items with no organisation are not
    /// counted here.
    #[graphql(directive = list_size::apply(Some(DEFAULT_PAGE_SIZE), first_only(), None, Some(false)))]
    async fn organisations(
        &self,
        #[graphql(desc = "At most this many, 0 to 100 (default: 20).", default = 20)] first: i32,
    ) -> ApiResult<Vec<OrganisationCount>> {
        let limit = first_limit(Some(first)).map_err(gql)?.unwrap_or(0);
        let mut out: Vec<OrganisationCount> = self
            .of("organisation")
            .map(|(organisation, count)| OrganisationCount {
                organisation: organisation.to_owned(),
                count,
            })
            .collect();
        out.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.organisation.cmp(&b.organisation))
        });
        out.truncate(limit);
        Ok(out)
    }
}
