//! Objectives and their lettered actions, policy options and related objectives.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, SimpleObject};
use gcm_store::models::item_pages::Parent;
use gcm_store::models::objectives::{ActionRow, ObjectiveRow, PolicyOptionRow};

use super::guidance::{GuidanceCoverage, GuidanceSource};
use super::item_lists::ObjectiveItems;
use super::reference::Instrument;
use crate::error::{ApiResult, gql};
use crate::ids::{NodeType, node_id};
use crate::limits::directives::{design, first_only, list_size};
use crate::loaders::{
    CoverageOfObjective, GuidanceOfAction, GuidanceOfObjective, InstrumentsOfObjective,
    ObjectiveByNumber, PolicyOptionsOfObjective, RelatedOfObjective, many, many_first, one,
};

/// One of the 23 objectives of the Global Compact for Safe, Orderly and Regular Migration.
#[derive(Debug, Clone)]
pub struct Objective(pub Arc<ObjectiveRow>);

/// One of the 23 objectives of the Global Compact for Safe, Orderly and Regular Migration.
#[Object]
impl Objective {
    /// Opaque global id; `node(id:)` resolves it.
    pub async fn id(&self) -> ID {
        node_id(NodeType::Objective, &self.0.number.to_string())
    }

    /// The objective's number, 1 to 23.
    async fn number(&self) -> i32 {
        self.0.number
    }

    /// URL-safe key derived from the short name, e.g. `social-protection`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The short name the Hub's menu uses, e.g. "Social protection".
    #[graphql(shareable)]
    async fn short_name(&self) -> &str {
        &self.0.short_name
    }

    /// The official title, as listed in A/RES/73/195 paragraph 16.
    #[graphql(shareable)]
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The paragraph of A/RES/73/195 that states the objective's commitment (objective N: N + 16).
    async fn paragraph(&self) -> i32 {
        self.0.commitment_paragraph
    }

    /// The commitment, verbatim. Null where the catalogue does not hold the text yet.
    async fn commitment(&self) -> Option<&str> {
        self.0.commitment_text.as_deref()
    }

    /// The sentence that introduces the actions, verbatim, when held.
    async fn actions_lead_in(&self) -> Option<&str> {
        self.0.actions_lead_in.as_deref()
    }

    /// The lettered actions that realise the commitment (empty where the text is not held yet).
    #[graphql(directive = list_size::apply(Some(design::OBJECTIVE_ACTIONS), first_only(), None, Some(false)))]
    async fn actions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<Action>> {
        let rows = many_first(
            ctx.data()?,
            crate::loaders::ActionsOfObjective(self.0.number),
            first,
        )
        .await
        .map_err(gql)?;
        Ok(rows.into_iter().map(Action).collect())
    }

    /// Guidance from UN human-rights mechanisms for this objective.
    #[graphql(directive = list_size::apply(Some(design::OBJECTIVE_GUIDANCE), first_only(), None, Some(false)))]
    async fn guidance_sources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<GuidanceSource>> {
        let rows = many_first(ctx.data()?, GuidanceOfObjective(self.0.number), first)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(GuidanceSource).collect())
    }

    /// What the guidance compilations say for this objective, per kind of mechanism
    /// (Special Procedures, then Treaty Bodies): guidance present, "no explicit guidance"
    /// with the publication's own sentence, or not compiled.
    #[graphql(directive = list_size::apply(Some(2), None, None, None))]
    async fn guidance_coverage(&self, ctx: &Context<'_>) -> ApiResult<Vec<GuidanceCoverage>> {
        let rows = many(ctx.data()?, CoverageOfObjective(self.0.number))
            .await
            .map_err(gql)?;
        GuidanceCoverage::of_objective(&rows).map_err(gql)
    }

    /// Other objectives whose text is relevant to this one's theme, with the paragraph.
    #[graphql(directive = list_size::apply(Some(design::OBJECTIVE_RELATED), first_only(), None, Some(false)))]
    async fn related_objectives(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<RelatedObjective>> {
        let rows = many_first(ctx.data()?, RelatedOfObjective(self.0.number), first)
            .await
            .map_err(gql)?;
        Ok(rows
            .into_iter()
            .map(|r| RelatedObjective {
                number: r.related_number,
                paragraph: r.paragraph,
            })
            .collect())
    }

    /// ILO instruments the Hub's page for this objective refers to.
    #[graphql(directive = list_size::apply(Some(design::OBJECTIVE_INSTRUMENTS), first_only(), None, Some(false)))]
    async fn instruments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<Instrument>> {
        let rows = many_first(ctx.data()?, InstrumentsOfObjective(self.0.number), first)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(Instrument).collect())
    }

    /// Policy options the Hub's page lists for States, in order.
    #[graphql(directive = list_size::apply(Some(design::OBJECTIVE_POLICY_OPTIONS), first_only(), None, Some(false)))]
    async fn policy_options(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<PolicyOption>> {
        let rows = many_first(ctx.data()?, PolicyOptionsOfObjective(self.0.number), first)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(PolicyOption::from).collect())
    }

    /// The published resources, events and projects serving this objective.
    #[graphql(flatten)]
    async fn items(&self) -> ObjectiveItems {
        ObjectiveItems(Some((Parent::Objective, self.0.number)))
    }
}

/// A lettered action under an objective's commitment, e.g. 22(b).
#[derive(Debug, Clone)]
pub struct Action(pub Arc<ActionRow>);

/// A lettered action under an objective's commitment, e.g. 22(b).
#[Object]
impl Action {
    /// Opaque global id; `node(id:)` resolves it.
    pub async fn id(&self) -> ID {
        node_id(NodeType::Action, &self.0.code())
    }

    /// Objective number and letter, e.g. `22b`.
    async fn code(&self) -> String {
        self.0.code()
    }

    /// The action's letter, e.g. `b`.
    async fn letter(&self) -> &str {
        &self.0.letter
    }

    /// The action, verbatim.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// The objective the action belongs to.
    async fn objective(&self, ctx: &Context<'_>) -> ApiResult<Objective> {
        objective_by_number(ctx, self.0.objective_number).await
    }

    /// Guidance that speaks to this action (curated links).
    #[graphql(directive = list_size::apply(Some(design::ACTION_GUIDANCE), first_only(), None, Some(false)))]
    async fn guidance_sources(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many, 0 to 100 (default: all).")] first: Option<i32>,
    ) -> ApiResult<Vec<GuidanceSource>> {
        let rows = many_first(ctx.data()?, GuidanceOfAction(self.0.id), first)
            .await
            .map_err(gql)?;
        Ok(rows.into_iter().map(GuidanceSource).collect())
    }
}

/// An objective that must exist (it is referenced by a foreign key).
pub async fn objective_by_number(ctx: &Context<'_>, number: i32) -> ApiResult<Objective> {
    one(ctx.data()?, ObjectiveByNumber(number))
        .await
        .map_err(gql)?
        .map(Objective)
        .ok_or_else(|| {
            gql(crate::error::corrupt(
                "objective reference",
                &number.to_string(),
            ))
        })
}

/// Another objective relevant to this one, and the paragraph where the GCM states it.
pub struct RelatedObjective {
    number: i32,
    paragraph: i32,
}

/// Another objective relevant to this one, and the paragraph where the GCM states it.
#[Object]
impl RelatedObjective {
    /// The related objective.
    async fn objective(&self, ctx: &Context<'_>) -> ApiResult<Objective> {
        objective_by_number(ctx, self.number).await
    }

    /// Paragraph of A/RES/73/195, e.g. 21 for objective 5.
    async fn paragraph(&self) -> i32 {
        self.paragraph
    }
}

/// A policy option the Hub lists for States under an objective.
#[derive(SimpleObject, Debug, Clone)]
pub struct PolicyOption {
    /// Position in the Hub's list, from 1.
    pub number: i32,
    /// The option, verbatim.
    pub text: String,
    /// A short label for the option, when one is known.
    pub label: Option<String>,
    /// True when the label was read off the text's lead-in by the catalogue, not given by the source.
    pub label_derived: bool,
}

impl From<Arc<PolicyOptionRow>> for PolicyOption {
    fn from(row: Arc<PolicyOptionRow>) -> Self {
        Self {
            number: row.number,
            text: row.text.clone(),
            label: row.label.clone(),
            label_derived: row.label_derived,
        }
    }
}
