//! Guidance from UN human-rights mechanisms, per objective, linked to actions and items.

use std::collections::HashMap;

use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Int8, Jsonb, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{group, index};
use crate::StoreResult;
use crate::schema::{guidance_source_actions, guidance_sources, item_guidance_sources};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = guidance_sources)]
pub struct GuidanceRow {
    pub id: i32,
    pub slug: String,
    pub objective_number: i32,
    pub mechanism: gcm_domain::MechanismKind,
    pub body: String,
    pub abbreviation: Option<String>,
    pub year: i32,
    pub symbol: String,
    pub paragraph: String,
    pub guidance: String,
    pub position: i32,
    /// The row's citation as the publication prints it.
    #[diesel(select_expression = source_text("source_as_given"))]
    #[diesel(select_expression_type = SqlLiteral<Nullable<Text>>)]
    pub source_as_given: Option<String>,
    /// The body as the publication names it, when the catalogue resolved it (an abbreviation).
    #[diesel(select_expression = source_text("body_as_given"))]
    #[diesel(select_expression_type = SqlLiteral<Nullable<Text>>)]
    pub body_as_given: Option<String>,
    /// How `body` was derived from `body_as_given`.
    #[diesel(select_expression = source_text("body_resolution"))]
    #[diesel(select_expression_type = SqlLiteral<Nullable<Text>>)]
    pub body_resolution: Option<String>,
    /// The publication that compiled the row, from its guidance file's document (read with
    /// the row, so that a client selecting it costs no statement of its own).
    #[diesel(select_expression = diesel::dsl::sql(PUBLICATION_OF_ROW))]
    #[diesel(select_expression_type = SqlLiteral<Nullable<Jsonb>>)]
    pub publication: Option<serde_json::Value>,
}

/// The publication the row names (`publication` of its record, an `id` the importer
/// checked), or for a row that names none the one its objective's file describes.
const PUBLICATION_OF_ROW: &str = "(SELECT f.document -> 'publication' FROM catalogue_files f \
     WHERE f.document ? 'publication' AND CASE \
       WHEN guidance_sources.source ->> 'publication' IS NOT NULL \
       THEN f.document -> 'publication' ->> 'id' = guidance_sources.source ->> 'publication' \
       ELSE jsonb_typeof(f.document -> 'objective') = 'number' \
        AND (f.document ->> 'objective')::int4 = guidance_sources.objective_number END \
     LIMIT 1)";

/// A text key of the row's source record (keys are the format's own, not input).
fn source_text(key: &'static str) -> SqlLiteral<Nullable<Text>> {
    diesel::dsl::sql(&format!("guidance_sources.source->>'{key}'"))
}

/// What a guidance publication says about one objective and one kind of mechanism: how
/// many rows the catalogue holds, and the publication's own statement (e.g. that there is
/// no such guidance), from the guidance file's document.
#[derive(Debug, Clone, QueryableByName)]
pub struct CoverageRow {
    #[diesel(sql_type = Int4)]
    pub objective_number: i32,
    #[diesel(sql_type = Text)]
    pub mechanism: String,
    #[diesel(sql_type = Int8)]
    pub count: i64,
    #[diesel(sql_type = Nullable<Text>)]
    pub statement: Option<String>,
    /// The publication record as the file gives it.
    #[diesel(sql_type = Jsonb)]
    pub publication: serde_json::Value,
}

/// The coverage rows of each objective a guidance publication covers (others have none).
pub async fn coverage_of_objectives(
    conn: &mut AsyncPgConnection,
    numbers: &[i32],
) -> StoreResult<HashMap<i32, Vec<CoverageRow>>> {
    let rows: Vec<CoverageRow> = diesel::sql_query(include_str!("coverage.sql"))
        .bind::<Array<Int4>, _>(numbers)
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(|r| (r.objective_number, r))))
}

/// Filters of the `guidanceSources` list; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct GuidanceFilter {
    pub objectives: Option<Vec<i32>>,
    pub mechanisms: Option<Vec<gcm_domain::MechanismKind>>,
    pub years: Option<Vec<i32>>,
}

/// The keyset position of a guidance source: lists are ordered by objective, mechanism, position.
pub type GuidanceKey = (i32, gcm_domain::MechanismKind, i32);

pub fn key_of(row: &GuidanceRow) -> GuidanceKey {
    (row.objective_number, row.mechanism, row.position)
}

fn filtered(filter: &GuidanceFilter) -> guidance_sources::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = guidance_sources::table.into_boxed();
    if let Some(numbers) = &filter.objectives {
        query = query.filter(guidance_sources::objective_number.eq_any(numbers.clone()));
    }
    if let Some(mechanisms) = &filter.mechanisms {
        query = query.filter(guidance_sources::mechanism.eq_any(mechanisms.clone()));
    }
    if let Some(years) = &filter.years {
        query = query.filter(guidance_sources::year.eq_any(years.clone()));
    }
    query
}

/// One page in list order after `after` (keyset, no OFFSET); `limit + 1` rows tell if more follow.
pub async fn page(
    conn: &mut AsyncPgConnection,
    filter: &GuidanceFilter,
    after: Option<GuidanceKey>,
    limit: i64,
) -> StoreResult<Vec<GuidanceRow>> {
    let mut query = filtered(filter);
    if let Some((objective, mechanism, position)) = after {
        query = query.filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(objective_number, mechanism, position) > (",
            )
            .bind::<diesel::sql_types::Int4, _>(objective)
            .sql(", ")
            .bind::<diesel::sql_types::Text, _>(mechanism)
            .sql(", ")
            .bind::<diesel::sql_types::Int4, _>(position)
            .sql(")"),
        );
    }
    Ok(query
        .select(GuidanceRow::as_select())
        .order((
            guidance_sources::objective_number,
            guidance_sources::mechanism,
            guidance_sources::position,
        ))
        .limit(limit)
        .load(conn)
        .await?)
}

pub async fn count(conn: &mut AsyncPgConnection, filter: &GuidanceFilter) -> StoreResult<i64> {
    Ok(filtered(filter).count().get_result(conn).await?)
}

pub async fn of_objectives(
    conn: &mut AsyncPgConnection,
    numbers: &[i32],
) -> StoreResult<HashMap<i32, Vec<GuidanceRow>>> {
    let rows: Vec<GuidanceRow> = guidance_sources::table
        .filter(guidance_sources::objective_number.eq_any(numbers))
        .select(GuidanceRow::as_select())
        .order((guidance_sources::mechanism, guidance_sources::position))
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(|g| (g.objective_number, g))))
}

pub async fn of_actions(
    conn: &mut AsyncPgConnection,
    action_ids: &[i32],
) -> StoreResult<HashMap<i32, Vec<GuidanceRow>>> {
    let rows: Vec<(i32, GuidanceRow)> = guidance_source_actions::table
        .inner_join(guidance_sources::table)
        .filter(guidance_source_actions::action_id.eq_any(action_ids))
        .select((guidance_source_actions::action_id, GuidanceRow::as_select()))
        .order((guidance_sources::mechanism, guidance_sources::position))
        .load(conn)
        .await?;
    Ok(group(rows))
}

pub async fn of_items(
    conn: &mut AsyncPgConnection,
    item_ids: &[i32],
) -> StoreResult<HashMap<i32, Vec<GuidanceRow>>> {
    let rows: Vec<(i32, GuidanceRow)> = item_guidance_sources::table
        .inner_join(guidance_sources::table)
        .filter(item_guidance_sources::item_id.eq_any(item_ids))
        .select((item_guidance_sources::item_id, GuidanceRow::as_select()))
        .order((
            guidance_sources::objective_number,
            guidance_sources::mechanism,
            guidance_sources::position,
        ))
        .load(conn)
        .await?;
    Ok(group(rows))
}

pub async fn by_slugs(
    conn: &mut AsyncPgConnection,
    slugs: &[String],
) -> StoreResult<HashMap<String, GuidanceRow>> {
    let rows = guidance_sources::table
        .filter(guidance_sources::slug.eq_any(slugs))
        .select(GuidanceRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |g| g.slug.clone()))
}
