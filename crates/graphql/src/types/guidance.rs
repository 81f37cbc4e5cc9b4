//! Guidance from UN human-rights mechanisms, per objective.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use async_graphql::{Enum, SimpleObject};
use gcm_store::models::catalogue_items::ItemRow;
use gcm_store::models::guidance::{CoverageRow, GuidanceRow};

use super::enums::Mechanism;
use super::item::{Event, Project, Resource};
use super::objective::{Action, Objective, objective_by_number};
use crate::error::{ApiError, ApiResult, corrupt, gql};
use crate::ids::{NodeType, node_id};
use crate::limits::directives::{design, first_only, list_size};
use crate::loaders::{ActionsOfGuidance, ItemsOfGuidance, Loaders, first_limit, many, many_first};

/// A recommendation of a Special Procedure or Treaty Body that bears on an objective,
/// as compiled in QUNO's "Foundations for Implementation".
#[derive(Debug, Clone)]
pub struct GuidanceSource(pub Arc<GuidanceRow>);

/// The published items of one kind linked to a guidance source.
async fn items_of_kind<T>(
    ctx: &Context<'_>,
    guidance_id: i32,
    kind: gcm_domain::ItemKind,
    first: Option<i32>,
    wrap: impl Fn(Arc<ItemRow>) -> Result<T, ApiError>,
) -> ApiResult<Vec<T>> {
    let limit = first_limit(first).map_err(gql)?.unwrap_or(usize::MAX);
    let rows = many(ctx.data::<Loaders>()?, ItemsOfGuidance(guidance_id))
        .await
        .map_err(gql)?;
    rows.iter()
        .filter(|row| row.kind == kind)
        .take(limit)
        .map(|row| wrap(row.clone()).map_err(gql))
        .collect()
}

/// A recommendation of a Special Procedure or Treaty Body that bears on an objective,
/// as compiled in QUNO's "Foundations for Implementation".
#[Object]
impl GuidanceSource {
    /// Opaque global id; `node(id:)` resolves it.
    pub async fn id(&self) -> ID {
        node_id(NodeType::GuidanceSource, &self.0.slug)
    }

    /// Stable key, e.g. `quno-obj22-sp-01`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The mechanism, e.g. "Special Rapporteur on the human rights of migrants".
    async fn body(&self) -> &str {
        &self.0.body
    }

    /// The short name the source uses for the body, when it uses one (e.g. "SR slavery").
    async fn abbreviation(&self) -> Option<&str> {
        self.0.abbreviation.as_deref()
    }

    /// Special Procedure or Treaty Body.
    async fn mechanism(&self) -> Mechanism {
        self.0.mechanism.into()
    }

    /// Year of the document.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// UN document symbol, e.g. `A/HRC/26/35`.
    async fn symbol(&self) -> &str {
        &self.0.symbol
    }

    /// Paragraph of the document, as the source gives it, e.g. `82(f)`.
    async fn paragraph(&self) -> &str {
        &self.0.paragraph
    }

    /// The guidance, verbatim.
    async fn guidance(&self) -> &str {
        &self.0.guidance
    }

    /// The row's citation exactly as the publication prints it, e.g.
    /// `SR slavery (2018), A/73/139 (para.54(l))`.
    async fn source_as_given(&self) -> Option<&str> {
        self.0.source_as_given.as_deref()
    }

    /// How `body` was derived when the publication does not name the body in full (it
    /// gives `abbreviation` only), e.g. resolved from the preceding row of the same table;
    /// null when `body` is the publication's own words.
    async fn body_resolution(&self) -> Option<&str> {
        self.0.body_resolution.as_deref()
    }

    /// The publication that compiled this row (QUNO, "Foundations for Implementation",
    /// December 2018 for the bundled catalogue).
    async fn publication(&self) -> Option<Publication> {
        self.0.publication.as_ref().map(Publication::from_json)
    }

    /// The objective the guidance is given for.
    async fn objective(&self, ctx: &Context<'_>) -> ApiResult<Objective> {
        objective_by_number(ctx, self.0.objective_number).await
    }

    /// The lettered actions this guidance speaks to (curated links).
    #[graphql(directive = list_size::apply(Some(design::GUIDANCE_ACTIONS), first_only(), None, Some(false)))]
    async fn actions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<Action>> {
        let rows = many_first(ctx.data()?, ActionsOfGuidance(self.0.id), first)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(Action).collect())
    }

    /// Published resources related to this guidance (curated links), global first.
    #[graphql(directive = list_size::apply(Some(design::GUIDANCE_ITEMS), first_only(), None, Some(false)))]
    async fn resources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<Resource>> {
        items_of_kind(
            ctx,
            self.0.id,
            gcm_domain::ItemKind::Resource,
            first,
            Resource::from_row,
        )
        .await
    }

    /// Published events related to this guidance (curated links), global first.
    #[graphql(directive = list_size::apply(Some(design::GUIDANCE_ITEMS), first_only(), None, Some(false)))]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<Event>> {
        items_of_kind(
            ctx,
            self.0.id,
            gcm_domain::ItemKind::Event,
            first,
            Event::from_row,
        )
        .await
    }

    /// Published projects related to this guidance (curated links), global first.
    #[graphql(directive = list_size::apply(Some(design::GUIDANCE_ITEMS), first_only(), None, Some(false)))]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<Project>> {
        items_of_kind(
            ctx,
            self.0.id,
            gcm_domain::ItemKind::Project,
            first,
            Project::from_row,
        )
        .await
    }
}

/// A publication that compiles human-rights guidance per objective, as its file describes
/// it; guidance rows point to the one that compiled them.
#[derive(SimpleObject, Debug, Clone)]
pub struct Publication {
    /// Stable key that guidance rows and coverage statements name in the catalogue, e.g.
    /// `quno-foundations-for-implementation-2018` (null when its file gives none).
    pub slug: Option<String>,
    /// e.g. "Foundations for Implementation".
    pub title: Option<String>,
    /// e.g. "Quaker United Nations Office".
    pub publisher: Option<String>,
    /// e.g. "QUNO".
    pub publisher_abbreviation: Option<String>,
    /// The date as the publication gives it, e.g. "December 2018".
    pub date_as_given: Option<String>,
    /// The same date as year and month, e.g. `2018-12`.
    pub date: Option<String>,
    /// Where it is online, exactly as the source writes it (no scheme, e.g.
    /// `quno.org/resource/2018/11/foundations-implementation`).
    pub url: Option<String>,
    /// What the publication says it compiles, in its own words.
    #[graphql(directive = list_size::apply(Some(5), None, None, None))]
    pub scope_as_given: Vec<String>,
    /// The publication's description of itself.
    pub description: Option<String>,
}

impl Publication {
    fn from_json(value: &serde_json::Value) -> Self {
        let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        Publication {
            slug: text("id"),
            title: text("title"),
            publisher: text("publisher"),
            publisher_abbreviation: text("publisher_abbreviation"),
            date_as_given: text("date_as_given"),
            date: text("date"),
            url: text("online_at_as_given"),
            scope_as_given: value
                .get("scope_as_given")
                .and_then(|v| v.as_array())
                .map(|v| {
                    v.iter()
                        .filter_map(|s| s.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            description: text("description"),
        }
    }
}

/// What the compilations say for one objective and one kind of mechanism.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoverageStatus {
    /// The publication compiles guidance of this kind for the objective (`count` rows).
    GuidancePresent,
    /// The publication covers the objective and states there is no explicit guidance of
    /// this kind (`statement` holds its sentence).
    NoExplicitGuidance,
    /// No publication in the catalogue covers the objective: nothing is known either way.
    NotCompiled,
}

/// What the guidance compilations say for one objective and one kind of mechanism.
#[derive(SimpleObject, Debug, Clone)]
pub struct GuidanceCoverage {
    /// Special Procedures or Treaty Bodies.
    pub mechanism: Mechanism,
    /// Present, "no explicit guidance", or not compiled: zero rows alone do not tell.
    pub status: CoverageStatus,
    /// The rows of this kind the catalogue holds for the objective (`guidanceSources`).
    pub count: i64,
    /// The publication's own words about this kind for the objective, verbatim, e.g.
    /// "There is currently no explicit guidance from the Treaty Bodies on this objective".
    pub statement: Option<String>,
    /// The publication that compiled the objective's guidance; null when not compiled.
    pub publication: Option<Publication>,
}

impl GuidanceCoverage {
    /// Both kinds of mechanism for one objective, from its coverage rows (none: not compiled).
    pub fn of_objective(rows: &[Arc<CoverageRow>]) -> Result<Vec<Self>, ApiError> {
        if let Some(other) = rows
            .iter()
            .find(|r| gcm_domain::MechanismKind::parse(&r.mechanism).is_err())
        {
            return Err(corrupt("mechanism", &other.mechanism));
        }
        Ok([
            gcm_domain::MechanismKind::SpecialProcedure,
            gcm_domain::MechanismKind::TreatyBody,
        ]
        .into_iter()
        .map(|kind| {
            let row = rows.iter().find(|r| r.mechanism == kind.as_str());
            match row {
                None => GuidanceCoverage {
                    mechanism: kind.into(),
                    status: CoverageStatus::NotCompiled,
                    count: 0,
                    statement: None,
                    publication: None,
                },
                Some(row) => GuidanceCoverage {
                    mechanism: kind.into(),
                    status: match row.count {
                        0 => CoverageStatus::NoExplicitGuidance,
                        _ => CoverageStatus::GuidancePresent,
                    },
                    count: row.count,
                    statement: row.statement.clone(),
                    publication: Some(Publication::from_json(&row.publication)),
                },
            }
        })
        .collect())
    }
}
