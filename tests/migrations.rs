//! Every down.sql must undo its up.sql exactly: apply all, revert all, apply again, and
//! compare the schema dumps.

use std::path::PathBuf;
use std::process::Command;

use gcm_store::migrations;
use gcm_test_support::TestDatabase;

/// pg_dump, found as the embedded cluster finds its programs (PATH, then the newest
/// /usr/lib/postgresql/*/bin).
fn pg_dump() -> PathBuf {
    gcm_embedded_postgres::find_program("pg_dump").expect("pg_dump is installed")
}

/// The schema, without the migrations bookkeeping table when `without_bookkeeping`.
fn dump_schema(url: &str, without_bookkeeping: bool) -> String {
    let mut command = Command::new(pg_dump());
    command.args([
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        "--dbname",
        url,
    ]);
    if without_bookkeeping {
        command.args(["--exclude-table", "__diesel_schema_migrations"]);
    }
    let output = command.output().expect("run pg_dump");
    assert!(
        output.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        // Newer pg_dump brackets the dump with a random key; it is not schema.
        .filter(|line| !line.starts_with("\\restrict") && !line.starts_with("\\unrestrict"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn down_migrations_revert_up_migrations_exactly() {
    let database = TestDatabase::blank().await;
    let url = database.url().to_owned();
    let empty = tokio::task::spawn_blocking({
        let url = url.clone();
        move || dump_schema(&url, true)
    })
    .await
    .expect("dump");

    let applied = migrations::run_pending(&url)
        .await
        .expect("apply migrations");
    assert_eq!(applied, migrations::embedded_versions());
    let migrated = dump_schema(&url, false);
    for object in [
        "CREATE TABLE public.objectives",
        "CREATE DOMAIN public.slug",
        "CREATE TEXT SEARCH CONFIGURATION public.gcm",
        "CREATE EXTENSION IF NOT EXISTS unaccent",
    ] {
        assert!(
            migrated.contains(object),
            "the dump lacks {object}; is the comparison blind?"
        );
    }

    let mut reverted = migrations::revert_all(&url)
        .await
        .expect("revert migrations");
    reverted.reverse();
    assert_eq!(reverted, migrations::embedded_versions());
    let after_revert = dump_schema(&url, true);
    assert_eq!(
        after_revert, empty,
        "something of ours survived the down migrations"
    );

    let reapplied = migrations::run_pending(&url)
        .await
        .expect("re-apply migrations");
    assert_eq!(reapplied, migrations::embedded_versions());
    let migrated_again = dump_schema(&url, false);
    assert_eq!(migrated_again, migrated, "re-applying gave another schema");
}
