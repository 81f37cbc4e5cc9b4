//! Catalogue items: the `CatalogueItem` interface and its three kinds.

use std::sync::Arc;

use async_graphql::{Context, ID, Interface, Object};
use chrono::{DateTime, Utc};
use gcm_store::models::catalogue_items::{HubPositionRow, ItemRow};

use super::enums::{GeographySource, ItemKind, ResourceSection, Scope, TitleProvenance};
use super::geography::{Country, Region};
use super::guidance::GuidanceSource;
use super::objective::{Action, Objective, objective_by_number};
use super::reference::{DocumentType, GuidingPrinciple};
use super::scalars::Date;
use crate::error::{ApiError, ApiResult, corrupt, gql};
use crate::ids::{NodeType, node_id};
use crate::limits::directives::{design, first_only, list_size};
use crate::loaders::{
    ActionsOfItem, CountriesOfItem, CountryById, DocumentTypeById, GeographyOfItem, GuidanceOfItem,
    HubPositionOfItem, ObjectivesOfItem, PrinciplesOfItem, RegionsOfItem, many_first, one,
};

/// An item's place on the Hub page: the order sort `HUB` follows.
pub struct HubPosition(pub Arc<HubPositionRow>);

#[Object]
impl HubPosition {
    /// The objective whose page places the item.
    async fn objective(&self, ctx: &Context<'_>) -> ApiResult<Objective> {
        objective_by_number(ctx, self.0.objective_number).await
    }

    /// 1 for the first item of its section (Documents, Events, Projects, Training and
    /// guidance, Videos) on that page.
    async fn position(&self) -> i32 {
        self.0.position
    }
}

/// Anything the Hub catalogues under an objective: a resource, an event or a project.
#[derive(Interface)]
#[graphql(
    field(
        name = "id",
        ty = "ID",
        desc = "Opaque global id; `node(id:)` resolves it."
    ),
    field(
        name = "slug",
        ty = "&str",
        desc = "Stable key, e.g. `obj22-document-01-issa-handbook-social-security-migrant-workers`."
    ),
    field(
        name = "title",
        ty = "Option<&str>",
        desc = "The title; see `titleProvenance` for where it comes from. Null when no title is known."
    ),
    field(
        name = "title_provenance",
        ty = "TitleProvenance",
        desc = "Where the title comes from: only `SEED` titles are the source's own words."
    ),
    field(name = "summary", ty = "&str", desc = "The Hub's summary, verbatim."),
    field(
        name = "summary_truncated",
        ty = "bool",
        desc = "True when the source cuts the summary off."
    ),
    field(
        name = "url",
        ty = "Option<&str>",
        desc = "Where the item can be read or watched, when known."
    ),
    field(
        name = "organisation",
        ty = "Option<&str>",
        desc = "The organisation behind it, as the source writes it: a resource's publisher, an event's organiser, a project's implementer. Null when not known."
    ),
    field(
        name = "scope",
        ty = "Scope",
        desc = "How far the item reaches. Curated, not a Hub fact: for catalogue items the curators' links (`links.json`), for submitted items the contributor's, checked in review."
    ),
    field(
        name = "geography_source",
        ty = "ApiResult<GeographySource>",
        desc = "Where `scope`, `regions` and `countries` come from: the Hub page, the curators or the contributor."
    ),
    field(
        name = "geography_reason",
        ty = "ApiResult<Option<String>>",
        desc = "The curators' reason for the item's scope, regions and countries, when they gave one (e.g. \"guidance note for Peru\")."
    ),
    field(
        name = "hub_position",
        ty = "ApiResult<Option<HubPosition>>",
        desc = "Where the Hub page lists the item (sort `HUB`): its position in its section on its first objective's page. Null for an item the Hub does not place (curated or submitted later): `HUB` lists those after the placed ones, global before regional before national, newest first."
    ),
    field(
        name = "objectives",
        ty = "ApiResult<Vec<Objective>>",
        desc = "The GCM objectives the item serves.",
        arg(name = "first", ty = "Option<i32>", desc = "At most this many, 0 to 100 (default: all)."),
        directive = list_size::apply(Some(design::ITEM_OBJECTIVES), first_only(), None, Some(false))
    ),
    field(
        name = "principles",
        ty = "ApiResult<Vec<GuidingPrinciple>>",
        desc = "The guiding principles the item is tagged with.",
        arg(name = "first", ty = "Option<i32>", desc = "At most this many, 0 to 100 (default: all)."),
        directive = list_size::apply(Some(design::ITEM_PRINCIPLES), first_only(), None, Some(false))
    ),
    field(
        name = "regions",
        ty = "ApiResult<Vec<Region>>",
        desc = "The regions the item is tied to. Curated, not a Hub fact: for catalogue items the curators' links (`links.json`), for submitted items the contributor's, checked in review.",
        arg(name = "first", ty = "Option<i32>", desc = "At most this many, 0 to 100 (default: all)."),
        directive = list_size::apply(Some(design::ITEM_REGIONS), first_only(), None, Some(false))
    ),
    field(
        name = "countries",
        ty = "ApiResult<Vec<Country>>",
        desc = "The countries the item is tied to. Curated, not a Hub fact: for catalogue items the curators' links (`links.json`), for submitted items the contributor's, checked in review.",
        arg(name = "first", ty = "Option<i32>", desc = "At most this many, 0 to 100 (default: all)."),
        directive = list_size::apply(Some(design::ITEM_COUNTRIES), first_only(), None, Some(false))
    ),
    field(
        name = "guidance_sources",
        ty = "ApiResult<Vec<GuidanceSource>>",
        desc = "Human-rights guidance the item relates to (curated links).",
        arg(name = "first", ty = "Option<i32>", desc = "At most this many, 0 to 100 (default: all)."),
        directive = list_size::apply(Some(design::ITEM_GUIDANCE), first_only(), None, Some(false))
    ),
    field(
        name = "actions",
        ty = "ApiResult<Vec<Action>>",
        desc = "Lettered GCM actions the item serves (curated links).",
        arg(name = "first", ty = "Option<i32>", desc = "At most this many, 0 to 100 (default: all)."),
        directive = list_size::apply(Some(design::ITEM_ACTIONS), first_only(), None, Some(false))
    ),
    field(
        name = "created_at",
        ty = "DateTime<Utc>",
        desc = "When the item entered the catalogue (UTC)."
    ),
    field(
        name = "updated_at",
        ty = "DateTime<Utc>",
        desc = "When the item last changed (UTC)."
    )
)]
pub enum CatalogueItem {
    Resource(Resource),
    Event(Event),
    Project(Project),
}

impl CatalogueItem {
    pub fn from_row(row: impl Into<Arc<ItemRow>>) -> Result<Self, ApiError> {
        let row = row.into();
        match row.kind {
            gcm_domain::ItemKind::Resource => Ok(Self::Resource(Resource(row))),
            gcm_domain::ItemKind::Event => Ok(Self::Event(Event(row))),
            gcm_domain::ItemKind::Project => Ok(Self::Project(Project(row))),
        }
    }

    pub fn kind(&self) -> ItemKind {
        match self {
            Self::Resource(_) => ItemKind::Resource,
            Self::Event(_) => ItemKind::Event,
            Self::Project(_) => ItemKind::Project,
        }
    }
}

/// Builds `Self` from a row of the right kind; a row of another kind is a bug upstream.
macro_rules! item_kind_from_row {
    ($ty:ident) => {
        impl $ty {
            pub fn from_row(row: impl Into<Arc<ItemRow>>) -> Result<Self, ApiError> {
                let row = row.into();
                if row.kind == gcm_domain::ItemKind::$ty {
                    Ok(Self(row))
                } else {
                    Err(corrupt(
                        concat!("item kind for ", stringify!($ty)),
                        row.kind.as_str(),
                    ))
                }
            }

            pub fn row(&self) -> &ItemRow {
                &self.0
            }
        }
    };
}

/// The fields every item kind has, written once for the three `#[Object]` impls.
macro_rules! catalogue_item_object {
    ($(#[$doc:meta])* $ty:ident, $node:expr, { $($extra:tt)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $ty(pub Arc<ItemRow>);

        $(#[$doc])*
        #[Object]
        impl $ty {
            /// Opaque global id; `node(id:)` resolves it.
            pub async fn id(&self) -> ID {
                node_id($node, &self.0.slug)
            }

            /// Stable key, e.g. `obj22-document-01-issa-handbook-social-security-migrant-workers`.
            pub async fn slug(&self) -> &str {
                &self.0.slug
            }

            /// The title; see `titleProvenance` for where it comes from. Null when no title is known.
            #[graphql(shareable)]
            pub async fn title(&self) -> Option<&str> {
                self.0.title.as_deref()
            }

            /// Where the title comes from: only `SEED` titles are the source's own words.
            pub async fn title_provenance(&self) -> TitleProvenance {
                self.0.title_provenance.into()
            }

            /// The Hub's summary, verbatim.
            pub async fn summary(&self) -> &str {
                &self.0.summary
            }

            /// True when the source cuts the summary off.
            pub async fn summary_truncated(&self) -> bool {
                self.0.summary_truncated
            }

            /// Where the item can be read or watched, when known.
            pub async fn url(&self) -> Option<&str> {
                self.0.url.as_deref()
            }

            /// The organisation behind it, as the source writes it: a resource's publisher,
            /// an event's organiser, a project's implementer. Null when not known.
            pub async fn organisation(&self) -> Option<&str> {
                self.0.organisation.as_deref()
            }

            /// How far the item reaches.
            /// Curated, not a Hub fact: for catalogue items the curators' links (`links.json`), for submitted items the contributor's, checked in review.
            pub async fn scope(&self) -> Scope {
                self.0.scope.into()
            }

            /// Where `scope`, `regions` and `countries` come from: the Hub page, the curators
            /// or the contributor.
            pub async fn geography_source(&self, ctx: &Context<'_>) -> ApiResult<GeographySource> {
                let geography = one(ctx.data()?, GeographyOfItem(self.0.id)).await.map_err(gql)?;
                Ok(match geography {
                    Some(g) if g.submitted => GeographySource::Submitted,
                    _ => GeographySource::Curated,
                })
            }

            /// The curators' reason for the item's scope, regions and countries, when they
            /// gave one (e.g. "guidance note for Peru").
            pub async fn geography_reason(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
                let geography = one(ctx.data()?, GeographyOfItem(self.0.id)).await.map_err(gql)?;
                Ok(geography.and_then(|g| g.reason.clone()))
            }

            /// Where the Hub page lists the item (sort `HUB`): its position in its section
            /// on its first objective's page. Null for an item the Hub does not place
            /// (curated or submitted later): `HUB` lists those after the placed ones, global
            /// before regional before national, newest first.
            pub async fn hub_position(&self, ctx: &Context<'_>) -> ApiResult<Option<HubPosition>> {
                Ok(one(ctx.data()?, HubPositionOfItem(self.0.id)).await.map_err(gql)?.map(HubPosition))
            }

            /// The GCM objectives the item serves.
            #[graphql(directive = list_size::apply(Some(design::ITEM_OBJECTIVES), first_only(), None, Some(false)))]
            pub async fn objectives(&self, ctx: &Context<'_>, #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>) -> ApiResult<Vec<Objective>> {
                let rows = many_first(ctx.data()?, ObjectivesOfItem(self.0.id), first).await.map_err(gql)?;
                Ok(rows.into_iter().map(Objective).collect())
            }

            /// The guiding principles the item is tagged with.
            #[graphql(directive = list_size::apply(Some(design::ITEM_PRINCIPLES), first_only(), None, Some(false)))]
            pub async fn principles(&self, ctx: &Context<'_>, #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>) -> ApiResult<Vec<GuidingPrinciple>> {
                let rows = many_first(ctx.data()?, PrinciplesOfItem(self.0.id), first).await.map_err(gql)?;
                Ok(rows.into_iter().map(GuidingPrinciple).collect())
            }

            /// The regions the item is tied to.
            /// Curated, not a Hub fact: for catalogue items the curators' links (`links.json`), for submitted items the contributor's, checked in review.
            #[graphql(directive = list_size::apply(Some(design::ITEM_REGIONS), first_only(), None, Some(false)))]
            pub async fn regions(&self, ctx: &Context<'_>, #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>) -> ApiResult<Vec<Region>> {
                let rows = many_first(ctx.data()?, RegionsOfItem(self.0.id), first).await.map_err(gql)?;
                Ok(rows.into_iter().map(Region).collect())
            }

            /// The countries the item is tied to.
            /// Curated, not a Hub fact: for catalogue items the curators' links (`links.json`), for submitted items the contributor's, checked in review.
            #[graphql(directive = list_size::apply(Some(design::ITEM_COUNTRIES), first_only(), None, Some(false)))]
            pub async fn countries(&self, ctx: &Context<'_>, #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>) -> ApiResult<Vec<Country>> {
                let rows = many_first(ctx.data()?, CountriesOfItem(self.0.id), first).await.map_err(gql)?;
                Ok(rows.into_iter().map(Country).collect())
            }

            /// Human-rights guidance the item relates to (curated links).
            #[graphql(directive = list_size::apply(Some(design::ITEM_GUIDANCE), first_only(), None, Some(false)))]
            pub async fn guidance_sources(&self, ctx: &Context<'_>, #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>) -> ApiResult<Vec<GuidanceSource>> {
                let rows = many_first(ctx.data()?, GuidanceOfItem(self.0.id), first).await.map_err(gql)?;
                Ok(rows.into_iter().map(GuidanceSource).collect())
            }

            /// Lettered GCM actions the item serves (curated links).
            #[graphql(directive = list_size::apply(Some(design::ITEM_ACTIONS), first_only(), None, Some(false)))]
            pub async fn actions(&self, ctx: &Context<'_>, #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>) -> ApiResult<Vec<Action>> {
                let rows = many_first(ctx.data()?, ActionsOfItem(self.0.id), first).await.map_err(gql)?;
                Ok(rows.into_iter().map(Action).collect())
            }

            /// When the item entered the catalogue (UTC).
            pub async fn created_at(&self) -> DateTime<Utc> {
                self.0.created_at
            }

            /// When the item last changed (UTC).
            pub async fn updated_at(&self) -> DateTime<Utc> {
                self.0.updated_at
            }

            $($extra)*
        }
    };
}

catalogue_item_object!(
    /// A document, training or guidance material, or video listed on the Hub.
    Resource, NodeType::Resource, {
        /// The Hub section the resource is listed under.
        async fn section(&self) -> ApiResult<ResourceSection> {
            let section = self.0.section.ok_or_else(|| gql(corrupt("resource section", "NULL")))?;
            Ok(section.into())
        }

        /// The Hub's document type, when given.
        async fn document_type(&self, ctx: &Context<'_>) -> ApiResult<Option<DocumentType>> {
            let Some(id) = self.0.document_type_id else { return Ok(None) };
            Ok(one(ctx.data()?, DocumentTypeById(id)).await.map_err(gql)?.map(DocumentType))
        }

        /// Date of publication, when known.
        async fn published_on(&self) -> Option<Date> {
            self.0.published_on.map(Date)
        }

        /// ISO 639-1 code of the resource's language, when known.
        async fn language(&self) -> Option<&str> {
            self.0.language.as_deref()
        }
    }
);

catalogue_item_object!(
    /// An event (conference, forum, workshop) listed on the Hub.
    Event, NodeType::Event, {
        /// The city the event takes place in, as the Hub writes it.
        async fn city(&self) -> Option<&str> {
            self.0.city.as_deref()
        }

        /// The country the event takes place in.
        async fn country(&self, ctx: &Context<'_>) -> ApiResult<Option<Country>> {
            let Some(id) = self.0.event_country_id else { return Ok(None) };
            Ok(one(ctx.data()?, CountryById(id)).await.map_err(gql)?.map(Country))
        }

        /// First day, when known.
        async fn starts_on(&self) -> Option<Date> {
            self.0.starts_on.map(Date)
        }

        /// Last day, when known.
        async fn ends_on(&self) -> Option<Date> {
            self.0.ends_on.map(Date)
        }
    }
);

catalogue_item_object!(
    /// A project or programme listed on the Hub.
    Project, NodeType::Project, {}
);

item_kind_from_row!(Resource);
item_kind_from_row!(Event);
item_kind_from_row!(Project);
