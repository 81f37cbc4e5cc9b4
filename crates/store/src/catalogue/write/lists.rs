//! The reference lists (principles, regions, countries, document types) and the
//! instruments: upserts by natural key, reordered through parked positions.

use diesel::sql_types::{Array, Int4, Jsonb, Nullable, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{fill, ints, optional_strings, sources, strings};
use crate::StoreError;
use crate::catalogue::model::Catalogue;

const PARK_POSITIONS: &str = include_str!("park_positions.sql");
const RENUMBER_PARKED: &str = include_str!("renumber_parked.sql");
const UPSERT_PRINCIPLES: &str = include_str!("upsert_principles.sql");
const UPSERT_REGIONS: &str = include_str!("upsert_regions.sql");
const UPSERT_COUNTRIES: &str = include_str!("upsert_countries.sql");
const UPSERT_DOCUMENT_TYPES: &str = include_str!("upsert_document_types.sql");
const UPSERT_INSTRUMENTS: &str = include_str!("upsert_instruments.sql");
const REPLACE_OBJECTIVE_INSTRUMENTS: &str = include_str!("replace_objective_instruments.sql");

/// Moves out of the way every row whose position is about to change or be taken by
/// another row (step 1 of a reorder; [`renumber_parked`] is step 3).
async fn park_positions(
    conn: &mut AsyncPgConnection,
    table: &str,
    key: &str,
    keys: Vec<String>,
    positions: Vec<i32>,
) -> Result<(), StoreError> {
    diesel::sql_query(fill(PARK_POSITIONS, &[("table", table), ("key", key)]))
        .bind::<Array<Text>, _>(keys)
        .bind::<Array<Int4>, _>(positions)
        .execute(conn)
        .await?;
    Ok(())
}

/// Rows that are not in the input and are still parked go after the input's rows, in
/// their former order.
async fn renumber_parked(conn: &mut AsyncPgConnection, table: &str) -> Result<(), StoreError> {
    diesel::sql_query(fill(RENUMBER_PARKED, &[("table", table)]))
        .execute(conn)
        .await?;
    Ok(())
}

pub(super) async fn write_principles(
    conn: &mut AsyncPgConnection,
    c: &Catalogue,
) -> Result<(), StoreError> {
    let p = &c.principles;
    park_positions(
        conn,
        "guiding_principles",
        "slug",
        strings(p, |p| &p.slug),
        ints(p, |p| p.position),
    )
    .await?;
    diesel::sql_query(UPSERT_PRINCIPLES)
        .bind::<Array<Text>, _>(strings(p, |p| &p.slug))
        .bind::<Array<Text>, _>(strings(p, |p| &p.name))
        .bind::<Array<Int4>, _>(ints(p, |p| p.position))
        .bind::<Array<Jsonb>, _>(sources(p, |p| &p.source))
        .execute(conn)
        .await?;
    renumber_parked(conn, "guiding_principles").await
}

pub(super) async fn write_regions(
    conn: &mut AsyncPgConnection,
    c: &Catalogue,
) -> Result<(), StoreError> {
    let r = &c.regions;
    park_positions(
        conn,
        "regions",
        "slug",
        strings(r, |r| &r.slug),
        ints(r, |r| r.position),
    )
    .await?;
    diesel::sql_query(UPSERT_REGIONS)
        .bind::<Array<Text>, _>(strings(r, |r| &r.slug))
        .bind::<Array<Text>, _>(strings(r, |r| &r.name))
        .bind::<Array<Text>, _>(strings(r, |r| &r.m49_code))
        .bind::<Array<Int4>, _>(ints(r, |r| r.position))
        .bind::<Array<Jsonb>, _>(sources(r, |r| &r.source))
        .execute(conn)
        .await?;
    renumber_parked(conn, "regions").await
}

pub(super) async fn write_countries(
    conn: &mut AsyncPgConnection,
    c: &Catalogue,
) -> Result<(), StoreError> {
    let k = &c.countries;
    park_positions(
        conn,
        "countries",
        "iso3",
        strings(k, |k| &k.iso3),
        ints(k, |k| k.position),
    )
    .await?;
    diesel::sql_query(UPSERT_COUNTRIES)
        .bind::<Array<Text>, _>(strings(k, |k| &k.iso2))
        .bind::<Array<Text>, _>(strings(k, |k| &k.iso3))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(k, |k| k.iso_numeric.as_deref()))
        .bind::<Array<Text>, _>(strings(k, |k| &k.name))
        .bind::<Array<Text>, _>(strings(k, |k| &k.slug))
        .bind::<Array<Text>, _>(strings(k, |k| &k.kind))
        .bind::<Array<Text>, _>(strings(k, |k| &k.region_slug))
        .bind::<Array<Int4>, _>(ints(k, |k| k.position))
        .bind::<Array<Jsonb>, _>(sources(k, |k| &k.source))
        .execute(conn)
        .await?;
    renumber_parked(conn, "countries").await
}

pub(super) async fn write_document_types(
    conn: &mut AsyncPgConnection,
    c: &Catalogue,
) -> Result<(), StoreError> {
    let d = &c.document_types;
    park_positions(
        conn,
        "document_types",
        "slug",
        strings(d, |d| &d.slug),
        ints(d, |d| d.position),
    )
    .await?;
    diesel::sql_query(UPSERT_DOCUMENT_TYPES)
        .bind::<Array<Text>, _>(strings(d, |d| &d.slug))
        .bind::<Array<Text>, _>(strings(d, |d| &d.name))
        .bind::<Array<Int4>, _>(ints(d, |d| d.position))
        .execute(conn)
        .await?;
    renumber_parked(conn, "document_types").await
}

pub(super) async fn write_instruments(
    conn: &mut AsyncPgConnection,
    c: &Catalogue,
) -> Result<(), StoreError> {
    let i = &c.instruments;
    diesel::sql_query(UPSERT_INSTRUMENTS)
        .bind::<Array<Text>, _>(strings(i, |i| &i.code))
        .bind::<Array<Text>, _>(strings(i, |i| &i.kind))
        .bind::<Array<Int4>, _>(ints(i, |i| i.number))
        .bind::<Array<Int4>, _>(ints(i, |i| i.year))
        .bind::<Array<Text>, _>(strings(i, |i| &i.title))
        .bind::<Array<Jsonb>, _>(sources(i, |i| &i.source))
        .execute(conn)
        .await?;

    let links: Vec<(&str, i32)> = i
        .iter()
        .flat_map(|i| i.objectives.iter().map(move |n| (i.code.as_str(), *n)))
        .collect();
    diesel::sql_query(REPLACE_OBJECTIVE_INSTRUMENTS)
        .bind::<Array<Text>, _>(strings(&links, |l| l.0))
        .bind::<Array<Int4>, _>(ints(&links, |l| l.1))
        .bind::<Array<Text>, _>(strings(i, |i| &i.code))
        .execute(conn)
        .await?;
    Ok(())
}
