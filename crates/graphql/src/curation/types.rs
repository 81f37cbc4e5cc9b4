//! The curation types: submissions with their reviews, the submission inputs, the audit trail.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use gcm_store::curation::Role;
use gcm_store::curation::audit::AuditRow;
use gcm_store::curation::input::ItemInput;
use gcm_store::curation::submissions::{ReviewView, SubmissionRow};
use gcm_store::models::catalogue_items::ItemRow;

use super::Caller;
use crate::error::{ApiError, ApiResult};
use crate::limits::directives::{design, list_size};
use crate::types::connection::PageInfo;
use crate::types::enums::ResourceSection;
use crate::types::item::CatalogueItem;
use crate::types::scalars::Date;

const SUBMISSION_PREFIX: &str = "Submission:";

pub fn submission_id(id: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{SUBMISSION_PREFIX}{id}")))
}

pub fn parse_submission_id(id: &ID) -> Result<i32, ApiError> {
    let invalid = || ApiError::bad_input(format!("{:?} is not a submission id", id.as_str()));
    if id.len() > 64 {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD.decode(id.as_str()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix(SUBMISSION_PREFIX)
        .and_then(|n| n.parse::<i32>().ok())
        .filter(|n| *n > 0)
        .ok_or_else(invalid)
}

/// Where a submission stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "gcm_domain::SubmissionStatus")]
pub enum SubmissionStatus {
    /// Waiting for reviews.
    UnderReview,
    /// A reviewer asked for changes; the contributor may update it.
    ChangesRequested,
    /// Reviewed and public.
    Published,
    /// Turned down by its reviewers.
    Rejected,
    /// Taken back by its contributor.
    Withdrawn,
    /// Taken out of the public catalogue by an admin after publication.
    Retracted,
}

/// A reviewer's decision on a submission.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "gcm_domain::Decision")]
pub enum ReviewDecision {
    /// Publish it (counts towards the internal or external threshold).
    Approve,
    /// Send it back to its contributor for changes.
    RequestChanges,
    /// Turn it down.
    Reject,
}

/// Whom a reviewer's key belongs to.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "gcm_domain::Affiliation")]
pub enum Affiliation {
    /// A UN reviewer.
    Internal,
    /// A reviewer outside the UN.
    External,
}

pub struct Review {
    pub view: ReviewView,
    /// The caller may not see the reviewer's name.
    pub anonymous: bool,
}

/// One reviewer's decision.
#[Object]
impl Review {
    /// The reviewer's key name; null for the submission's contributor unless the reviewer's
    /// key is public (reviewers and admins always see it).
    async fn reviewer(&self) -> Option<&str> {
        (!self.anonymous).then_some(self.view.reviewer.as_str())
    }

    /// The reviewer's affiliation, which decides the threshold the review counts towards.
    async fn affiliation(&self) -> Affiliation {
        self.view.affiliation.into()
    }

    /// What the reviewer decided.
    async fn decision(&self) -> ReviewDecision {
        self.view.decision.into()
    }

    /// The reviewer's reasons, if given.
    async fn comment(&self) -> Option<&str> {
        self.view.comment.as_deref()
    }

    /// The review round: every update of the submission starts a new one, and only the
    /// current round's reviews count.
    async fn round(&self) -> i32 {
        self.view.round
    }

    /// When the review was made (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.view.at
    }
}

#[derive(Clone)]
pub struct Submission {
    pub row: SubmissionRow,
    pub item: ItemRow,
    pub reviews: Vec<ReviewView>,
}

/// An item proposed by a contributor, and where its review stands.
#[Object]
impl Submission {
    /// Opaque id of the submission.
    async fn id(&self) -> ID {
        submission_id(self.row.id)
    }

    /// Where the submission stands.
    async fn status(&self) -> SubmissionStatus {
        self.row.status.into()
    }

    /// The item as submitted (visible to the public once published).
    async fn item(&self) -> ApiResult<CatalogueItem> {
        Ok(CatalogueItem::from_row(self.item.clone())?)
    }

    /// Every review, oldest first, earlier rounds included; reviews withdrawn since (their
    /// reviewer declared a conflict or their key was revoked) are left out.
    #[graphql(directive = list_size::apply(Some(design::SUBMISSION_REVIEWS), None, None, None))]
    async fn reviews(&self, ctx: &Context<'_>) -> Vec<Review> {
        // Contributors see what was decided and why, not who decided it.
        let contributor = matches!(
            ctx.data_opt::<Caller>(),
            Some(Caller::Key(who)) if who.role == Role::Contributor && who.key_id == self.row.submitter_id
        );
        self.reviews
            .iter()
            .cloned()
            .map(|view| Review {
                anonymous: contributor && !view.reviewer_public,
                view,
            })
            .collect()
    }

    /// The current review round (the same number as `revision`).
    async fn round(&self) -> i32 {
        self.row.round
    }

    /// The content's revision: 1 when submitted, incremented by every `updateSubmission`.
    /// Pass it to `reviewSubmission`: a review of an earlier revision is refused.
    async fn revision(&self) -> i32 {
        self.row.round
    }

    /// When it was submitted (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }

    /// When it last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
}

/// A resource to publish: a document, a training or guidance, or a video.
#[derive(InputObject, Debug, Clone)]
pub struct SubmitResourceInput {
    /// 1 to 500 characters.
    pub title: String,
    /// 1 to 10000 characters.
    pub summary: String,
    /// Where it can be read or watched: http(s), at most 2000 characters.
    pub url: Option<String>,
    /// The Hub section it is listed under.
    pub section: ResourceSection,
    /// Document-type slug, e.g. `guidelines-toolkits-manuals`.
    pub document_type: Option<String>,
    /// Objective numbers (1 to 23); at least one.
    pub objectives: Vec<i32>,
    /// Guiding-principle slugs.
    #[graphql(default)]
    pub principles: Vec<String>,
    /// Region slugs.
    #[graphql(default)]
    pub regions: Vec<String>,
    /// ISO 3166-1 alpha-3 codes.
    #[graphql(default)]
    pub countries: Vec<String>,
    /// Publication date.
    pub published_on: Option<Date>,
    /// ISO 639-1 language code, e.g. `es`.
    pub language: Option<String>,
    /// Publisher, at most 300 characters.
    pub organisation: Option<String>,
}

/// An event to publish.
#[derive(InputObject, Debug, Clone)]
pub struct SubmitEventInput {
    /// 1 to 500 characters.
    pub title: String,
    /// 1 to 10000 characters.
    pub summary: String,
    /// Where it can be read or watched: http(s), at most 2000 characters.
    pub url: Option<String>,
    /// Objective numbers (1 to 23); at least one.
    pub objectives: Vec<i32>,
    /// Guiding-principle slugs.
    #[graphql(default)]
    pub principles: Vec<String>,
    /// Region slugs.
    #[graphql(default)]
    pub regions: Vec<String>,
    /// ISO 3166-1 alpha-3 codes.
    #[graphql(default)]
    pub countries: Vec<String>,
    /// Organiser or publisher, at most 300 characters.
    pub organisation: Option<String>,
    /// Events only: the city, at most 200 characters.
    pub city: Option<String>,
    /// ISO 3166-1 alpha-3 code of the country the event takes place in.
    pub country: Option<String>,
    /// Events only: the first day.
    pub starts_on: Option<Date>,
    /// Events only: the last day (not before `startsOn`).
    pub ends_on: Option<Date>,
}

/// A project to publish.
#[derive(InputObject, Debug, Clone)]
pub struct SubmitProjectInput {
    /// 1 to 500 characters.
    pub title: String,
    /// 1 to 10000 characters.
    pub summary: String,
    /// Where it can be read or watched: http(s), at most 2000 characters.
    pub url: Option<String>,
    /// Objective numbers (1 to 23); at least one.
    pub objectives: Vec<i32>,
    /// Guiding-principle slugs.
    #[graphql(default)]
    pub principles: Vec<String>,
    /// Region slugs.
    #[graphql(default)]
    pub regions: Vec<String>,
    /// ISO 3166-1 alpha-3 codes.
    #[graphql(default)]
    pub countries: Vec<String>,
    /// Organiser or publisher, at most 300 characters.
    pub organisation: Option<String>,
}

/// The new content of a submission, replacing the old one whole. Fields that do not
/// belong to the submission's kind must stay empty (they are refused, with their path).
#[derive(InputObject, Debug, Clone)]
pub struct UpdateSubmissionInput {
    /// 1 to 500 characters.
    pub title: String,
    /// 1 to 10000 characters.
    pub summary: String,
    /// Where it can be read or watched: http(s), at most 2000 characters.
    pub url: Option<String>,
    /// Resources only: the Hub section it is listed under.
    pub section: Option<ResourceSection>,
    /// Resources only: document-type slug, e.g. `analysis`.
    pub document_type: Option<String>,
    /// Objective numbers (1 to 23); at least one.
    pub objectives: Vec<i32>,
    /// Guiding-principle slugs.
    #[graphql(default)]
    pub principles: Vec<String>,
    /// Region slugs.
    #[graphql(default)]
    pub regions: Vec<String>,
    /// ISO 3166-1 alpha-3 codes.
    #[graphql(default)]
    pub countries: Vec<String>,
    /// Resources only: publication date.
    pub published_on: Option<Date>,
    /// Resources only: ISO 639-1 language code, e.g. `es`.
    pub language: Option<String>,
    /// Organiser or publisher, at most 300 characters.
    pub organisation: Option<String>,
    /// Events only: the city, at most 200 characters.
    pub city: Option<String>,
    /// Events only: ISO 3166-1 alpha-3 code of the country it takes place in.
    pub country: Option<String>,
    /// Events only: the first day.
    pub starts_on: Option<Date>,
    /// Events only: the last day (not before `startsOn`).
    pub ends_on: Option<Date>,
}

fn section(s: ResourceSection) -> String {
    gcm_domain::ResourceSection::from(s).as_str().to_owned()
}

impl From<SubmitResourceInput> for ItemInput {
    fn from(i: SubmitResourceInput) -> Self {
        ItemInput {
            title: i.title,
            summary: i.summary,
            url: i.url,
            section: Some(section(i.section)),
            document_type: i.document_type,
            objectives: i.objectives,
            principles: i.principles,
            regions: i.regions,
            countries: i.countries,
            published_on: i.published_on.map(|d| d.0),
            language: i.language,
            organisation: i.organisation,
            ..ItemInput::default()
        }
    }
}

impl From<SubmitEventInput> for ItemInput {
    fn from(i: SubmitEventInput) -> Self {
        ItemInput {
            title: i.title,
            summary: i.summary,
            url: i.url,
            objectives: i.objectives,
            principles: i.principles,
            regions: i.regions,
            countries: i.countries,
            organisation: i.organisation,
            city: i.city,
            country: i.country,
            starts_on: i.starts_on.map(|d| d.0),
            ends_on: i.ends_on.map(|d| d.0),
            ..ItemInput::default()
        }
    }
}

impl From<SubmitProjectInput> for ItemInput {
    fn from(i: SubmitProjectInput) -> Self {
        ItemInput {
            title: i.title,
            summary: i.summary,
            url: i.url,
            objectives: i.objectives,
            principles: i.principles,
            regions: i.regions,
            countries: i.countries,
            organisation: i.organisation,
            ..ItemInput::default()
        }
    }
}

impl From<UpdateSubmissionInput> for ItemInput {
    fn from(i: UpdateSubmissionInput) -> Self {
        ItemInput {
            title: i.title,
            summary: i.summary,
            url: i.url,
            section: i.section.map(section),
            document_type: i.document_type,
            objectives: i.objectives,
            principles: i.principles,
            regions: i.regions,
            countries: i.countries,
            published_on: i.published_on.map(|d| d.0),
            language: i.language,
            organisation: i.organisation,
            city: i.city,
            country: i.country,
            starts_on: i.starts_on.map(|d| d.0),
            ends_on: i.ends_on.map(|d| d.0),
        }
    }
}

/// One change to the catalogue or its curation.
#[derive(SimpleObject, Clone)]
pub struct AuditEntry {
    /// Opaque; pass it as `after` to read the entries that follow.
    pub cursor: String,
    /// The key name of who made the change (`operator (command line)` for the CLI).
    pub actor: String,
    /// E.g. `submission.submit_resource`, `submission.review.approve`, `item.retract`, `key.revoke`.
    pub action: String,
    /// What changed, e.g. `Submission:12` or `Item:<slug>`.
    pub subject: String,
    /// When the change was made (UTC).
    pub at: DateTime<Utc>,
    /// The record before the change (null for a creation).
    pub before: Option<async_graphql::Json<serde_json::Value>>,
    /// The record after the change.
    pub after: Option<async_graphql::Json<serde_json::Value>>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        AuditEntry {
            cursor: URL_SAFE_NO_PAD.encode(format!("Audit:{}", row.id)),
            actor: row.actor_name,
            action: row.action,
            subject: row.subject,
            at: row.at,
            before: row.before.map(async_graphql::Json),
            after: row.after.map(async_graphql::Json),
        }
    }
}

/// The key a curation list's cursor (`<prefix><key>`, base64) names, or `INVALID_CURSOR`
/// naming the list.
fn parse_cursor<K: std::str::FromStr>(
    cursor: &str,
    prefix: &str,
    list: &str,
) -> Result<K, ApiError> {
    let invalid = || ApiError::InvalidCursor(format!("{cursor:?} is not a cursor of {list}"));
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix(prefix)
        .and_then(|n| n.parse().ok())
        .ok_or_else(invalid)
}

pub fn parse_audit_cursor(cursor: &str) -> Result<i64, ApiError> {
    parse_cursor(cursor, "Audit:", "the audit log")
}

const SUBMISSION_CURSOR: &str = "SubmissionCursor:";

/// The opaque cursor of a submission in a curation list.
pub fn submission_cursor(id: i32) -> String {
    URL_SAFE_NO_PAD.encode(format!("{SUBMISSION_CURSOR}{id}"))
}

pub fn parse_submission_cursor(cursor: &str) -> Result<i32, ApiError> {
    parse_cursor(cursor, SUBMISSION_CURSOR, "a submission list")
}

/// One submission of a curation list with its cursor.
#[derive(SimpleObject)]
pub struct SubmissionEdge {
    /// Opaque; pass it as `after` to read the submissions that follow.
    pub cursor: String,
    pub node: Submission,
}

/// A page of a curation list of submissions: a Relay connection like every other list.
pub struct SubmissionConnection {
    pub submissions: Vec<Submission>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    /// What `totalCount` counts, read only when a client selects it.
    pub list: gcm_store::curation::submissions::SubmissionList,
}

/// A page of a curation list of submissions: a Relay connection like every other list.
#[Object]
impl SubmissionConnection {
    /// The page's submissions with their cursors.
    async fn edges(&self) -> Vec<SubmissionEdge> {
        self.submissions
            .iter()
            .map(|s| SubmissionEdge {
                cursor: submission_cursor(s.row.id),
                node: s.clone(),
            })
            .collect()
    }

    /// The page's submissions.
    async fn nodes(&self) -> &[Submission] {
        &self.submissions
    }

    /// Where the page sits in the list.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            start_cursor: self
                .submissions
                .first()
                .map(|s| submission_cursor(s.row.id)),
            end_cursor: self.submissions.last().map(|s| submission_cursor(s.row.id)),
        }
    }

    /// How many submissions the list holds, over all pages (one count statement).
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let mut conn = crate::query::primary_conn(ctx).await?;
        gcm_store::curation::submissions::count(&mut conn, self.list)
            .await
            .map_err(super::curation_error)
    }
}

/// One entry of the audit trail with its cursor.
#[derive(SimpleObject)]
pub struct AuditEntryEdge {
    /// Opaque; pass it as `after` to read the entries that follow.
    pub cursor: String,
    pub node: AuditEntry,
}

/// A page of the audit trail, oldest first: a Relay connection like every other list.
pub struct AuditEntryConnection {
    pub entries: Vec<AuditEntry>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    /// What `totalCount` counts, read only when a client selects it.
    pub filter: gcm_store::curation::audit::AuditFilter,
}

/// A page of the audit trail, oldest first: a Relay connection like every other list.
#[Object]
impl AuditEntryConnection {
    /// The page's entries with their cursors.
    async fn edges(&self) -> Vec<AuditEntryEdge> {
        self.entries
            .iter()
            .map(|e| AuditEntryEdge {
                cursor: e.cursor.clone(),
                node: e.clone(),
            })
            .collect()
    }

    /// The page's entries.
    async fn nodes(&self) -> &[AuditEntry] {
        &self.entries
    }

    /// Where the page sits in the trail.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_next_page: self.has_next_page,
            has_previous_page: self.has_previous_page,
            start_cursor: self.entries.first().map(|e| e.cursor.clone()),
            end_cursor: self.entries.last().map(|e| e.cursor.clone()),
        }
    }

    /// How many entries match the filter, over all pages (one count statement).
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let mut conn = crate::query::primary_conn(ctx).await?;
        gcm_store::curation::audit::count(&mut conn, &self.filter)
            .await
            .map_err(super::curation_error)
    }

    /// The page's entries.
    #[graphql(
        deprecation = "Use `nodes` (or `edges`): the audit log is a connection like every other list."
    )]
    async fn entries(&self) -> &[AuditEntry] {
        &self.entries
    }

    /// True when more entries follow `endCursor`.
    #[graphql(deprecation = "Use `pageInfo { hasNextPage }`.")]
    async fn has_next_page(&self) -> bool {
        self.has_next_page
    }

    /// The cursor of the last entry, to pass as `after`.
    #[graphql(deprecation = "Use `pageInfo { endCursor }`.")]
    async fn end_cursor(&self) -> Option<String> {
        self.entries.last().map(|e| e.cursor.clone())
    }
}

/// An item's curated links; each list given replaces the stored one, an omitted list is kept.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ItemLinksInput {
    /// Objective numbers (1 to 23); at least one.
    pub objectives: Option<Vec<i32>>,
    /// Action codes, e.g. `22b`.
    pub actions: Option<Vec<String>>,
    /// Guidance-source slugs.
    pub guidance_sources: Option<Vec<String>>,
    /// ISO 3166-1 alpha-3 codes.
    pub countries: Option<Vec<String>>,
    /// Region slugs.
    pub regions: Option<Vec<String>>,
    /// The item's scope (omitted: kept). With the lists it must follow the catalogue's
    /// rule: a global item has no regions and no countries, a regional one at least one
    /// region, a national one at least one country.
    pub scope: Option<crate::types::enums::Scope>,
}

/// An item's place on the Hub page (sort `HUB`).
#[derive(InputObject, Debug, Clone)]
pub struct SetHubPositionInput {
    /// The item's global id (a resource, event or project).
    pub id: ID,
    /// The objective whose page places it: the item's first objective, the one whose file
    /// the export lists it in.
    pub objective: i32,
    /// Its position in its section on that page, 1 to 100000000, not held by another
    /// item; null takes its place away (`HUB` then lists it after the placed items).
    pub position: Option<i32>,
}

/// Narrows the audit trail; fields combine with AND.
#[derive(InputObject, Debug, Clone, Default)]
pub struct AuditFilter {
    /// An action, e.g. `item.retract`.
    pub action: Option<String>,
    /// A key name.
    pub actor: Option<String>,
    /// A subject, e.g. `Submission:12`.
    pub subject: Option<String>,
}
