//! A synthetic catalogue for load tests and scale tests. Everything it writes is
//! labelled synthetic (slugs `synthetic-…`, texts "Synthetic …", `source.synthetic`);
//! it is never catalogue content. The same seed gives the same catalogue.

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::StoreResult;

/// The generator's SQL: set-based inserts (`generate_series`), fast enough for a million items.
const GENERATE_SQL: &str = include_str!("generate.sql");

/// Sizes the benchmarks use.
#[derive(Debug, Clone, Copy)]
pub struct SyntheticSize {
    pub items: i32,
    pub guidance_sources: i32,
}

impl SyntheticSize {
    /// Guidance sources grow with the catalogue: one per 250 items, at least one per objective.
    pub fn items(items: i32) -> Self {
        Self {
            items,
            guidance_sources: (items / 250).max(23),
        }
    }
}

/// Adds `size` synthetic items (with their links) and guidance sources, in one transaction.
pub async fn generate(
    conn: &mut AsyncPgConnection,
    size: SyntheticSize,
    seed: i64,
) -> StoreResult<()> {
    conn.transaction(async |conn| {
        {
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
            Ok(())
        }
    })
    .await
}
