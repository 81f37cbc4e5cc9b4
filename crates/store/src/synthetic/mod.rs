//! A synthetic catalogue for load tests and scale tests. Everything it writes is
//! labelled synthetic (slugs `synthetic-…`, texts "Synthetic …", `source.synthetic`);
//! it is never catalogue content. The same seed gives the same catalogue.
//!
//! It adds to a database that holds the bundled catalogue (the reference lists), once:
//! a second run into the same database fails on the synthetic slugs and rolls back.

use diesel::QueryableByName;
use diesel::sql_types::{Array, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::StoreResult;

/// The generator's SQL: set-based inserts (`generate_series`), fast enough for a million items.
const GENERATE_SQL: &str = include_str!("generate.sql");

/// From this many items on, [`SyntheticSize::rebuild_indexes`] is on.
const BULK_FROM_ITEMS: i32 = 100_000;

/// The tables the generator writes millions of rows into at size L.
const BULK_TABLES: &[&str] = &[
    "items",
    "item_objectives",
    "item_countries",
    "item_regions",
    "item_principles",
    "item_guidance_sources",
];

/// Sizes the benchmarks use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticSize {
    pub items: i32,
    pub guidance_sources: i32,
    /// Drop the filled tables' secondary indexes and foreign keys first and rebuild them
    /// after: one sort per index and one join per key beat millions of per-row index
    /// insertions and trigger checks. Worth it from about a hundred thousand items.
    pub rebuild_indexes: bool,
}

impl SyntheticSize {
    /// Guidance sources grow with the catalogue: one per 250 items, at least one per objective.
    pub fn items(items: i32) -> Self {
        Self {
            items,
            guidance_sources: (items / 250).max(23),
            rebuild_indexes: items >= BULK_FROM_ITEMS,
        }
    }

    /// The benchmark sizes: `S` is the bundled catalogue alone (nothing generated), `M` adds
    /// 10,000 items, `L` a million items with about five million links.
    pub fn named(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().as_str() {
            "S" => Some(Self {
                items: 0,
                guidance_sources: 0,
                rebuild_indexes: false,
            }),
            "M" => Some(Self::items(10_000)),
            "L" => Some(Self::items(1_000_000)),
            _ => None,
        }
    }
}

#[derive(QueryableByName)]
struct Rebuild {
    #[diesel(sql_type = Array<Text>)]
    drop: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    create: Vec<String>,
}

/// Adds `size` synthetic items (with their links) and guidance sources, in one transaction.
pub async fn generate(
    conn: &mut AsyncPgConnection,
    size: SyntheticSize,
    seed: i64,
) -> StoreResult<()> {
    if size.items == 0 && size.guidance_sources == 0 {
        return Ok(());
    }
    conn.transaction(async |conn| {
        // A bulk job: the pool's per-statement limit is for requests.
        diesel::sql_query("SET LOCAL statement_timeout = 0")
            .execute(conn)
            .await?;
        let rebuild = if size.rebuild_indexes {
            Some(drop_secondary_structures(conn).await?)
        } else {
            None
        };
        // Statements are split on `;` at line ends: the file holds no other semicolons at line ends.
        for statement in GENERATE_SQL
            .split(";\n")
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let sql: String = statement
                .lines()
                .filter(|line| !line.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n");
            if sql.trim().is_empty() {
                continue;
            }
            if sql.contains("$1") {
                diesel::sql_query(sql)
                    .bind::<diesel::sql_types::Int4, _>(size.items)
                    .bind::<diesel::sql_types::Int4, _>(size.guidance_sources)
                    .bind::<diesel::sql_types::Int8, _>(seed)
                    .execute(conn)
                    .await?;
            } else {
                diesel::sql_query(sql).execute(conn).await?;
            }
        }
        if let Some(rebuild) = rebuild {
            diesel::sql_query("SET LOCAL maintenance_work_mem = '256MB'")
                .execute(conn)
                .await?;
            for statement in rebuild.create {
                diesel::sql_query(statement).execute(conn).await?;
            }
        }
        Ok(())
    })
    .await
}

/// Drops the bulk tables' indexes that back no constraint, and their foreign keys; returns
/// the statements that recreate them exactly (from the catalog, so a later migration's
/// indexes are covered too). Inside the caller's transaction: a failure restores them all.
async fn drop_secondary_structures(conn: &mut AsyncPgConnection) -> StoreResult<Rebuild> {
    let tables: Vec<String> = BULK_TABLES.iter().map(|t| (*t).to_owned()).collect();
    let rebuild: Rebuild = diesel::sql_query(
        "WITH t AS (SELECT unnest($1::text[])::regclass AS oid),
         idx AS (
             SELECT format('DROP INDEX %s', x.indexrelid::regclass) AS drop_sql,
                    pg_get_indexdef(x.indexrelid) AS create_sql
             FROM pg_index x JOIN t ON t.oid = x.indrelid
             WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)),
         fk AS (
             SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop_sql,
                    format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
                           pg_get_constraintdef(c.oid)) AS create_sql
             FROM pg_constraint c JOIN t ON t.oid = c.conrelid
             WHERE c.contype = 'f')
         SELECT coalesce((SELECT array_agg(drop_sql) FROM fk), '{}')
                    || coalesce((SELECT array_agg(drop_sql) FROM idx), '{}') AS drop,
                coalesce((SELECT array_agg(create_sql) FROM idx), '{}')
                    || coalesce((SELECT array_agg(create_sql) FROM fk), '{}') AS create",
    )
    .bind::<Array<Text>, _>(tables)
    .get_result(conn)
    .await?;
    for statement in &rebuild.drop {
        diesel::sql_query(statement.as_str()).execute(conn).await?;
    }
    Ok(rebuild)
}
