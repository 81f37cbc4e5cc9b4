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

/// Positions are moved above this while a table is reordered, so that the unique
/// `position` constraints never see two rows on one place (validation keeps positions
/// far below it).
const PARKED: i32 = 1_000_000_000;

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
    let version = diesel::sql_query(
        "UPDATE catalogue_version SET version = version + 1, changed_at = now() RETURNING version",
    )
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

fn strings<T>(rows: &[T], f: impl Fn(&T) -> &str) -> Vec<String> {
    rows.iter().map(|r| f(r).to_owned()).collect()
}

fn optional_strings<T>(rows: &[T], f: impl Fn(&T) -> Option<&str>) -> Vec<Option<String>> {
    rows.iter().map(|r| f(r).map(str::to_owned)).collect()
}

fn ints<T>(rows: &[T], f: impl Fn(&T) -> i32) -> Vec<i32> {
    rows.iter().map(f).collect()
}

fn sources<T>(rows: &[T], f: impl Fn(&T) -> &serde_json::Value) -> Vec<serde_json::Value> {
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
    diesel::sql_query(
        "INSERT INTO catalogue_files (file_name, document)
         SELECT * FROM unnest($1::text[], $2::jsonb[])
         ON CONFLICT (file_name) DO UPDATE
         SET document = EXCLUDED.document, imported_at = now()",
    )
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
    diesel::sql_query(
        "INSERT INTO objectives (number, slug, short_name, title, commitment_paragraph,
                                 commitment_text, actions_lead_in, hub_term_id, source)
         SELECT * FROM unnest($1::int4[], $2::text[], $3::text[], $4::text[], $5::int4[],
                              $6::text[], $7::text[], $8::int4[], $9::jsonb[])
         ON CONFLICT (number) DO UPDATE SET
             slug = EXCLUDED.slug, short_name = EXCLUDED.short_name, title = EXCLUDED.title,
             commitment_paragraph = EXCLUDED.commitment_paragraph,
             commitment_text = EXCLUDED.commitment_text, actions_lead_in = EXCLUDED.actions_lead_in,
             hub_term_id = EXCLUDED.hub_term_id, source = EXCLUDED.source
         WHERE (objectives.slug, objectives.short_name, objectives.title,
                objectives.commitment_paragraph, objectives.commitment_text,
                objectives.actions_lead_in, objectives.hub_term_id, objectives.source)
               IS DISTINCT FROM
               (EXCLUDED.slug, EXCLUDED.short_name, EXCLUDED.title, EXCLUDED.commitment_paragraph,
                EXCLUDED.commitment_text, EXCLUDED.actions_lead_in, EXCLUDED.hub_term_id,
                EXCLUDED.source)",
    )
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
    diesel::sql_query(
        "INSERT INTO actions (objective_number, letter, text)
         SELECT * FROM unnest($1::int4[], $2::text[], $3::text[])
         ON CONFLICT (objective_number, letter) DO UPDATE SET text = EXCLUDED.text
         WHERE actions.text IS DISTINCT FROM EXCLUDED.text",
    )
    .bind::<Array<Int4>, _>(ints(&actions, |a| a.0))
    .bind::<Array<Text>, _>(strings(&actions, |a| a.1))
    .bind::<Array<Text>, _>(strings(&actions, |a| a.2))
    .execute(conn)
    .await?;
    Ok(())
}

/// Moves out of the way every row whose position is about to change or be taken by
/// another row (step 1 of a reorder; [`renumber_parked`] is step 3).
async fn park_positions(
    conn: &mut AsyncPgConnection,
    table: &str,
    key: &str,
    keys: Vec<String>,
    positions: Vec<i32>,
) -> Result<(), StoreError> {
    diesel::sql_query(format!(
        "UPDATE {table} t SET position = t.position + {PARKED}
         WHERE t.position < {PARKED} AND NOT EXISTS (
             SELECT 1 FROM unnest($1::text[], $2::int4[]) AS i(k, p)
             WHERE i.k = t.{key} AND i.p = t.position)"
    ))
    .bind::<Array<Text>, _>(keys)
    .bind::<Array<Int4>, _>(positions)
    .execute(conn)
    .await?;
    Ok(())
}

/// Rows that are not in the input and are still parked go after the input's rows, in
/// their former order.
async fn renumber_parked(conn: &mut AsyncPgConnection, table: &str) -> Result<(), StoreError> {
    diesel::sql_query(format!(
        "UPDATE {table} t SET position = (base.top + moved.rank)::int4
         FROM (SELECT id, row_number() OVER (ORDER BY position, id) AS rank
               FROM {table} WHERE position >= {PARKED}) moved,
              (SELECT coalesce(max(position), 0) AS top FROM {table} WHERE position < {PARKED}) base
         WHERE t.id = moved.id"
    ))
    .execute(conn)
    .await?;
    Ok(())
}

async fn write_principles(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let p = &c.principles;
    park_positions(
        conn,
        "guiding_principles",
        "slug",
        strings(p, |p| &p.slug),
        ints(p, |p| p.position),
    )
    .await?;
    diesel::sql_query(
        "INSERT INTO guiding_principles (slug, name, position, source)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int4[], $4::jsonb[])
         ON CONFLICT (slug) DO UPDATE SET
             name = EXCLUDED.name, position = EXCLUDED.position, source = EXCLUDED.source
         WHERE (guiding_principles.name, guiding_principles.position, guiding_principles.source)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.position, EXCLUDED.source)",
    )
    .bind::<Array<Text>, _>(strings(p, |p| &p.slug))
    .bind::<Array<Text>, _>(strings(p, |p| &p.name))
    .bind::<Array<Int4>, _>(ints(p, |p| p.position))
    .bind::<Array<Jsonb>, _>(sources(p, |p| &p.source))
    .execute(conn)
    .await?;
    renumber_parked(conn, "guiding_principles").await
}

async fn write_regions(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let r = &c.regions;
    park_positions(
        conn,
        "regions",
        "slug",
        strings(r, |r| &r.slug),
        ints(r, |r| r.position),
    )
    .await?;
    diesel::sql_query(
        "INSERT INTO regions (slug, name, m49_code, position, source)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int4[], $5::jsonb[])
         ON CONFLICT (slug) DO UPDATE SET
             name = EXCLUDED.name, m49_code = EXCLUDED.m49_code, position = EXCLUDED.position,
             source = EXCLUDED.source
         WHERE (regions.name, regions.m49_code, regions.position, regions.source)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.m49_code, EXCLUDED.position, EXCLUDED.source)",
    )
    .bind::<Array<Text>, _>(strings(r, |r| &r.slug))
    .bind::<Array<Text>, _>(strings(r, |r| &r.name))
    .bind::<Array<Text>, _>(strings(r, |r| &r.m49_code))
    .bind::<Array<Int4>, _>(ints(r, |r| r.position))
    .bind::<Array<Jsonb>, _>(sources(r, |r| &r.source))
    .execute(conn)
    .await?;
    renumber_parked(conn, "regions").await
}

async fn write_countries(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let k = &c.countries;
    park_positions(
        conn,
        "countries",
        "iso3",
        strings(k, |k| &k.iso3),
        ints(k, |k| k.position),
    )
    .await?;
    diesel::sql_query(
        "INSERT INTO countries (iso2, iso3, iso_numeric, name, slug, kind, region_id, position, source)
         SELECT i.iso2, i.iso3, i.iso_numeric, i.name, i.slug, i.kind, r.id, i.position, i.source
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::int4[], $9::jsonb[])
              AS i(iso2, iso3, iso_numeric, name, slug, kind, region, position, source)
         JOIN regions r ON r.slug = i.region
         WHERE true
         ON CONFLICT (iso3) DO UPDATE SET
             iso2 = EXCLUDED.iso2, iso_numeric = EXCLUDED.iso_numeric, name = EXCLUDED.name,
             slug = EXCLUDED.slug, kind = EXCLUDED.kind, region_id = EXCLUDED.region_id,
             position = EXCLUDED.position, source = EXCLUDED.source
         WHERE (countries.iso2, countries.iso_numeric, countries.name, countries.slug,
                countries.kind, countries.region_id, countries.position, countries.source)
               IS DISTINCT FROM
               (EXCLUDED.iso2, EXCLUDED.iso_numeric, EXCLUDED.name, EXCLUDED.slug, EXCLUDED.kind,
                EXCLUDED.region_id, EXCLUDED.position, EXCLUDED.source)",
    )
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

async fn write_document_types(
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
    diesel::sql_query(
        "INSERT INTO document_types (slug, name, position)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int4[])
         ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position
         WHERE (document_types.name, document_types.position)
               IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.position)",
    )
    .bind::<Array<Text>, _>(strings(d, |d| &d.slug))
    .bind::<Array<Text>, _>(strings(d, |d| &d.name))
    .bind::<Array<Int4>, _>(ints(d, |d| d.position))
    .execute(conn)
    .await?;
    renumber_parked(conn, "document_types").await
}

async fn write_instruments(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let i = &c.instruments;
    diesel::sql_query(
        "INSERT INTO instruments (code, kind, number, year, title, source)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int4[], $4::int4[], $5::text[], $6::jsonb[])
         ON CONFLICT (code) DO UPDATE SET
             kind = EXCLUDED.kind, number = EXCLUDED.number, year = EXCLUDED.year,
             title = EXCLUDED.title, source = EXCLUDED.source
         WHERE (instruments.kind, instruments.number, instruments.year, instruments.title,
                instruments.source)
               IS DISTINCT FROM
               (EXCLUDED.kind, EXCLUDED.number, EXCLUDED.year, EXCLUDED.title, EXCLUDED.source)",
    )
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
    diesel::sql_query(
        "WITH input AS (
             SELECT ins.id AS instrument_id, l.objective_number
             FROM unnest($1::text[], $2::int4[]) AS l(code, objective_number)
             JOIN instruments ins ON ins.code = l.code),
         dropped AS (
             DELETE FROM objective_instruments t
             WHERE t.instrument_id IN (SELECT id FROM instruments WHERE code = ANY($3::text[]))
               AND NOT EXISTS (SELECT 1 FROM input
                               WHERE input.instrument_id = t.instrument_id
                                 AND input.objective_number = t.objective_number))
         INSERT INTO objective_instruments (objective_number, instrument_id)
         SELECT objective_number, instrument_id FROM input
         ON CONFLICT DO NOTHING",
    )
    .bind::<Array<Text>, _>(strings(&links, |l| l.0))
    .bind::<Array<Int4>, _>(ints(&links, |l| l.1))
    .bind::<Array<Text>, _>(strings(i, |i| &i.code))
    .execute(conn)
    .await?;
    Ok(())
}

async fn write_pages(conn: &mut AsyncPgConnection, c: &Catalogue) -> Result<(), StoreError> {
    let p = &c.pages;
    let objectives = ints(p, |p| p.objective);
    diesel::sql_query(
        "INSERT INTO objective_pages (objective_number, source)
         SELECT * FROM unnest($1::int4[], $2::jsonb[])
         ON CONFLICT (objective_number) DO UPDATE SET source = EXCLUDED.source
         WHERE objective_pages.source IS DISTINCT FROM EXCLUDED.source",
    )
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
    diesel::sql_query(
        "WITH input AS (
             SELECT * FROM unnest($1::int4[], $2::int4[], $3::text[], $4::text[], $5::bool[])
                 AS i(objective_number, number, text, label, label_derived)),
         dropped AS (
             DELETE FROM policy_options t
             WHERE t.objective_number = ANY($6::int4[])
               AND NOT EXISTS (SELECT 1 FROM input
                               WHERE input.objective_number = t.objective_number
                                 AND input.number = t.number))
         INSERT INTO policy_options (objective_number, number, text, label, label_derived)
         SELECT * FROM input
         ON CONFLICT (objective_number, number) DO UPDATE SET
             text = EXCLUDED.text, label = EXCLUDED.label, label_derived = EXCLUDED.label_derived
         WHERE (policy_options.text, policy_options.label, policy_options.label_derived)
               IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.label, EXCLUDED.label_derived)",
    )
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
    let input = "SELECT * FROM unnest($1::int4[], $2::int4[], $3::int4[], $4::int4[], $5::text[])
                     AS i(objective_number, related_number, paragraph, position, as_given)";
    let same_row = "(i.objective_number, i.related_number, i.paragraph, i.position, i.as_given)
                    IS NOT DISTINCT FROM
                    (t.objective_number, t.related_number, t.paragraph, t.position, t.as_given)";
    let statements = [
        format!(
            "DELETE FROM related_objectives t
             WHERE t.objective_number = ANY($6::int4[])
               AND NOT EXISTS (SELECT 1 FROM ({input}) i WHERE {same_row})"
        ),
        format!(
            "INSERT INTO related_objectives (objective_number, related_number, paragraph, position, as_given)
             SELECT * FROM ({input}) i
             WHERE NOT EXISTS (SELECT 1 FROM related_objectives t WHERE {same_row})"
        ),
    ];
    for statement in statements {
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
    diesel::sql_query(format!(
        "UPDATE guidance_sources t SET position = t.position + {PARKED}
         WHERE t.position < {PARKED} AND NOT EXISTS (
             SELECT 1 FROM unnest($1::text[], $2::int4[], $3::text[], $4::int4[])
                 AS i(slug, objective_number, mechanism, position)
             WHERE (i.slug, i.objective_number, i.mechanism, i.position)
                   = (t.slug, t.objective_number, t.mechanism, t.position))"
    ))
    .bind::<Array<Text>, _>(slugs.clone())
    .bind::<Array<Int4>, _>(ints(g, |g| g.objective))
    .bind::<Array<Text>, _>(strings(g, |g| g.mechanism.as_str()))
    .bind::<Array<Int4>, _>(ints(g, |g| g.position))
    .execute(conn)
    .await?;
    diesel::sql_query(
        "INSERT INTO guidance_sources (slug, objective_number, mechanism, body, abbreviation, year,
                                      symbol, paragraph, guidance, position, actions_reason,
                                      items_reason, source)
         SELECT * FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::text[],
                              $6::int4[], $7::text[], $8::text[], $9::text[], $10::int4[],
                              $11::text[], $12::text[], $13::jsonb[])
         ON CONFLICT (slug) DO UPDATE SET
             objective_number = EXCLUDED.objective_number, mechanism = EXCLUDED.mechanism,
             body = EXCLUDED.body, abbreviation = EXCLUDED.abbreviation, year = EXCLUDED.year,
             symbol = EXCLUDED.symbol, paragraph = EXCLUDED.paragraph,
             guidance = EXCLUDED.guidance, position = EXCLUDED.position,
             actions_reason = EXCLUDED.actions_reason, items_reason = EXCLUDED.items_reason,
             source = EXCLUDED.source
         WHERE (guidance_sources.objective_number, guidance_sources.mechanism,
                guidance_sources.body, guidance_sources.abbreviation, guidance_sources.year,
                guidance_sources.symbol, guidance_sources.paragraph, guidance_sources.guidance,
                guidance_sources.position, guidance_sources.actions_reason,
                guidance_sources.items_reason, guidance_sources.source)
               IS DISTINCT FROM
               (EXCLUDED.objective_number, EXCLUDED.mechanism, EXCLUDED.body,
                EXCLUDED.abbreviation, EXCLUDED.year, EXCLUDED.symbol, EXCLUDED.paragraph,
                EXCLUDED.guidance, EXCLUDED.position, EXCLUDED.actions_reason,
                EXCLUDED.items_reason, EXCLUDED.source)",
    )
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
    diesel::sql_query(format!(
        "UPDATE guidance_sources t SET position = (coalesce(base.top, 0) + moved.rank)::int4
         FROM (SELECT id, objective_number, mechanism,
                      row_number() OVER (PARTITION BY objective_number, mechanism
                                         ORDER BY position, id) AS rank
               FROM guidance_sources WHERE position >= {PARKED}) moved
         LEFT JOIN (SELECT objective_number, mechanism, max(position) AS top
                    FROM guidance_sources WHERE position < {PARKED}
                    GROUP BY objective_number, mechanism) base
                USING (objective_number, mechanism)
         WHERE t.id = moved.id"
    ))
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
    diesel::sql_query(
        "WITH input AS (
             SELECT gs.id AS guidance_source_id, a.id AS action_id
             FROM unnest($1::text[], $2::int4[], $3::text[]) AS l(slug, objective_number, letter)
             JOIN guidance_sources gs ON gs.slug = l.slug
             JOIN actions a ON a.objective_number = l.objective_number AND a.letter = l.letter),
         dropped AS (
             DELETE FROM guidance_source_actions t
             WHERE t.guidance_source_id IN (SELECT id FROM guidance_sources WHERE slug = ANY($4::text[]))
               AND NOT EXISTS (SELECT 1 FROM input
                               WHERE input.guidance_source_id = t.guidance_source_id
                                 AND input.action_id = t.action_id))
         INSERT INTO guidance_source_actions (guidance_source_id, action_id)
         SELECT guidance_source_id, action_id FROM input
         ON CONFLICT DO NOTHING",
    )
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
    diesel::sql_query(
        "INSERT INTO items (slug, kind, section, document_type_id, title, title_provenance, summary,
                            summary_truncated, url, published_on, language, organisation, city,
                            event_country_id, starts_on, ends_on, scope, status, position,
                            geography_reason, source)
         SELECT i.slug, i.kind, i.section, d.id, i.title, i.title_provenance, i.summary,
                i.summary_truncated, i.url, i.published_on, i.language, i.organisation, i.city,
                c.id, i.starts_on, i.ends_on, i.scope, i.status, i.position, i.geography_reason,
                i.source
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::bool[], $9::text[], $10::date[], $11::text[], $12::text[],
                     $13::text[], $14::text[], $15::date[], $16::date[], $17::text[], $18::text[],
                     $19::int4[], $20::text[], $21::jsonb[])
              AS i(slug, kind, section, document_type, title, title_provenance, summary,
                   summary_truncated, url, published_on, language, organisation, city,
                   event_country, starts_on, ends_on, scope, status, position, geography_reason,
                   source)
         LEFT JOIN document_types d ON d.slug = i.document_type
         LEFT JOIN countries c ON c.iso2 = i.event_country
         WHERE true
         ON CONFLICT (slug) DO UPDATE SET
             kind = EXCLUDED.kind, section = EXCLUDED.section,
             document_type_id = EXCLUDED.document_type_id, title = EXCLUDED.title,
             title_provenance = EXCLUDED.title_provenance, summary = EXCLUDED.summary,
             summary_truncated = EXCLUDED.summary_truncated, url = EXCLUDED.url,
             published_on = EXCLUDED.published_on, language = EXCLUDED.language,
             organisation = EXCLUDED.organisation, city = EXCLUDED.city,
             event_country_id = EXCLUDED.event_country_id, starts_on = EXCLUDED.starts_on,
             ends_on = EXCLUDED.ends_on, scope = EXCLUDED.scope, status = EXCLUDED.status,
             position = EXCLUDED.position, geography_reason = EXCLUDED.geography_reason,
             source = EXCLUDED.source, updated_at = now()
         WHERE (items.kind, items.section, items.document_type_id, items.title,
                items.title_provenance, items.summary, items.summary_truncated, items.url,
                items.published_on, items.language, items.organisation, items.city,
                items.event_country_id, items.starts_on, items.ends_on, items.scope,
                items.status, items.position, items.geography_reason, items.source)
               IS DISTINCT FROM
               (EXCLUDED.kind, EXCLUDED.section, EXCLUDED.document_type_id, EXCLUDED.title,
                EXCLUDED.title_provenance, EXCLUDED.summary, EXCLUDED.summary_truncated,
                EXCLUDED.url, EXCLUDED.published_on, EXCLUDED.language, EXCLUDED.organisation,
                EXCLUDED.city, EXCLUDED.event_country_id, EXCLUDED.starts_on, EXCLUDED.ends_on,
                EXCLUDED.scope, EXCLUDED.status, EXCLUDED.position, EXCLUDED.geography_reason,
                EXCLUDED.source)",
    )
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
        diesel::sql_query(format!(
            "WITH input AS (
                 SELECT it.id AS item_id, target.id AS target_id
                 FROM unnest($1::text[], $2::text[]) AS l(item, k)
                 JOIN items it ON it.slug = l.item
                 JOIN ({lookup}) target ON target.k = l.k),
             dropped AS (
                 DELETE FROM {table} t
                 WHERE t.item_id IN (SELECT id FROM items WHERE slug = ANY($3::text[]))
                   AND NOT EXISTS (SELECT 1 FROM input
                                   WHERE input.item_id = t.item_id AND input.target_id = t.{target}))
             INSERT INTO {table} (item_id, {target})
             SELECT item_id, target_id FROM input
             ON CONFLICT DO NOTHING"
        ))
        .bind::<Array<Text>, _>(from)
        .bind::<Array<Text>, _>(to)
        .bind::<Array<Text>, _>(items.clone())
        .execute(conn)
        .await?;
    }
    Ok(())
}
