//! The append-only audit trail: who changed what, when, and the record before and after.
//! Written by every change inside its own transaction; the table refuses updates and deletes.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

use super::CurationResult;
use super::keys::Identity;
use crate::schema::audit_log;

/// Who the trail names for changes made from the command line rather than with a key.
pub const OPERATOR: &str = "operator (command line)";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub actor_id: Option<i32>,
    pub actor_name: String,
    pub action: String,
    pub subject: String,
    pub at: DateTime<Utc>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Appends one record; call it inside the transaction of the change it describes.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: Option<&Identity>,
    action: &str,
    subject: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> CurationResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_id.eq(actor.map(|a| a.key_id)),
            audit_log::actor_name.eq(actor.map_or(OPERATOR, |a| a.name.as_str())),
            audit_log::action.eq(action),
            audit_log::subject.eq(subject),
            audit_log::before.eq(before),
            audit_log::after.eq(after),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Narrows the trail; every field is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub subject: Option<String>,
}

/// The trail narrowed by `filter`, oldest first.
fn filtered(filter: &AuditFilter) -> audit_log::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = audit_log::table.into_boxed();
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::actor_name.eq(actor.clone()));
    }
    if let Some(subject) = &filter.subject {
        query = query.filter(audit_log::subject.eq(subject.clone()));
    }
    query
}

/// Up to `first` records after the record `after` (oldest first), plus whether more follow.
pub async fn page(
    conn: &mut AsyncPgConnection,
    first: i64,
    after: Option<i64>,
    filter: &AuditFilter,
) -> CurationResult<(Vec<AuditRow>, bool)> {
    let mut query = filtered(filter)
        .select(AuditRow::as_select())
        .order(audit_log::id)
        .limit(first + 1);
    if let Some(after) = after {
        query = query.filter(audit_log::id.gt(after));
    }
    let mut rows = query.load(conn).await?;
    let more = rows.len() as i64 > first;
    rows.truncate(usize::try_from(first).unwrap_or(0));
    Ok((rows, more))
}

/// How many records match `filter`, whatever the page.
pub async fn count(conn: &mut AsyncPgConnection, filter: &AuditFilter) -> CurationResult<i64> {
    Ok(filtered(filter).count().get_result(conn).await?)
}
