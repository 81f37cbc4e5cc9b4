//! Submissions and their peer review.
//!
//! A submission owns one item row (status mirrored from the submission, so public reads,
//! which see `published` items only, never show it before it is published). Every change
//! locks the submission row first (`FOR UPDATE`): concurrent reviews and updates of one
//! submission run one after the other and each decides on what the previous one left.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use gcm_domain::text::TextField;
pub use gcm_domain::{Decision, SubmissionStatus};
use gcm_domain::{Invalid, ItemStatus, limits, slugify};
use serde_json::{Value, json};

use super::input::{ItemInput, ValidItem, validate};
use super::keys::{Affiliation, Identity};
use super::{CurationError, CurationResult, audit};
use crate::models::catalogue_items::ItemRow;
use crate::schema::{
    api_keys, catalogue_version, item_countries, item_objectives, item_principles, item_regions,
    items, review_conflicts, reviews, submissions,
};

/// How many approvals publish a submission (GCM_REVIEW_INTERNAL / GCM_REVIEW_EXTERNAL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPolicy {
    pub internal: usize,
    pub external: usize,
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        Self {
            internal: 1,
            external: 2,
        }
    }
}

impl ReviewPolicy {
    /// The status the reviews of the current round lead to (None: keep waiting).
    ///
    /// - A request for changes sends the submission back to its contributor at once.
    /// - Without rejections, it is published once the internal and external approvals
    ///   reach their thresholds.
    /// - More rejections than approvals reject it (a lone first rejection included).
    /// - A split (approvals and rejections) asks for one more approving reviewer per
    ///   rejection on top of the thresholds; a further rejection that tips the balance
    ///   rejects it.
    pub fn outcome(self, round: &[(Decision, Affiliation)]) -> Option<SubmissionStatus> {
        let count = |decision: Decision, affiliation: Option<Affiliation>| {
            round
                .iter()
                .filter(|(d, a)| *d == decision && affiliation.is_none_or(|x| x == *a))
                .count()
        };
        if count(Decision::RequestChanges, None) > 0 {
            return Some(SubmissionStatus::ChangesRequested);
        }
        let rejections = count(Decision::Reject, None);
        let approvals = count(Decision::Approve, None);
        if rejections > approvals {
            return Some(SubmissionStatus::Rejected);
        }
        let thresholds_met = count(Decision::Approve, Some(Affiliation::Internal)) >= self.internal
            && count(Decision::Approve, Some(Affiliation::External)) >= self.external;
        (thresholds_met && approvals >= self.internal + self.external + rejections)
            .then_some(SubmissionStatus::Published)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = submissions)]
pub struct SubmissionRow {
    pub id: i32,
    pub item_id: i32,
    pub submitter_id: i32,
    pub status: SubmissionStatus,
    pub round: i32,
    pub input: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SubmissionRow {
    pub fn status(&self) -> CurationResult<SubmissionStatus> {
        Ok(self.status)
    }

    fn audit_json(&self) -> Value {
        json!({ "status": self.status, "round": self.round, "input": self.input })
    }
}

/// A review as clients see it: the reviewer by name, never by key.
#[derive(Debug, Clone, Queryable)]
pub struct ReviewView {
    pub submission_id: i32,
    pub reviewer: String,
    pub affiliation: Affiliation,
    pub round: i32,
    pub decision: Decision,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
    /// The reviewer's key is public: contributors may see its name.
    pub reviewer_public: bool,
}

/// Why a review stopped counting after it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawal {
    /// Its reviewer declared a conflict of interest on the submission.
    Conflict,
    /// Its reviewer's key was revoked.
    KeyRevoked,
}

impl Withdrawal {
    pub fn as_str(self) -> &'static str {
        match self {
            Withdrawal::Conflict => "conflict",
            Withdrawal::KeyRevoked => "key_revoked",
        }
    }
}

const OPEN: [&str; 2] = ["under_review", "changes_requested"];

/// What a change did to the public catalogue, so the caller can announce it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub submission: SubmissionRow,
    /// The item, when this change published it.
    pub published: Option<ItemRow>,
}

pub async fn submit(
    conn: &mut AsyncPgConnection,
    who: &Identity,
    kind: gcm_domain::ItemKind,
    input: &ItemInput,
) -> CurationResult<SubmissionRow> {
    conn.transaction::<_, CurationError, _>(async |conn| {
        let valid = validate(conn, kind, input).await?;
        let stored_input = serde_json::to_value(&valid.input).map_err(corrupt_json)?;
        let item_id: i32 = diesel::insert_into(items::table)
            .values((
                items::slug.eq(new_slug(&valid.title)?),
                items::kind.eq(kind.as_str()),
                items::section.eq(valid.section.map(|s| s.as_str())),
                items::title_provenance.eq("seed"),
                items::summary.eq(&valid.summary),
                items::scope.eq(valid.scope.as_str()),
                items::status.eq(SubmissionStatus::UnderReview.item_status()),
                items::source.eq(&stored_input),
            ))
            .returning(items::id)
            .get_result(conn)
            .await?;
        write_item(conn, item_id, &valid, &stored_input).await?;
        let submission: SubmissionRow = diesel::insert_into(submissions::table)
            .values((
                submissions::item_id.eq(item_id),
                submissions::submitter_id.eq(who.key_id),
                submissions::input.eq(&stored_input),
            ))
            .returning(SubmissionRow::as_returning())
            .get_result(conn)
            .await?;
        audit::record(
            conn,
            Some(who),
            &format!("submission.submit_{}", kind.as_str()),
            &subject(submission.id),
            None,
            Some(submission.audit_json()),
        )
        .await?;
        Ok(submission)
    })
    .await
}

/// Replaces the content of an open submission; its reviews start over (a new round).
pub async fn update(
    conn: &mut AsyncPgConnection,
    who: &Identity,
    id: i32,
    input: &ItemInput,
) -> CurationResult<SubmissionRow> {
    conn.transaction::<_, CurationError, _>(async |conn| {
        let before = lock(conn, id).await?;
        own(who, &before)?;
        let status = before.status()?;
        if !status.is_open() {
            return Err(CurationError::InvalidState(format!(
                "submission {id} is {}: only a submission under review or with changes requested can be updated",
                status.as_str()
            )));
        }
        let kind: String = items::table
            .find(before.item_id)
            .select(items::kind)
            .first(conn)
            .await?;
        let kind = gcm_domain::ItemKind::parse(&kind).map_err(|e| {
            CurationError::Store(crate::StoreError::Corrupt(format!("item kind: {e}")))
        })?;
        let valid = validate(conn, kind, input).await?;
        let stored_input = serde_json::to_value(&valid.input).map_err(corrupt_json)?;
        // The reviews of this revision were given to the content replaced here: from now on
        // they belong to an earlier round and count no more.
        let discarded: i64 = reviews::table
            .filter(reviews::submission_id.eq(id))
            .filter(reviews::round.eq(before.round))
            .filter(reviews::withdrawn_at.is_null())
            .count()
            .get_result(conn)
            .await?;
        write_item(conn, before.item_id, &valid, &stored_input).await?;
        let after: SubmissionRow = diesel::update(submissions::table.find(id))
            .set((
                submissions::input.eq(&stored_input),
                submissions::round.eq(submissions::round + 1),
                submissions::status.eq(SubmissionStatus::UnderReview.as_str()),
                submissions::updated_at.eq(diesel::dsl::now),
            ))
            .returning(SubmissionRow::as_returning())
            .get_result(conn)
            .await?;
        set_item_status(conn, after.item_id, SubmissionStatus::UnderReview).await?;
        let mut record = after.audit_json();
        record["discardedReviews"] = json!(discarded);
        audit::record(
            conn,
            Some(who),
            "submission.update",
            &subject(id),
            Some(before.audit_json()),
            Some(record),
        )
        .await?;
        Ok(after)
    })
    .await
}

pub async fn withdraw(
    conn: &mut AsyncPgConnection,
    who: &Identity,
    id: i32,
) -> CurationResult<SubmissionRow> {
    conn.transaction::<_, CurationError, _>(async |conn| {
        let before = lock(conn, id).await?;
        own(who, &before)?;
        let status = before.status()?;
        if !status.is_open() {
            return Err(CurationError::InvalidState(format!(
                "submission {id} is {}: only an open submission can be withdrawn",
                status.as_str()
            )));
        }
        let after = set_status(conn, &before, SubmissionStatus::Withdrawn).await?;
        audit::record(
            conn,
            Some(who),
            "submission.withdraw",
            &subject(id),
            Some(before.audit_json()),
            Some(after.audit_json()),
        )
        .await?;
        Ok(after)
    })
    .await
}

/// Records a reviewer's decision on `revision` (the `round` they read) and applies the
/// [`ReviewPolicy`] to the round. A revision that is no longer the current one is refused
/// with [`CurationError::Conflict`], decided on the locked row, so nothing is written.
pub async fn review(
    conn: &mut AsyncPgConnection,
    who: &Identity,
    id: i32,
    revision: i32,
    decision: Decision,
    comment: Option<&str>,
    policy: ReviewPolicy,
) -> CurationResult<Outcome> {
    let comment = match comment.map(|c| COMMENT.clean(c)).transpose() {
        Ok(comment) => comment,
        Err(e) => return Err(invalid("comment", e)),
    };
    let comment = comment.as_deref();
    conn.transaction::<_, CurationError, _>(async |conn| {
        // The reviewer's key before the submission (the order `keys::revoke` takes them in):
        // a revocation either waits for this review, and withdraws it, or comes first.
        let revoked: Option<Option<DateTime<Utc>>> = api_keys::table
            .find(who.key_id)
            .select(api_keys::revoked_at)
            .for_share()
            .first(conn)
            .await
            .optional()?;
        if !matches!(revoked, Some(None)) {
            return Err(CurationError::Revoked);
        }
        let before = lock(conn, id).await?;
        if before.submitter_id == who.key_id {
            return Err(CurationError::Forbidden(
                "a reviewer cannot review their own submission".into(),
            ));
        }
        if has_conflict(conn, id, who.key_id).await? {
            return Err(CurationError::Forbidden(format!(
                "you declared a conflict of interest on submission {id}"
            )));
        }
        let status = before.status()?;
        if status != SubmissionStatus::UnderReview {
            return Err(CurationError::InvalidState(format!(
                "submission {id} is {}: only a submission under review can be reviewed",
                status.as_str()
            )));
        }
        if revision != before.round {
            return Err(CurationError::Conflict {
                message: format!(
                    "submission {id} is at revision {}, not {revision}: it changed since you read it; read it again before you review",
                    before.round
                ),
                current_revision: before.round,
            });
        }
        let reviewed: i64 = reviews::table
            .filter(reviews::submission_id.eq(id))
            .filter(reviews::reviewer_id.eq(who.key_id))
            .filter(reviews::round.eq(before.round))
            .count()
            .get_result(conn)
            .await?;
        if reviewed > 0 {
            return Err(CurationError::InvalidState(format!(
                "you have reviewed submission {id} already in this round"
            )));
        }
        diesel::insert_into(reviews::table)
            .values((
                reviews::submission_id.eq(id),
                reviews::reviewer_id.eq(who.key_id),
                reviews::round.eq(before.round),
                reviews::decision.eq(decision.as_str()),
                reviews::comment.eq(comment),
            ))
            .execute(conn)
            .await?;
        let Outcome {
            submission: after,
            published,
        } = settle(conn, &before, policy).await?;
        audit::record(
            conn,
            Some(who),
            &format!("submission.review.{}", decision.as_str()),
            &subject(id),
            Some(before.audit_json()),
            Some(json!({
                "status": after.status,
                "round": after.round,
                "review": { "decision": decision.as_str(), "comment": comment },
            })),
        )
        .await?;
        Ok(Outcome {
            submission: after,
            published,
        })
    })
    .await
}

/// Applies the policy to the reviews of the current round that still count, and moves the
/// open submission `before` (locked) where they lead: an open submission without an outcome
/// is under review. Publishing bumps the catalogue version and announces the item.
async fn settle(
    conn: &mut AsyncPgConnection,
    before: &SubmissionRow,
    policy: ReviewPolicy,
) -> CurationResult<Outcome> {
    let round: Vec<(Decision, Affiliation)> = reviews::table
        .inner_join(api_keys::table)
        .filter(reviews::submission_id.eq(before.id))
        .filter(reviews::round.eq(before.round))
        .filter(reviews::withdrawn_at.is_null())
        .select((reviews::decision, api_keys::affiliation))
        .load(conn)
        .await?;
    let current = before.status()?;
    let next = policy
        .outcome(&round)
        .unwrap_or(SubmissionStatus::UnderReview);
    let after = if next == current {
        touch(conn, before.id).await?
    } else {
        set_status(conn, before, next).await?
    };
    let published = if next == SubmissionStatus::Published && current != next {
        bump_catalogue_version(conn).await?;
        super::notify::item_published(conn, after.item_id).await?;
        Some(item_row(conn, after.item_id).await?)
    } else {
        None
    };
    Ok(Outcome {
        submission: after,
        published,
    })
}

/// Withdraws the counting review of `reviewer` (only a `decision` one, when given) in the
/// current round of the open, locked submission `before`, decides it again from the reviews
/// that remain, and records both in the audit trail. None when there was no such review.
async fn withdraw_review(
    conn: &mut AsyncPgConnection,
    actor: Option<&Identity>,
    before: &SubmissionRow,
    reviewer: (i32, &str),
    decision: Option<Decision>,
    why: Withdrawal,
    policy: ReviewPolicy,
) -> CurationResult<Option<Outcome>> {
    if !before.status()?.is_open() {
        return Ok(None);
    }
    let mut query = reviews::table
        .filter(reviews::submission_id.eq(before.id))
        .filter(reviews::reviewer_id.eq(reviewer.0))
        .filter(reviews::round.eq(before.round))
        .filter(reviews::withdrawn_at.is_null())
        .select((reviews::id, reviews::decision, reviews::comment))
        .into_boxed();
    if let Some(decision) = decision {
        query = query.filter(reviews::decision.eq(decision.as_str()));
    }
    let found: Option<(i32, String, Option<String>)> = query.first(conn).await.optional()?;
    let Some((review_id, decision, comment)) = found else {
        return Ok(None);
    };
    diesel::update(reviews::table.find(review_id))
        .set((
            reviews::withdrawn_at.eq(diesel::dsl::now),
            reviews::withdrawn_reason.eq(why.as_str()),
        ))
        .execute(conn)
        .await?;
    let outcome = settle(conn, before, policy).await?;
    audit::record(
        conn,
        actor,
        "submission.review.withdraw",
        &subject(before.id),
        Some(before.audit_json()),
        Some(json!({
            "status": outcome.submission.status,
            "round": outcome.submission.round,
            "withdrawn": {
                "reviewer": reviewer.1,
                "decision": decision,
                "comment": comment,
                "reason": why.as_str(),
            },
        })),
    )
    .await?;
    Ok(Some(outcome))
}

/// Withdraws the approvals `key` (just revoked, its row locked) gave to the current
/// revision of open submissions, each decided again; returns how many. Call it inside the
/// revocation's transaction.
pub(crate) async fn withdraw_pending_approvals(
    conn: &mut AsyncPgConnection,
    key: &super::ApiKeyRow,
    policy: ReviewPolicy,
) -> CurationResult<usize> {
    let ids: Vec<i32> = reviews::table
        .inner_join(submissions::table)
        .filter(reviews::reviewer_id.eq(key.id))
        .filter(reviews::decision.eq(Decision::Approve.as_str()))
        .filter(reviews::withdrawn_at.is_null())
        .filter(reviews::round.eq(submissions::round))
        .filter(submissions::status.eq_any(OPEN))
        .select(reviews::submission_id)
        .distinct()
        .order(reviews::submission_id)
        .load(conn)
        .await?;
    let mut withdrawn = 0;
    // In id order, each locked and read again: it may have changed since the query above.
    for id in ids {
        let before = lock(conn, id).await?;
        let outcome = withdraw_review(
            conn,
            None,
            &before,
            (key.id, &key.name),
            Some(Decision::Approve),
            Withdrawal::KeyRevoked,
            policy,
        )
        .await?;
        withdrawn += usize::from(outcome.is_some());
    }
    Ok(withdrawn)
}

/// A reviewer steps aside: they can no longer review this submission, and their review
/// of its current revision, if any, is withdrawn while the submission is open (the policy
/// decides it again from the remaining reviews). Decided submissions keep their reviews.
pub async fn declare_conflict(
    conn: &mut AsyncPgConnection,
    who: &Identity,
    id: i32,
    policy: ReviewPolicy,
) -> CurationResult<SubmissionRow> {
    conn.transaction::<_, CurationError, _>(async |conn| {
        let submission = lock(conn, id).await?;
        if has_conflict(conn, id, who.key_id).await? {
            return Ok(submission);
        }
        diesel::insert_into(review_conflicts::table)
            .values((
                review_conflicts::submission_id.eq(id),
                review_conflicts::reviewer_id.eq(who.key_id),
            ))
            .execute(conn)
            .await?;
        audit::record(
            conn,
            Some(who),
            "submission.declare_conflict",
            &subject(id),
            None,
            Some(json!({ "conflict": who.name })),
        )
        .await?;
        let withdrawn = withdraw_review(
            conn,
            Some(who),
            &submission,
            (who.key_id, &who.name),
            None,
            Withdrawal::Conflict,
            policy,
        )
        .await?;
        Ok(withdrawn.map_or(submission, |outcome| outcome.submission))
    })
    .await
}

/// Takes a published item out of the catalogue (admins), keeping the reason in the trail.
pub async fn retract_item(
    conn: &mut AsyncPgConnection,
    who: &Identity,
    slug: &str,
    reason: &str,
) -> CurationResult<ItemRow> {
    let reason = REASON.clean(reason).map_err(|e| invalid("reason", e))?;
    let reason = reason.as_str();
    change_item_status(
        conn,
        who,
        slug,
        ItemStatus::Published,
        SubmissionStatus::Retracted,
        Some(reason),
    )
    .await
}

/// Puts a retracted item back (admins).
pub async fn restore_item(
    conn: &mut AsyncPgConnection,
    who: &Identity,
    slug: &str,
) -> CurationResult<ItemRow> {
    change_item_status(
        conn,
        who,
        slug,
        ItemStatus::Retracted,
        SubmissionStatus::Published,
        None,
    )
    .await
}

async fn change_item_status(
    conn: &mut AsyncPgConnection,
    who: &Identity,
    slug: &str,
    from: ItemStatus,
    to: SubmissionStatus,
    reason: Option<&str>,
) -> CurationResult<ItemRow> {
    conn.transaction::<_, CurationError, _>(async |conn| {
        let before = lock_item(conn, slug).await?;
        if before.status != from {
            return Err(CurationError::InvalidState(format!(
                "item {slug:?} is {}, not {from}",
                before.status
            )));
        }
        // Lock order: submission after item, like nothing else takes them the other way
        // round for the same pair (reviews lock the submission only).
        diesel::update(submissions::table.filter(submissions::item_id.eq(before.id)))
            .set((
                submissions::status.eq(to.as_str()),
                submissions::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        set_item_status(conn, before.id, to).await?;
        bump_catalogue_version(conn).await?;
        if to == SubmissionStatus::Published {
            super::notify::item_published(conn, before.id).await?;
        }
        let after = item_row(conn, before.id).await?;
        audit::record(
            conn,
            Some(who),
            if to == SubmissionStatus::Retracted {
                "item.retract"
            } else {
                "item.restore"
            },
            &format!("Item:{slug}"),
            Some(json!({ "status": before.status })),
            Some(json!({ "status": after.status, "reason": reason })),
        )
        .await?;
        Ok(after)
    })
    .await
}

pub async fn get(conn: &mut AsyncPgConnection, id: i32) -> CurationResult<Option<SubmissionRow>> {
    Ok(submissions::table
        .find(id)
        .select(SubmissionRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// A curation list of submissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionList {
    /// A contributor's own submissions (by key id), newest first.
    OfSubmitter(i32),
    /// Submissions waiting for a review, oldest first.
    UnderReview,
}

impl SubmissionList {
    fn rows(self) -> submissions::BoxedQuery<'static, diesel::pg::Pg> {
        match self {
            SubmissionList::OfSubmitter(key_id) => submissions::table
                .filter(submissions::submitter_id.eq(key_id))
                .into_boxed(),
            SubmissionList::UnderReview => submissions::table
                .filter(submissions::status.eq(SubmissionStatus::UnderReview.as_str()))
                .into_boxed(),
        }
    }
}

/// Up to `first` submissions of `list` after the submission `after` (keyset on the id, in
/// the list's order), plus whether more follow.
pub async fn page(
    conn: &mut AsyncPgConnection,
    list: SubmissionList,
    first: i64,
    after: Option<i32>,
) -> CurationResult<(Vec<SubmissionRow>, bool)> {
    let mut query = list
        .rows()
        .select(SubmissionRow::as_select())
        .limit(first + 1);
    query = match (list, after) {
        (SubmissionList::OfSubmitter(_), Some(after)) => query
            .filter(submissions::id.lt(after))
            .order(submissions::id.desc()),
        (SubmissionList::OfSubmitter(_), None) => query.order(submissions::id.desc()),
        (SubmissionList::UnderReview, Some(after)) => query
            .filter(submissions::id.gt(after))
            .order(submissions::id),
        (SubmissionList::UnderReview, None) => query.order(submissions::id),
    };
    let mut rows: Vec<SubmissionRow> = query.load(conn).await?;
    let more = rows.len() as i64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(0));
    Ok((rows, more))
}

/// How many submissions `list` holds, over all pages.
pub async fn count(conn: &mut AsyncPgConnection, list: SubmissionList) -> CurationResult<i64> {
    Ok(list.rows().count().get_result(conn).await?)
}

/// The reviews of each submission that were not withdrawn, oldest first.
pub async fn reviews_of(
    conn: &mut AsyncPgConnection,
    submission_ids: &[i32],
) -> CurationResult<HashMap<i32, Vec<ReviewView>>> {
    let rows: Vec<ReviewView> = reviews::table
        .inner_join(api_keys::table)
        .filter(reviews::submission_id.eq_any(submission_ids))
        .filter(reviews::withdrawn_at.is_null())
        .order(reviews::id)
        .select((
            reviews::submission_id,
            api_keys::name,
            api_keys::affiliation,
            reviews::round,
            reviews::decision,
            reviews::comment,
            reviews::at,
            api_keys::public,
        ))
        .load(conn)
        .await?;
    let mut map: HashMap<i32, Vec<ReviewView>> = HashMap::new();
    for review in rows {
        map.entry(review.submission_id).or_default().push(review);
    }
    Ok(map)
}

/// Items of any status by id (the submissions' items, for their own reviewers and owners).
pub async fn items_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[i32],
) -> CurationResult<HashMap<i32, ItemRow>> {
    let rows: Vec<ItemRow> = items::table
        .filter(items::id.eq_any(ids))
        .select(ItemRow::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

pub fn subject(id: i32) -> String {
    format!("Submission:{id}")
}

async fn lock(conn: &mut AsyncPgConnection, id: i32) -> CurationResult<SubmissionRow> {
    submissions::table
        .find(id)
        .select(SubmissionRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| CurationError::NotFound(format!("no submission has the id {id}")))
}

fn own(who: &Identity, submission: &SubmissionRow) -> CurationResult<()> {
    if submission.submitter_id == who.key_id {
        Ok(())
    } else {
        Err(CurationError::Forbidden(format!(
            "submission {} is not yours",
            submission.id
        )))
    }
}

async fn has_conflict(conn: &mut AsyncPgConnection, id: i32, key_id: i32) -> CurationResult<bool> {
    let n: i64 = review_conflicts::table
        .filter(review_conflicts::submission_id.eq(id))
        .filter(review_conflicts::reviewer_id.eq(key_id))
        .count()
        .get_result(conn)
        .await?;
    Ok(n > 0)
}

async fn set_status(
    conn: &mut AsyncPgConnection,
    before: &SubmissionRow,
    status: SubmissionStatus,
) -> CurationResult<SubmissionRow> {
    let after = diesel::update(submissions::table.find(before.id))
        .set((
            submissions::status.eq(status.as_str()),
            submissions::updated_at.eq(diesel::dsl::now),
        ))
        .returning(SubmissionRow::as_returning())
        .get_result(conn)
        .await?;
    set_item_status(conn, before.item_id, status).await?;
    Ok(after)
}

async fn touch(conn: &mut AsyncPgConnection, id: i32) -> CurationResult<SubmissionRow> {
    Ok(diesel::update(submissions::table.find(id))
        .set(submissions::updated_at.eq(diesel::dsl::now))
        .returning(SubmissionRow::as_returning())
        .get_result(conn)
        .await?)
}

async fn set_item_status(
    conn: &mut AsyncPgConnection,
    item_id: i32,
    status: SubmissionStatus,
) -> CurationResult<()> {
    diesel::update(items::table.find(item_id))
        .set((
            items::status.eq(status.item_status()),
            items::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The item with this slug, locked for the rest of the transaction.
pub(crate) async fn lock_item(conn: &mut AsyncPgConnection, slug: &str) -> CurationResult<ItemRow> {
    items::table
        .filter(items::slug.eq(slug))
        .select(ItemRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| CurationError::NotFound(format!("no item has the slug {slug:?}")))
}

async fn item_row(conn: &mut AsyncPgConnection, item_id: i32) -> CurationResult<ItemRow> {
    Ok(items::table
        .find(item_id)
        .select(ItemRow::as_select())
        .first(conn)
        .await?)
}

/// Caches key on this version: every change to what the public sees bumps it.
pub async fn bump_catalogue_version(conn: &mut AsyncPgConnection) -> CurationResult<()> {
    diesel::update(catalogue_version::table)
        .set((
            catalogue_version::version.eq(catalogue_version::version + 1),
            catalogue_version::changed_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces an item's rows in one link table (`$table::item_id`, `$table::$key`) with `$ids`.
macro_rules! replace_links {
    ($conn:expr, $item_id:expr, $table:ident :: $key:ident, $ids:expr) => {{
        diesel::delete($table::table.filter($table::item_id.eq($item_id)))
            .execute($conn)
            .await?;
        let rows: Vec<_> = $ids
            .iter()
            .map(|&id| ($table::item_id.eq($item_id), $table::$key.eq(id)))
            .collect();
        if !rows.is_empty() {
            diesel::insert_into($table::table)
                .values(rows)
                .execute($conn)
                .await?;
        }
    }};
}

/// Writes the validated content and links of an item.
async fn write_item(
    conn: &mut AsyncPgConnection,
    item_id: i32,
    valid: &ValidItem,
    source: &Value,
) -> CurationResult<()> {
    diesel::update(items::table.find(item_id))
        .set((
            items::section.eq(valid.section.map(|s| s.as_str())),
            items::document_type_id.eq(valid.document_type_id),
            items::title.eq(&valid.title),
            items::summary.eq(&valid.summary),
            items::url.eq(&valid.url),
            items::published_on.eq(valid.published_on),
            items::language.eq(&valid.language),
            items::organisation.eq(&valid.organisation),
            items::city.eq(&valid.city),
            items::event_country_id.eq(valid.event_country_id),
            items::starts_on.eq(valid.starts_on),
            items::ends_on.eq(valid.ends_on),
            items::scope.eq(valid.scope.as_str()),
            items::source.eq(source),
            items::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    replace_links!(
        conn,
        item_id,
        item_objectives::objective_number,
        valid.objectives
    );
    replace_links!(
        conn,
        item_id,
        item_principles::principle_id,
        valid.principle_ids
    );
    replace_links!(conn, item_id, item_regions::region_id, valid.region_ids);
    replace_links!(conn, item_id, item_countries::country_id, valid.country_ids);
    Ok(())
}

/// A slug from the title plus a random suffix: unique without a round trip, and stable
/// across later edits of the title (node ids are built on it).
fn new_slug(title: &str) -> CurationResult<String> {
    let mut base: String = slugify(title).chars().take(120).collect();
    while base.ends_with('-') {
        base.pop();
    }
    if base.is_empty() {
        base.push_str("submission");
    }
    let mut suffix = [0u8; 5];
    getrandom::fill(&mut suffix).map_err(|e| {
        CurationError::Store(crate::StoreError::Corrupt(format!("no randomness: {e}")))
    })?;
    let hex: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("{base}-{hex}"))
}

/// A reviewer's comment: optional, so it may be blank; several lines.
const COMMENT: TextField = TextField::multiline(limits::COMMENT).blank_allowed();
/// Why an item was retracted: required, several lines.
const REASON: TextField = TextField::multiline(limits::REASON);

fn invalid(field: &'static str, e: Invalid) -> CurationError {
    CurationError::Invalid(vec![super::input::FieldProblem {
        field,
        index: None,
        message: e.0,
    }])
}

fn corrupt_json(e: serde_json::Error) -> CurationError {
    CurationError::Store(crate::StoreError::Corrupt(format!("input as JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Affiliation::{External as Ext, Internal as Int};
    use Decision::{Approve as A, Reject as R, RequestChanges as C};

    #[test]
    fn the_policy_counts_internal_and_external_approvals_and_answers_splits() {
        let p = ReviewPolicy::default();
        assert_eq!(p.outcome(&[(A, Int)]), None);
        assert_eq!(
            p.outcome(&[(A, Ext), (A, Ext)]),
            None,
            "no internal approval"
        );
        assert_eq!(
            p.outcome(&[(A, Int), (A, Ext), (A, Ext)]),
            Some(SubmissionStatus::Published)
        );
        assert_eq!(p.outcome(&[(A, Int), (A, Int), (A, Ext)]), None);
        assert_eq!(p.outcome(&[(R, Ext)]), Some(SubmissionStatus::Rejected));
        assert_eq!(
            p.outcome(&[(A, Int), (C, Ext)]),
            Some(SubmissionStatus::ChangesRequested)
        );
        // A split waits for one more approving reviewer per rejection ...
        let split = [(A, Int), (R, Ext), (A, Ext), (A, Ext)];
        assert_eq!(p.outcome(&split), None);
        let mut settled = split.to_vec();
        settled.push((A, Ext));
        assert_eq!(p.outcome(&settled), Some(SubmissionStatus::Published));
        // ... and a further rejection that outnumbers the approvals rejects it.
        assert_eq!(
            p.outcome(&[(A, Int), (R, Ext), (R, Ext)]),
            Some(SubmissionStatus::Rejected)
        );
        assert_eq!(p.outcome(&[(A, Int), (R, Ext)]), None, "a tie waits");
    }
}
