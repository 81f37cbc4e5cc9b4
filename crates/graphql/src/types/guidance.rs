//! Guidance from UN human-rights mechanisms, per objective.

use async_graphql::SimpleObject;
use async_graphql::{Context, ID, Object};
use gcm_store::models::catalogue_items::ItemRow;
use gcm_store::models::guidance::{CoverageRow, GuidanceRow};

use super::enums::Mechanism;
use super::item::{Event, Project, Resource};
use super::objective::{Action, Objective, objective_by_number};
use crate::error::{ApiError, ApiResult, corrupt, gql};
use crate::ids::{NodeType, node_id};
use crate::limits::directives::{design, first_only, list_size};
use crate::loaders::{
    ActionsOfGuidance, CoverageOfObjective, ItemsOfGuidance, Loaders, first_limit, many,
    many_first, one,
};

/// A recommendation of a Special Procedure or Treaty Body that bears on an objective,
/// as compiled in QUNO's "Foundations for Implementation".
#[derive(Debug, Clone)]
pub struct GuidanceSource(pub GuidanceRow);

/// The published items of one kind linked to a guidance source.
async fn items_of_kind<T>(
    ctx: &Context<'_>,
    guidance_id: i32,
    kind: gcm_domain::ItemKind,
    first: Option<i32>,
    wrap: impl Fn(ItemRow) -> Result<T, ApiError>,
) -> ApiResult<Vec<T>> {
    let limit = first_limit(first).map_err(gql)?.unwrap_or(usize::MAX);
    let loaders = ctx.data::<Loaders>()?;
    let Some(rows) = one(loaders, ItemsOfGuidance(guidance_id))
        .await
        .map_err(gql)?
    else {
        return Ok(Vec::new());
    };
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
    async fn publication(&self, ctx: &Context<'_>) -> ApiResult<Option<GuidancePublication>> {
        let coverage = many(ctx.data()?, CoverageOfObjective(self.0.objective_number))
            .await
            .map_err(gql)?;
        Ok(coverage
            .first()
            .map(|c| GuidancePublication::from_json(&c.publication)))
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

/// A publication that compiles human-rights guidance per objective, as its file describes it.
#[derive(SimpleObject, Debug, Clone)]
pub struct GuidancePublication {
    /// e.g. "Foundations for Implementation".
    pub title: Option<String>,
    /// e.g. "Quaker United Nations Office".
    pub publisher: Option<String>,
    /// e.g. "QUNO".
    pub publisher_abbreviation: Option<String>,
    /// The date as the publication gives it, e.g. "December 2018".
    pub date_as_given: Option<String>,
    /// The publication's description of itself.
    pub description: Option<String>,
    /// Where it is online, as the source writes it (not necessarily a URL).
    pub online_at_as_given: Option<String>,
}

impl GuidancePublication {
    fn from_json(value: &serde_json::Value) -> Self {
        let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        GuidancePublication {
            title: text("title"),
            publisher: text("publisher"),
            publisher_abbreviation: text("publisher_abbreviation"),
            date_as_given: text("date_as_given"),
            description: text("description"),
            online_at_as_given: text("online_at_as_given"),
        }
    }
}

/// What a guidance publication covers for one objective and one kind of mechanism: how
/// many of its rows the catalogue holds, and what it says itself. Zero rows with a
/// `statement` is the publication saying there is none; an objective no publication
/// covers has no coverage entries at all (nothing compiled, not "none").
#[derive(SimpleObject, Debug, Clone)]
pub struct GuidanceCoverage {
    /// Special Procedures or Treaty Bodies.
    pub mechanism: Mechanism,
    /// The rows of this kind the catalogue holds for the objective (`guidanceSources`).
    pub count: i64,
    /// The publication's own words about this kind for the objective, verbatim, e.g.
    /// "There is currently no explicit guidance from the Treaty Bodies on this objective".
    pub statement: Option<String>,
    /// The publication that compiled the objective's guidance.
    pub publication: GuidancePublication,
}

impl GuidanceCoverage {
    pub fn from_row(row: &CoverageRow) -> Result<Self, ApiError> {
        let mechanism = gcm_domain::MechanismKind::parse(&row.mechanism)
            .map_err(|_| corrupt("mechanism", &row.mechanism))?;
        Ok(GuidanceCoverage {
            mechanism: mechanism.into(),
            count: row.count,
            statement: row.statement.clone(),
            publication: GuidancePublication::from_json(&row.publication),
        })
    }
}
