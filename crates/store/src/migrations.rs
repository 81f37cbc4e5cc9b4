//! The migrations in `migrations/`, compiled into the binary.

use diesel::prelude::*;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{Conn, StoreError, StoreResult};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

type SyncConn = AsyncConnectionWrapper<AsyncPgConnection>;

fn migration_error(e: Box<dyn std::error::Error + Send + Sync>) -> StoreError {
    StoreError::Corrupt(format!("migration failed: {e}"))
}

/// Runs in a blocking thread: diesel_migrations drives a synchronous connection.
async fn with_sync_connection<T: Send + 'static>(
    database_url: &str,
    f: impl FnOnce(&mut SyncConn) -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn =
            SyncConn::establish(&url).map_err(|e| StoreError::Unavailable(e.to_string()))?;
        f(&mut conn)
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("migration task failed: {e}")))?
}

/// Applies every pending migration; returns the versions it applied.
pub async fn run_pending(database_url: &str) -> StoreResult<Vec<String>> {
    with_sync_connection(database_url, |conn| {
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(migration_error)?;
        Ok(applied.iter().map(ToString::to_string).collect())
    })
    .await
}

/// Reverts every applied migration, newest first (used by the migrations test).
pub async fn revert_all(database_url: &str) -> StoreResult<Vec<String>> {
    with_sync_connection(database_url, |conn| {
        let reverted = conn
            .revert_all_migrations(MIGRATIONS)
            .map_err(migration_error)?;
        Ok(reverted.iter().map(ToString::to_string).collect())
    })
    .await
}

/// The versions of the embedded migrations, oldest first.
pub fn embedded_versions() -> Vec<String> {
    use diesel::migration::{Migration, MigrationSource};
    let migrations: Vec<Box<dyn Migration<diesel::pg::Pg>>> =
        MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS).unwrap_or_default();
    let mut versions: Vec<String> = migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    versions.sort();
    versions
}

diesel::table! {
    __diesel_schema_migrations (version) {
        version -> VarChar,
    }
}

/// True when every embedded migration has been applied (what `/readyz` reports).
pub async fn is_up_to_date(conn: &mut Conn) -> StoreResult<bool> {
    Ok(pending(conn).await?.is_empty())
}

/// The embedded migrations not applied yet, oldest first (all of them on a blank database).
pub async fn pending(conn: &mut Conn) -> StoreResult<Vec<String>> {
    let applied: Vec<String> = match __diesel_schema_migrations::table
        .select(__diesel_schema_migrations::version)
        .load(conn)
        .await
    {
        Ok(v) => v,
        // No migrations table yet: nothing has been applied.
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.message().contains("does not exist") =>
        {
            Vec::new()
        }
        Err(e) => return Err(e.into()),
    };
    Ok(embedded_versions()
        .into_iter()
        .filter(|v| !applied.contains(v))
        .collect())
}
