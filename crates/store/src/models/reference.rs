//! Small reference lists: guiding principles, regions, document types.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{group, index};
use crate::StoreResult;
use crate::schema::{document_types, guiding_principles, item_principles, item_regions, regions};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = guiding_principles)]
pub struct PrincipleRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = regions)]
pub struct RegionRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub m49_code: String,
    pub position: i32,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = document_types)]
pub struct DocumentTypeRow {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub position: i32,
}

pub async fn all_principles(conn: &mut AsyncPgConnection) -> StoreResult<Vec<PrincipleRow>> {
    Ok(guiding_principles::table
        .select(PrincipleRow::as_select())
        .order(guiding_principles::position)
        .load(conn)
        .await?)
}

pub async fn principles_by_slugs(
    conn: &mut AsyncPgConnection,
    slugs: &[String],
) -> StoreResult<HashMap<String, PrincipleRow>> {
    let rows = guiding_principles::table
        .filter(guiding_principles::slug.eq_any(slugs))
        .select(PrincipleRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |p| p.slug.clone()))
}

pub async fn principles_of_items(
    conn: &mut AsyncPgConnection,
    item_ids: &[i32],
) -> StoreResult<HashMap<i32, Vec<PrincipleRow>>> {
    let rows: Vec<(i32, PrincipleRow)> = item_principles::table
        .inner_join(guiding_principles::table)
        .filter(item_principles::item_id.eq_any(item_ids))
        .select((item_principles::item_id, PrincipleRow::as_select()))
        .order(guiding_principles::position)
        .load(conn)
        .await?;
    Ok(group(rows))
}

pub async fn all_regions(conn: &mut AsyncPgConnection) -> StoreResult<Vec<RegionRow>> {
    Ok(regions::table
        .select(RegionRow::as_select())
        .order(regions::position)
        .load(conn)
        .await?)
}

pub async fn regions_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[i32],
) -> StoreResult<HashMap<i32, RegionRow>> {
    let rows = regions::table
        .filter(regions::id.eq_any(ids))
        .select(RegionRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |r| r.id))
}

pub async fn regions_by_slugs(
    conn: &mut AsyncPgConnection,
    slugs: &[String],
) -> StoreResult<HashMap<String, RegionRow>> {
    let rows = regions::table
        .filter(regions::slug.eq_any(slugs))
        .select(RegionRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |r| r.slug.clone()))
}

pub async fn regions_of_items(
    conn: &mut AsyncPgConnection,
    item_ids: &[i32],
) -> StoreResult<HashMap<i32, Vec<RegionRow>>> {
    let rows: Vec<(i32, RegionRow)> = item_regions::table
        .inner_join(regions::table)
        .filter(item_regions::item_id.eq_any(item_ids))
        .select((item_regions::item_id, RegionRow::as_select()))
        .order(regions::position)
        .load(conn)
        .await?;
    Ok(group(rows))
}

pub async fn all_document_types(conn: &mut AsyncPgConnection) -> StoreResult<Vec<DocumentTypeRow>> {
    Ok(document_types::table
        .select(DocumentTypeRow::as_select())
        .order(document_types::position)
        .load(conn)
        .await?)
}

pub async fn document_types_by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[i32],
) -> StoreResult<HashMap<i32, DocumentTypeRow>> {
    let rows = document_types::table
        .filter(document_types::id.eq_any(ids))
        .select(DocumentTypeRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |d| d.id))
}

pub async fn document_types_by_slugs(
    conn: &mut AsyncPgConnection,
    slugs: &[String],
) -> StoreResult<HashMap<String, DocumentTypeRow>> {
    let rows = document_types::table
        .filter(document_types::slug.eq_any(slugs))
        .select(DocumentTypeRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |d| d.slug.clone()))
}
