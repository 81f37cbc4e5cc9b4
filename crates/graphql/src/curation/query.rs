//! Curation reads: a contributor's submissions, the reviewers' queue, the audit trail.

use async_graphql::{Context, ID, Object};
use gcm_store::curation::audit::{self, AuditFilter as StoreAuditFilter};
use gcm_store::curation::submissions::{self, SubmissionList, SubmissionRow};
use gcm_store::curation::{CurationResult, Role};
use gcm_store::{Conn as Connection, StoreError};

use super::types::{
    AuditEntryConnection, AuditFilter, Submission, SubmissionConnection, parse_audit_cursor,
    parse_submission_cursor, parse_submission_id,
};
use super::{curation_error, require};
use crate::error::{ApiError, ApiResult, MAX_PAGE_SIZE, gql};
use crate::limits::directives::{design, edges_and_nodes, first_only, list_size};
use crate::query::primary_conn;
use crate::types::connection::check_cursor;
use gcm_domain::limits;
use gcm_domain::text::TextField;

/// Builds the submissions' objects with two statements (items, reviews), whatever their number.
pub(crate) async fn load_submissions(
    conn: &mut Connection,
    rows: Vec<SubmissionRow>,
) -> CurationResult<Vec<Submission>> {
    let item_ids: Vec<i32> = rows.iter().map(|r| r.item_id).collect();
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut items = submissions::items_by_ids(conn, &item_ids).await?;
    let mut reviews = submissions::reviews_of(conn, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let item = items
            .remove(&row.item_id)
            .ok_or_else(|| StoreError::Corrupt(format!("submission {} has no item", row.id)))?;
        let reviews = reviews.remove(&row.id).unwrap_or_default();
        out.push(Submission { row, item, reviews });
    }
    Ok(out)
}

pub(crate) async fn load_one(conn: &mut Connection, row: SubmissionRow) -> ApiResult<Submission> {
    load_submissions(conn, vec![row])
        .await
        .map_err(curation_error)?
        .pop()
        .ok_or_else(|| gql(ApiError::Internal))
}

/// An audit-log filter value by the text rule (`gcm_domain::text`): no control
/// character or highlight marker, NFC (as stored names are), at most 500 characters.
/// Blank text stays a filter (it matches nothing), as before.
fn filter_text(argument: &str, value: Option<String>) -> ApiResult<Option<String>> {
    value
        .map(|v| {
            TextField::line(limits::QUERY_TEXT)
                .blank_allowed()
                .clean(&v)
                .map_err(|e| gql(ApiError::bad_argument(argument, e)))
        })
        .transpose()
}

/// A curation list's `first` (0 to [`MAX_PAGE_SIZE`]) and `after`, checked and decoded
/// with `parse`.
fn page_arguments<K>(
    first: i32,
    after: Option<String>,
    parse: impl Fn(&str) -> Result<K, ApiError>,
) -> ApiResult<(i64, Option<K>)> {
    if !(0..=MAX_PAGE_SIZE).contains(&first) {
        return Err(gql(ApiError::PageTooLarge {
            argument: "first",
            requested: first,
            max: MAX_PAGE_SIZE,
        }));
    }
    if let Some(after) = &after {
        check_cursor("after", after).map_err(gql)?;
    }
    let after = after.as_deref().map(parse).transpose().map_err(gql)?;
    Ok((i64::from(first), after))
}

/// One page of a curation list of submissions, built with three statements.
async fn submission_page(
    ctx: &Context<'_>,
    list: SubmissionList,
    first: i32,
    after: Option<String>,
) -> ApiResult<SubmissionConnection> {
    let (first, after) = page_arguments(first, after, parse_submission_cursor)?;
    let mut conn = primary_conn(ctx).await?;
    let (rows, has_next_page) = submissions::page(&mut conn, list, first, after)
        .await
        .map_err(curation_error)?;
    Ok(SubmissionConnection {
        submissions: load_submissions(&mut conn, rows)
            .await
            .map_err(curation_error)?,
        has_next_page,
        has_previous_page: after.is_some(),
        list,
    })
}

#[derive(Default)]
pub struct CurationQuery;

/// Curation reads (API key required).
/// The root fields below: a request that selects one reads on the primary.
pub const ROOT_FIELDS: [&str; 4] = ["mySubmissions", "reviewQueue", "submission", "auditLog"];

#[Object]
impl CurationQuery {
    /// The caller's own submissions, newest first (any role with a key).
    #[graphql(directive = list_size::apply(Some(design::SUBMISSIONS), first_only(), edges_and_nodes(), Some(false)))]
    async fn my_submissions(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "Page size, 0 to 100 (default 20).")] first: i32,
        #[graphql(desc = "Read the submissions after this cursor (`pageInfo.endCursor`).")]
        after: Option<String>,
    ) -> ApiResult<SubmissionConnection> {
        let who = require(ctx, &[Role::Contributor, Role::Reviewer, Role::Admin])?;
        submission_page(ctx, SubmissionList::OfSubmitter(who.key_id), first, after).await
    }

    /// Submissions under review, oldest first, with their reviews (reviewers and admins).
    #[graphql(directive = list_size::apply(Some(design::SUBMISSIONS), first_only(), edges_and_nodes(), Some(false)))]
    async fn review_queue(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "Page size, 0 to 100 (default 20).")] first: i32,
        #[graphql(desc = "Read the submissions after this cursor (`pageInfo.endCursor`).")]
        after: Option<String>,
    ) -> ApiResult<SubmissionConnection> {
        require(ctx, &[Role::Reviewer, Role::Admin])?;
        submission_page(ctx, SubmissionList::UnderReview, first, after).await
    }

    /// One submission: its contributor, reviewers and admins may read it.
    async fn submission(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The submission's id.")] id: ID,
    ) -> ApiResult<Option<Submission>> {
        let who = require(ctx, &[Role::Contributor, Role::Reviewer, Role::Admin])?;
        let id = parse_submission_id(&id).map_err(gql)?;
        let mut conn = primary_conn(ctx).await?;
        let Some(row) = submissions::get(&mut conn, id)
            .await
            .map_err(curation_error)?
        else {
            return Ok(None);
        };
        if who.role == Role::Contributor && row.submitter_id != who.key_id {
            return Ok(None);
        }
        Ok(Some(load_one(&mut conn, row).await?))
    }

    /// The audit trail, oldest first (admins).
    #[graphql(directive = list_size::apply(Some(50), first_only(), Some(vec!["edges".to_owned(), "nodes".to_owned(), "entries".to_owned()]), Some(false)))]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, desc = "Page size, 0 to 100 (default 50).")] first: i32,
        #[graphql(desc = "Read the entries after this cursor (`endCursor` of the previous page).")]
        after: Option<String>,
        #[graphql(desc = "Narrow by action, actor and subject.")] filter: Option<AuditFilter>,
    ) -> ApiResult<AuditEntryConnection> {
        require(ctx, &[Role::Admin])?;
        let (first, after) = page_arguments(first, after, parse_audit_cursor)?;
        let filter = filter.unwrap_or_default();
        let filter = StoreAuditFilter {
            action: filter_text("filter.action", filter.action)?,
            actor: filter_text("filter.actor", filter.actor)?,
            subject: filter_text("filter.subject", filter.subject)?,
        };
        let mut conn = primary_conn(ctx).await?;
        let (rows, has_next_page) = audit::page(&mut conn, first, after, &filter)
            .await
            .map_err(curation_error)?;
        Ok(AuditEntryConnection {
            entries: rows.into_iter().map(Into::into).collect(),
            has_next_page,
            has_previous_page: after.is_some(),
            filter,
        })
    }
}
