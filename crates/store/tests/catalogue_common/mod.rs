//! Helpers shared by the catalogue's database tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use gcm_store::catalogue::{CatalogueFile, bundled_files};
use gcm_test_support::TestDatabase;
use serde_json::Value;

/// Every table's rows as JSON text, in a stable order; timestamps (which an import
/// sets) and the catalogue version (which every import bumps) are left out.
pub async fn dump(db: &TestDatabase) -> BTreeMap<String, String> {
    let client = db.client().await;
    let tables = client
        .query(
            "SELECT tablename FROM pg_tables
             WHERE schemaname = 'public' AND tablename <> '__diesel_schema_migrations'
             ORDER BY tablename",
            &[],
        )
        .await
        .expect("listing tables");
    let mut out = BTreeMap::new();
    for row in tables {
        let table: String = row.get(0);
        let sql = format!(
            "SELECT coalesce(jsonb_agg(r ORDER BY r::text), '[]')::text FROM (
                 SELECT to_jsonb(t) - '{{created_at,updated_at,imported_at,changed_at,version}}'::text[] AS r
                 FROM {table} t) rows"
        );
        let rows: String = client
            .query_one(&sql, &[])
            .await
            .expect("dumping a table")
            .get(0);
        out.insert(table, rows);
    }
    out
}

pub fn assert_same_dump(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) {
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (table, rows) in before {
        assert_eq!(rows, &after[table], "table {table} differs");
    }
}

pub async fn catalogue_version(db: &TestDatabase) -> i64 {
    db.scalar("SELECT version FROM catalogue_version").await
}

pub fn as_values(files: &[CatalogueFile]) -> BTreeMap<String, Value> {
    files
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                serde_json::from_str(&f.text).expect("a file is JSON"),
            )
        })
        .collect()
}

/// The bundled catalogue with `change` applied to the parsed `file`.
pub fn bundled_with(file: &str, change: impl Fn(&mut Value)) -> Vec<CatalogueFile> {
    bundled_files()
        .into_iter()
        .map(|f| {
            if f.name != file {
                return f;
            }
            let mut value: Value = serde_json::from_str(&f.text).expect("bundled files are JSON");
            change(&mut value);
            CatalogueFile {
                text: serde_json::to_string_pretty(&value).expect("serialisable"),
                name: f.name,
            }
        })
        .collect()
}

/// A directory of its own under the system's temporary directory, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(label: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path = std::env::temp_dir().join(format!("gcm-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("creating a temporary directory");
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
