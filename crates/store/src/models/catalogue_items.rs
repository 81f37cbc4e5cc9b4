//! Catalogue items (resources, events, projects) and their many-to-many links.
//! Public reads see published items only.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use gcm_domain::{ItemKind, ItemStatus, ResourceSection, Scope, TitleProvenance};

use super::objectives::ObjectiveRow;
use super::{group, index};
use crate::StoreResult;
use crate::schema::{item_guidance_sources, item_objectives, items, objectives};

pub const PUBLISHED: ItemStatus = ItemStatus::Published;

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = items)]
pub struct ItemRow {
    pub id: i32,
    pub slug: String,
    pub kind: ItemKind,
    pub section: Option<ResourceSection>,
    pub document_type_id: Option<i32>,
    pub title: Option<String>,
    pub title_provenance: TitleProvenance,
    pub summary: String,
    pub summary_truncated: bool,
    pub url: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub language: Option<String>,
    pub organisation: Option<String>,
    pub city: Option<String>,
    pub event_country_id: Option<i32>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub scope: Scope,
    pub status: ItemStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    // The sort keys are generated columns, which PostgreSQL (and so print-schema) calls
    // nullable; their expressions never yield NULL (see the catalogue migration).
    #[diesel(
        sql_type = diesel::sql_types::Int2,
        select_expression = items::scope_rank.assume_not_null(),
        select_expression_type = diesel::dsl::AssumeNotNull<items::scope_rank>
    )]
    pub scope_rank: i16,
    #[diesel(
        sql_type = diesel::sql_types::Int4,
        select_expression = items::age_rank.assume_not_null(),
        select_expression_type = diesel::dsl::AssumeNotNull<items::age_rank>
    )]
    pub age_rank: i32,
    #[diesel(
        sql_type = diesel::sql_types::Text,
        select_expression = items::title_key.assume_not_null(),
        select_expression_type = diesel::dsl::AssumeNotNull<items::title_key>
    )]
    pub title_key: String,
}

/// The columns of [`ItemRow`] for hand-written SQL, qualified with the alias `i`.
pub const ITEM_COLUMNS: &str = "i.id, i.slug, i.kind, i.section, i.document_type_id, i.title, \
    i.title_provenance, i.summary, i.summary_truncated, i.url, i.published_on, i.language, \
    i.organisation, i.city, i.event_country_id, i.starts_on, i.ends_on, i.scope, i.status, \
    i.created_at, i.updated_at, i.scope_rank, i.age_rank, i.title_key";

pub async fn published_by_slugs(
    conn: &mut AsyncPgConnection,
    slugs: &[String],
) -> StoreResult<HashMap<String, ItemRow>> {
    let rows = items::table
        .filter(items::slug.eq_any(slugs))
        .filter(items::status.eq(PUBLISHED))
        .select(ItemRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |i| i.slug.clone()))
}

/// Published items linked to each guidance source, in the Hub's order (global first).
pub async fn published_of_guidance(
    conn: &mut AsyncPgConnection,
    guidance_ids: &[i32],
) -> StoreResult<HashMap<i32, Vec<ItemRow>>> {
    let rows: Vec<(i32, ItemRow)> = item_guidance_sources::table
        .inner_join(items::table)
        .filter(item_guidance_sources::guidance_source_id.eq_any(guidance_ids))
        .filter(items::status.eq(PUBLISHED))
        .select((
            item_guidance_sources::guidance_source_id,
            ItemRow::as_select(),
        ))
        .order((items::scope_rank, items::age_rank, items::id))
        .load(conn)
        .await?;
    Ok(group(rows))
}

pub async fn objectives_of_items(
    conn: &mut AsyncPgConnection,
    item_ids: &[i32],
) -> StoreResult<HashMap<i32, Vec<ObjectiveRow>>> {
    let rows: Vec<(i32, ObjectiveRow)> = item_objectives::table
        .inner_join(objectives::table)
        .filter(item_objectives::item_id.eq_any(item_ids))
        .select((item_objectives::item_id, ObjectiveRow::as_select()))
        .order(objectives::number)
        .load(conn)
        .await?;
    Ok(group(rows))
}

/// Where an item's scope, regions and countries come from.
#[derive(Debug, Clone)]
pub struct GeographyRow {
    /// The curators' reason for the links (`links.json`), when they gave one.
    pub reason: Option<String>,
    /// True when a contributor submitted the item (its geography is theirs, checked in review).
    pub submitted: bool,
}

/// An item's place on the Hub page (sort `HUB`): its position within its section on the
/// page of `objective_number`.
#[derive(Debug, Clone)]
pub struct HubPositionRow {
    pub objective_number: i32,
    pub position: i32,
}

/// The places of the items the Hub places; an unplaced item has no entry.
pub async fn hub_positions_of_items(
    conn: &mut AsyncPgConnection,
    item_ids: &[i32],
) -> StoreResult<HashMap<i32, HubPositionRow>> {
    let rows: Vec<(i32, i32, Option<i32>)> = item_objectives::table
        .filter(item_objectives::item_id.eq_any(item_ids))
        .filter(item_objectives::hub_position.is_not_null())
        .select((
            item_objectives::item_id,
            item_objectives::objective_number,
            item_objectives::hub_position,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, objective_number, position)| {
            Some((
                id,
                HubPositionRow {
                    objective_number,
                    position: position?,
                },
            ))
        })
        .collect())
}

pub async fn geography_of_items(
    conn: &mut AsyncPgConnection,
    item_ids: &[i32],
) -> StoreResult<HashMap<i32, GeographyRow>> {
    use crate::schema::submissions;
    let rows: Vec<(i32, Option<String>, bool)> = items::table
        .filter(items::id.eq_any(item_ids))
        .select((
            items::id,
            items::geography_reason,
            diesel::dsl::exists(submissions::table.filter(submissions::item_id.eq(items::id))),
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, reason, submitted)| (id, GeographyRow { reason, submitted }))
        .collect())
}
