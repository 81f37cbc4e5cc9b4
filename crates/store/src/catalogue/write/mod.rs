//! Writes a validated catalogue in one transaction.
//!
//! One statement per table, whatever the number of rows: the rows travel as parallel
//! arrays that `unnest` turns back into rows. Upserts go by natural key and only touch a
//! row whose values differ, so importing the same catalogue twice changes no row (ids,
//! `created_at` and `updated_at` included). Rows that are not in the input are kept.

use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Bool, Date, Int4, Jsonb, Nullable, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::Catalogue;
use super::{ImportError, ImportSummary};
use crate::{Pool, StoreError};

mod lists;

use lists::{
    write_countries, write_document_types, write_instruments, write_principles, write_regions,
};

/// Positions are moved above this while a table is reordered, so that the unique
/// `position` constraints never see two rows on one place (validation keeps positions
/// far below it).
const PARKED: i32 = 1_000_000_000;

// One statement per file, named by what it does.
const BUMP_VERSION: &str = include_str!("bump_version.sql");
const UPSERT_FILES: &str = include_str!("upsert_files.sql");
const UPSERT_OBJECTIVES: &str = include_str!("upsert_objectives.sql");
const UPSERT_ACTIONS: &str = include_str!("upsert_actions.sql");
const UPSERT_PAGES: &str = include_str!("upsert_pages.sql");
const REPLACE_POLICY_OPTIONS: &str = include_str!("replace_policy_options.sql");
const DELETE_CHANGED_RELATED_OBJECTIVES: &str =
    include_str!("delete_changed_related_objectives.sql");
const INSERT_NEW_RELATED_OBJECTIVES: &str = include_str!("insert_new_related_objectives.sql");
const PARK_GUIDANCE_POSITIONS: &str = include_str!("park_guidance_positions.sql");
const UPSERT_GUIDANCE: &str = include_str!("upsert_guidance.sql");
const RENUMBER_PARKED_GUIDANCE: &str = include_str!("renumber_parked_guidance.sql");
const REPLACE_GUIDANCE_ACTIONS: &str = include_str!("replace_guidance_actions.sql");
const UPSERT_ITEMS: &str = include_str!("upsert_items.sql");
const REPLACE_ITEM_LINKS: &str = include_str!("replace_item_links.sql");
const SET_HUB_POSITIONS: &str = include_str!("set_hub_positions.sql");

/// A statement template with its `{name}` holes filled (table and column names, which
/// cannot be bound); `{parked}` is always [`PARKED`].
pub(super) fn fill(template: &str, holes: &[(&str, &str)]) -> String {
    let parked = PARKED.to_string();
    holes
        .iter()
        .chain([&("parked", parked.as_str())])
        .fold(template.to_owned(), |sql, (name, value)| {
            sql.replace(&format!("{{{name}}}"), value)
        })
}

pub(crate) async fn write(
    pool: &Pool,
    catalogue: &Catalogue,
) -> Result<ImportSummary, ImportError> {
    let mut conn = pool.get().await.map_err(StoreError::from)?;
    let version = conn
        .transaction::<_, StoreError, _>(async |conn| write_all(conn, catalogue).await)
        .await?;
    Ok(ImportSummary {
        objectives: catalogue.objectives.len(),
        principles: catalogue.principles.len(),
        regions: catalogue.regions.len(),
        countries: catalogue.countries.len(),
        document_types: catalogue.document_types.len(),
        instruments: catalogue.instruments.len(),
        guidance_sources: catalogue.guidance.len(),
        items: catalogue.items.len(),
        catalogue_version: version,
    })
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = BigInt)]
    version: i64,
}

async fn write_all(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<i64, StoreError> {
    // First, so that concurrent imports queue on this row instead of interleaving.
    let version = diesel::sql_query(BUMP_VERSION)
        .get_result::<Version>(conn)
        .await?
        .version;
    // A large catalogue takes longer than the per-statement limit set for requests.
    diesel::sql_query("SET LOCAL statement_timeout = '10min'")
        .execute(conn)
        .await?;

    write_files(conn, c).await?;
    write_objectives(conn, c).await?;
    write_principles(conn, c).await?;
    write_regions(conn, c).await?;
    write_countries(conn, c).await?;
    write_document_types(conn, c).await?;
    write_instruments(conn, c).await?;
    write_pages(conn, c).await?;
    write_guidance(conn, c).await?;
    write_items(conn, c).await?;
    write_item_links(conn, c).await?;
    Ok(version)
}

pub(super) fn strings<T>(rows: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    rows.iter().map(|r| f(r).to_owned()).collect()
}

pub(super) fn optional_strings<T>(
    rows: &[T],
    f: impl Fn(&T) -> Option<&str>,
) -> Vec<Option<String>> {
    rows.iter().map(|r| f(r).map(str::to_owned)).collect()
}

pub(super) fn ints<T>(rows: &[T], f: impl Fn(&T) -> i32) -> Vec<i32> {
    rows.iter().map(f).collect()
}

pub(super) fn sources<T>(
    rows: &[T],
    f: impl Fn(&T) -> &serde_json::Value,
) -> Vec<serde_json::Value> {
    rows.iter().map(|r| f(r).clone()).collect()
}

/// A file's document (its top-level keys that are not records). An empty one is stored
/// as no row, so that a file written by the exporter for rows added through the API
/// (which has no document) imports back to the same state.
async fn write_files(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let (empty, kept): (Vec<_>, Vec<_>) = c
        .files
        .iter()
        .partition(|f| f.document.as_object().is_some_and(|m| m.is_empty()));
    diesel::sql_query(UPSERT_FILES)
        .bind::<Array<Text>, _>(strings(&kept, |f| &f.name))
        .bind::<Array<Jsonb>, _>(sources(&kept, |f| &f.document))
        .execute(conn)
        .await?;
    diesel::sql_query("DELETE FROM catalogue_files WHERE file_name = ANY($1::text[])")
        .bind::<Array<Text>, _>(strings(&empty, |f| &f.name))
        .execute(conn)
        .await?;
    Ok(())
}

async fn write_objectives(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let o = &c.objectives;
    diesel::sql_query(UPSERT_OBJECTIVES)
        .bind::<Array<Int4>, _>(ints(o, |o| o.number))
        .bind::<Array<Text>, _>(strings(o, |o| &o.slug))
        .bind::<Array<Text>, _>(strings(o, |o| &o.short_name))
        .bind::<Array<Text>, _>(strings(o, |o| &o.title))
        .bind::<Array<Int4>, _>(ints(o, |o| o.commitment_paragraph))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(o, |o| o.commitment_text.as_deref()))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(o, |o| o.actions_lead_in.as_deref()))
        .bind::<Array<Nullable<Int4>>, _>(o.iter().map(|o| o.hub_term_id).collect::<Vec<_>>())
        .bind::<Array<Jsonb>, _>(sources(o, |o| &o.source))
        .execute(conn)
        .await?;

    // Actions are kept when a file drops them: guidance and items may link to them.
    let actions: Vec<(i32, &str, &str)> = o
        .iter()
        .flat_map(|o| {
            o.actions
                .iter()
                .map(move |a| (o.number, a.letter.as_str(), a.text.as_str()))
        })
        .collect();
    diesel::sql_query(UPSERT_ACTIONS)
        .bind::<Array<Int4>, _>(ints(&actions, |a| a.0))
        .bind::<Array<Text>, _>(strings(&actions, |a| a.1))
        .bind::<Array<Text>, _>(strings(&actions, |a| a.2))
        .execute(conn)
        .await?;
    Ok(())
}

async fn write_pages(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let p = &c.pages;
    let objectives = ints(p, |p| p.objective);
    diesel::sql_query(UPSERT_PAGES)
        .bind::<Array<Int4>, _>(objectives.clone())
        .bind::<Array<Jsonb>, _>(sources(p, |p| &p.source))
        .execute(conn)
        .await?;

    // Policy options and related objectives belong to the page: the file's list replaces
    // the stored one.
    let options: Vec<_> = p
        .iter()
        .flat_map(|p| p.policy_options.iter().map(move |o| (p.objective, o)))
        .collect();
    diesel::sql_query(REPLACE_POLICY_OPTIONS)
        .bind::<Array<Int4>, _>(ints(&options, |o| o.0))
        .bind::<Array<Int4>, _>(ints(&options, |o| o.1.number))
        .bind::<Array<Text>, _>(strings(&options, |o| &o.1.text))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(&options, |o| o.1.label.as_deref()))
        .bind::<Array<Bool>, _>(
            options
                .iter()
                .map(|o| o.1.label_derived)
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Int4>, _>(objectives.clone())
        .execute(conn)
        .await?;

    // Rows that differ in any column are deleted first, then inserted again: updated in
    // place, a reordered list would collide with itself on the unique position.
    let related: Vec<_> = p
        .iter()
        .flat_map(|p| p.related.iter().map(move |r| (p.objective, r)))
        .collect();
    for statement in [
        DELETE_CHANGED_RELATED_OBJECTIVES,
        INSERT_NEW_RELATED_OBJECTIVES,
    ] {
        diesel::sql_query(statement)
            .bind::<Array<Int4>, _>(ints(&related, |r| r.0))
            .bind::<Array<Int4>, _>(ints(&related, |r| r.1.related))
            .bind::<Array<Int4>, _>(ints(&related, |r| r.1.paragraph))
            .bind::<Array<Int4>, _>(ints(&related, |r| r.1.position))
            .bind::<Array<Nullable<Text>>, _>(optional_strings(&related, |r| {
                r.1.as_given.as_deref()
            }))
            .bind::<Array<Int4>, _>(objectives.clone())
            .execute(conn)
            .await?;
    }
    Ok(())
}

async fn write_guidance(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let g = &c.guidance;
    let slugs = strings(g, |g| &g.slug);
    // Positions are unique per objective and mechanism: park, write, renumber (as
    // `park_positions` and `renumber_parked` do for a whole table).
    diesel::sql_query(fill(PARK_GUIDANCE_POSITIONS, &[]))
        .bind::<Array<Text>, _>(slugs.clone())
        .bind::<Array<Int4>, _>(ints(g, |g| g.objective))
        .bind::<Array<Text>, _>(strings(g, |g| g.mechanism.as_str()))
        .bind::<Array<Int4>, _>(ints(g, |g| g.position))
        .execute(conn)
        .await?;
    diesel::sql_query(UPSERT_GUIDANCE)
        .bind::<Array<Text>, _>(slugs.clone())
        .bind::<Array<Int4>, _>(ints(g, |g| g.objective))
        .bind::<Array<Text>, _>(strings(g, |g| g.mechanism.as_str()))
        .bind::<Array<Text>, _>(strings(g, |g| &g.body))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(g, |g| g.abbreviation.as_deref()))
        .bind::<Array<Int4>, _>(ints(g, |g| g.year))
        .bind::<Array<Text>, _>(strings(g, |g| &g.symbol))
        .bind::<Array<Text>, _>(strings(g, |g| &g.paragraph))
        .bind::<Array<Text>, _>(strings(g, |g| &g.guidance))
        .bind::<Array<Int4>, _>(ints(g, |g| g.position))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(g, |g| g.actions_reason.as_deref()))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(g, |g| g.items_reason.as_deref()))
        .bind::<Array<Jsonb>, _>(sources(g, |g| &g.source))
        .execute(conn)
        .await?;
    diesel::sql_query(fill(RENUMBER_PARKED_GUIDANCE, &[]))
        .execute(conn)
        .await?;

    // links.json guidance_actions: the actions are the guidance's objective's.
    let links: Vec<(&str, i32, &str)> = g
        .iter()
        .flat_map(|g| {
            g.action_letters
                .iter()
                .map(move |l| (g.slug.as_str(), g.objective, l.as_str()))
        })
        .collect();
    diesel::sql_query(REPLACE_GUIDANCE_ACTIONS)
        .bind::<Array<Text>, _>(strings(&links, |l| l.0))
        .bind::<Array<Int4>, _>(ints(&links, |l| l.1))
        .bind::<Array<Text>, _>(strings(&links, |l| l.2))
        .bind::<Array<Text>, _>(slugs)
        .execute(conn)
        .await?;
    Ok(())
}

async fn write_items(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let i = &c.items;
    diesel::sql_query(UPSERT_ITEMS)
        .bind::<Array<Text>, _>(strings(i, |i| &i.slug))
        .bind::<Array<Text>, _>(strings(i, |i| i.kind.as_str()))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(i, |i| i.section.map(|s| s.as_str())))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(i, |i| i.document_type_slug.as_deref()))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(i, |i| i.title.as_deref()))
        .bind::<Array<Text>, _>(strings(i, |i| i.title_provenance.as_str()))
        .bind::<Array<Text>, _>(strings(i, |i| &i.summary))
        .bind::<Array<Bool>, _>(i.iter().map(|i| i.summary_truncated).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(optional_strings(i, |i| i.url.as_deref()))
        .bind::<Array<Nullable<Date>>, _>(i.iter().map(|i| i.published_on).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(optional_strings(i, |i| i.language.as_deref()))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(i, |i| i.organisation.as_deref()))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(i, |i| i.city.as_deref()))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(i, |i| i.event_country_iso2.as_deref()))
        .bind::<Array<Nullable<Date>>, _>(i.iter().map(|i| i.starts_on).collect::<Vec<_>>())
        .bind::<Array<Nullable<Date>>, _>(i.iter().map(|i| i.ends_on).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(strings(i, |i| i.scope.as_str()))
        .bind::<Array<Text>, _>(strings(i, |i| i.status.as_str()))
        .bind::<Array<Int4>, _>(ints(i, |i| i.position))
        .bind::<Array<Nullable<Text>>, _>(optional_strings(i, |i| i.geography_reason.as_deref()))
        .bind::<Array<Jsonb>, _>(sources(i, |i| &i.source))
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the links of the imported items (to objectives, regions, countries and
/// guidance) with the files' links, touching only the rows that differ.
async fn write_item_links(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let items = strings(&c.items, |i| &i.slug);
    let pairs = |f: &dyn Fn(&super::model::Item) -> Vec<String>| -> (Vec<String>, Vec<String>) {
        c.items
            .iter()
            .flat_map(|i| f(i).into_iter().map(move |to| (i.slug.clone(), to)))
            .unzip()
    };
    let objectives = pairs(&|i| i.objectives.iter().map(i32::to_string).collect());
    let regions = pairs(&|i| i.region_slugs.clone());
    let countries = pairs(&|i| i.country_iso3s.clone());
    let guidance = pairs(&|i| i.guidance_slugs.clone());
    for (table, target, lookup, (from, to)) in [
        (
            "item_objectives",
            "objective_number",
            "SELECT number AS id, number::text AS k FROM objectives",
            objectives,
        ),
        (
            "item_regions",
            "region_id",
            "SELECT id, slug AS k FROM regions",
            regions,
        ),
        (
            "item_countries",
            "country_id",
            "SELECT id, iso3 AS k FROM countries",
            countries,
        ),
        (
            "item_guidance_sources",
            "guidance_source_id",
            "SELECT id, slug AS k FROM guidance_sources",
            guidance,
        ),
    ] {
        diesel::sql_query(fill(
            REPLACE_ITEM_LINKS,
            &[("table", table), ("target", target), ("lookup", lookup)],
        ))
        .bind::<Array<Text>, _>(from)
        .bind::<Array<Text>, _>(to)
        .bind::<Array<Text>, _>(items.clone())
        .execute(conn)
        .await?;
    }
    // The HUB order: each item's place on its own objective's page.
    let placed: Vec<_> = c
        .items
        .iter()
        .filter_map(|i| Some((i.slug.as_str(), *<[i32]>::first(&i.objectives)?, i.position)))
        .collect();
    diesel::sql_query(SET_HUB_POSITIONS)
        .bind::<Array<Text>, _>(strings(&placed, |p| p.0))
        .bind::<Array<Int4>, _>(ints(&placed, |p| p.1))
        .bind::<Array<Int4>, _>(ints(&placed, |p| p.2))
        .execute(conn)
        .await?;
    Ok(())
}
