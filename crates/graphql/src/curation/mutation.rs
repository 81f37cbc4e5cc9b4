//! The curation mutations, one per action of the workflow; each is one transaction that
//! leaves an audit record.

use async_graphql::{Context, ID, Object};
use gcm_domain::ItemKind;
use gcm_store::curation::Role;
use gcm_store::curation::input::ItemInput;
use gcm_store::curation::submissions::{self, ReviewPolicy};

use super::query::load_one;
use super::types::{
    ItemLinksInput, ReviewDecision, SetHubPositionInput, Submission, SubmitEventInput,
    SubmitProjectInput, SubmitResourceInput, UpdateSubmissionInput, parse_submission_id,
};
use super::{curation_error, require};
use crate::error::{ApiError, ApiResult, gql};
use crate::ids::{NodeType, parse_node_id};
use crate::query::primary_conn;
use crate::types::item::CatalogueItem;

const SUBMITTERS: &[Role] = &[Role::Contributor, Role::Reviewer, Role::Admin];
const REVIEWERS: &[Role] = &[Role::Reviewer];
const ADMINS: &[Role] = &[Role::Admin];

#[derive(Default)]
pub struct Mutation;

async fn submit(ctx: &Context<'_>, kind: ItemKind, input: ItemInput) -> ApiResult<Submission> {
    let who = require(ctx, SUBMITTERS)?;
    let mut conn = primary_conn(ctx).await?;
    let row = submissions::submit(&mut conn, &who, kind, &input)
        .await
        .map_err(curation_error)?;
    load_one(&mut conn, row).await
}

/// Every change a client can make: curation (API key required).
#[Object]
impl Mutation {
    /// Proposes a resource; it is published once reviewed (any key).
    async fn submit_resource(
        &self,
        ctx: &Context<'_>,
        input: SubmitResourceInput,
    ) -> ApiResult<Submission> {
        submit(ctx, ItemKind::Resource, input.into()).await
    }

    /// Proposes an event (any key).
    async fn submit_event(
        &self,
        ctx: &Context<'_>,
        input: SubmitEventInput,
    ) -> ApiResult<Submission> {
        submit(ctx, ItemKind::Event, input.into()).await
    }

    /// Proposes a project (any key).
    async fn submit_project(
        &self,
        ctx: &Context<'_>,
        input: SubmitProjectInput,
    ) -> ApiResult<Submission> {
        submit(ctx, ItemKind::Project, input.into()).await
    }

    /// Replaces the content of your submission while it is under review or changes were
    /// requested; its review starts over.
    async fn update_submission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The submission's id.")] id: ID,
        input: UpdateSubmissionInput,
    ) -> ApiResult<Submission> {
        let who = require(ctx, SUBMITTERS)?;
        let id = parse_submission_id(&id).map_err(gql)?;
        let mut conn = primary_conn(ctx).await?;
        let row = submissions::update(&mut conn, &who, id, &input.into())
            .await
            .map_err(curation_error)?;
        load_one(&mut conn, row).await
    }

    /// Takes back your open submission.
    async fn withdraw_submission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The submission's id.")] id: ID,
    ) -> ApiResult<Submission> {
        let who = require(ctx, SUBMITTERS)?;
        let id = parse_submission_id(&id).map_err(gql)?;
        let mut conn = primary_conn(ctx).await?;
        let row = submissions::withdraw(&mut conn, &who, id)
            .await
            .map_err(curation_error)?;
        load_one(&mut conn, row).await
    }

    /// Records your decision (reviewers). Published at `GCM_REVIEW_INTERNAL` internal and
    /// `GCM_REVIEW_EXTERNAL` external approvals without rejection; a split needs one more
    /// approving reviewer per rejection; more rejections than approvals reject it.
    ///
    /// `revision` is the submission's `revision` you reviewed; when it was updated since,
    /// nothing is recorded and the error has `extensions.code` `CONFLICT` and
    /// `extensions.currentRevision`: read it again before you decide.
    async fn review_submission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The submission's id.")] id: ID,
        #[graphql(desc = "The submission's `revision` you reviewed.")] revision: i32,
        decision: ReviewDecision,
        #[graphql(desc = "Your reasons, at most 10000 characters.")] comment: Option<String>,
    ) -> ApiResult<Submission> {
        let who = require(ctx, REVIEWERS)?;
        let id = parse_submission_id(&id).map_err(gql)?;
        let policy = ctx.data_opt::<ReviewPolicy>().copied().unwrap_or_default();
        let mut conn = primary_conn(ctx).await?;
        let outcome = submissions::review(
            &mut conn,
            &who,
            id,
            revision,
            decision.into(),
            comment.as_deref(),
            policy,
        )
        .await
        .map_err(curation_error)?;
        load_one(&mut conn, outcome.submission).await
    }

    /// Declares a conflict of interest: you will not review this submission (reviewers).
    /// Your review of its current revision, if you gave one while it is open, is withdrawn
    /// and the submission decided again from the others.
    async fn declare_conflict(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The submission's id.")] id: ID,
    ) -> ApiResult<Submission> {
        let who = require(ctx, REVIEWERS)?;
        let id = parse_submission_id(&id).map_err(gql)?;
        let policy = ctx.data_opt::<ReviewPolicy>().copied().unwrap_or_default();
        let mut conn = primary_conn(ctx).await?;
        let row = submissions::declare_conflict(&mut conn, &who, id, policy)
            .await
            .map_err(curation_error)?;
        load_one(&mut conn, row).await
    }

    /// Takes a published item out of the catalogue (admins).
    async fn retract_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item's global id (a resource, event or project).")] id: ID,
        #[graphql(desc = "Why, 1 to 2000 characters; kept in the audit log.")] reason: String,
    ) -> ApiResult<CatalogueItem> {
        let who = require(ctx, ADMINS)?;
        let slug = item_slug(&id)?;
        let mut conn = primary_conn(ctx).await?;
        let row = submissions::retract_item(&mut conn, &who, &slug, &reason)
            .await
            .map_err(curation_error)?;
        Ok(CatalogueItem::from_row(row)?)
    }

    /// Replaces an item's curated links (admins): each list given replaces the stored one,
    /// an omitted list is kept. Works on items of any status.
    async fn set_item_links(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item's global id (a resource, event or project).")] id: ID,
        links: ItemLinksInput,
    ) -> ApiResult<CatalogueItem> {
        let who = require(ctx, ADMINS)?;
        let slug = item_slug(&id)?;
        let mut conn = primary_conn(ctx).await?;
        let links = gcm_store::curation::links::LinksInput {
            objectives: links.objectives,
            actions: links.actions,
            guidance_sources: links.guidance_sources,
            countries: links.countries,
            regions: links.regions,
            scope: links.scope.map(Into::into),
        };
        let row = gcm_store::curation::links::set_links(&mut conn, &who, &slug, &links)
            .await
            .map_err(curation_error)?;
        Ok(CatalogueItem::from_row(row)?)
    }

    /// Places an item on the Hub page, or takes its place away (admins): the order sort
    /// `HUB` follows. A place another item holds is refused at `position`.
    async fn set_hub_position(
        &self,
        ctx: &Context<'_>,
        input: SetHubPositionInput,
    ) -> ApiResult<CatalogueItem> {
        let who = require(ctx, ADMINS)?;
        let slug = item_slug(&input.id)?;
        let mut conn = primary_conn(ctx).await?;
        let row = gcm_store::curation::hub_places::set_hub_position(
            &mut conn,
            &who,
            &slug,
            input.objective,
            input.position,
        )
        .await
        .map_err(curation_error)?;
        Ok(CatalogueItem::from_row(row)?)
    }

    /// Puts a retracted item back into the catalogue (admins).
    async fn restore_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item's global id (a resource, event or project).")] id: ID,
    ) -> ApiResult<CatalogueItem> {
        let who = require(ctx, ADMINS)?;
        let slug = item_slug(&id)?;
        let mut conn = primary_conn(ctx).await?;
        let row = submissions::restore_item(&mut conn, &who, &slug)
            .await
            .map_err(curation_error)?;
        Ok(CatalogueItem::from_row(row)?)
    }
}

fn item_slug(id: &ID) -> ApiResult<String> {
    match parse_node_id(id).map_err(gql)? {
        (NodeType::Resource | NodeType::Event | NodeType::Project, slug) => Ok(slug),
        _ => Err(gql(ApiError::bad_input(format!(
            "{:?} is not the id of a resource, event or project",
            id.as_str()
        )))),
    }
}
