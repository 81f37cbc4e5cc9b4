//! Countries (and the entities the Hub lists with them).

use std::collections::HashMap;

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{group, index};
use crate::StoreResult;
use crate::schema::{countries, item_countries, regions};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = countries)]
pub struct CountryRow {
    pub id: i32,
    pub iso2: String,
    pub iso3: String,
    pub name: String,
    pub slug: String,
    pub kind: gcm_domain::CountryKind,
    pub region_id: i32,
    pub position: i32,
}

/// Every country in the Hub's (alphabetical) menu order, optionally of one region.
pub async fn all(
    conn: &mut AsyncPgConnection,
    region_slug: Option<&str>,
) -> StoreResult<Vec<CountryRow>> {
    let mut query = countries::table
        .inner_join(regions::table)
        .select(CountryRow::as_select())
        .order(countries::position)
        .into_boxed();
    if let Some(slug) = region_slug {
        query = query.filter(regions::slug.eq(slug.to_owned()));
    }
    Ok(query.load(conn).await?)
}

pub async fn by_ids(
    conn: &mut AsyncPgConnection,
    ids: &[i32],
) -> StoreResult<HashMap<i32, CountryRow>> {
    let rows = countries::table
        .filter(countries::id.eq_any(ids))
        .select(CountryRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |c| c.id))
}

pub async fn by_iso3(
    conn: &mut AsyncPgConnection,
    codes: &[String],
) -> StoreResult<HashMap<String, CountryRow>> {
    let rows = countries::table
        .filter(countries::iso3.eq_any(codes))
        .select(CountryRow::as_select())
        .load(conn)
        .await?;
    Ok(index(rows, |c| c.iso3.clone()))
}

pub async fn of_regions(
    conn: &mut AsyncPgConnection,
    region_ids: &[i32],
) -> StoreResult<HashMap<i32, Vec<CountryRow>>> {
    let rows: Vec<CountryRow> = countries::table
        .filter(countries::region_id.eq_any(region_ids))
        .select(CountryRow::as_select())
        .order(countries::position)
        .load(conn)
        .await?;
    Ok(group(rows.into_iter().map(|c| (c.region_id, c))))
}

pub async fn of_items(
    conn: &mut AsyncPgConnection,
    item_ids: &[i32],
) -> StoreResult<HashMap<i32, Vec<CountryRow>>> {
    let rows: Vec<(i32, CountryRow)> = item_countries::table
        .inner_join(countries::table)
        .filter(item_countries::item_id.eq_any(item_ids))
        .select((item_countries::item_id, CountryRow::as_select()))
        .order(countries::position)
        .load(conn)
        .await?;
    Ok(group(rows))
}
