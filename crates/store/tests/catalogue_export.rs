//! The exporter: it writes the import format back, and import → export → import is a
//! fixed point.

mod catalogue_common;

use catalogue_common::{TempDir, as_values, assert_same_dump, dump};
use gcm_store::catalogue::{self, bundled_files};
use gcm_test_support::{TestDatabase, workspace_root};
use serde_json::json;

#[tokio::test]
async fn the_export_of_the_bundled_catalogue_equals_its_files() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    catalogue::import_bundled(&pool).await.expect("import");
    let exported = as_values(&catalogue::export_files(&pool).await.expect("export"));
    let original = as_values(&bundled_files());
    assert_eq!(
        exported.keys().collect::<Vec<_>>(),
        original.keys().collect::<Vec<_>>()
    );
    for (name, value) in &original {
        assert!(
            &exported[name] == value,
            "{name} differs after export:\n{}",
            first_difference(value, &exported[name])
        );
    }
}

/// Where two JSON values first differ, for a readable failure.
fn first_difference(expected: &serde_json::Value, actual: &serde_json::Value) -> String {
    use serde_json::Value;
    fn walk(path: String, e: &Value, a: &Value) -> Option<String> {
        match (e, a) {
            (Value::Object(e), Value::Object(a)) => {
                for key in e.keys().chain(a.keys()) {
                    let (Some(ev), Some(av)) = (e.get(key), a.get(key)) else {
                        return Some(format!(
                            "{path}.{key}: {:?} vs {:?}",
                            e.get(key),
                            a.get(key)
                        ));
                    };
                    if let Some(d) = walk(format!("{path}.{key}"), ev, av) {
                        return Some(d);
                    }
                }
                None
            }
            (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
                .iter()
                .zip(a)
                .enumerate()
                .find_map(|(i, (ev, av))| walk(format!("{path}[{i}]"), ev, av)),
            _ if e == a => None,
            _ => Some(format!("{path}: {e} vs {a}")),
        }
    }
    walk(String::new(), expected, actual).unwrap_or_default()
}

#[tokio::test]
async fn import_export_import_is_a_fixed_point() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    catalogue::import_bundled(&pool).await.expect("import");
    let imported = dump(&db).await;
    let exported = catalogue::export_files(&pool).await.expect("export");

    // Into the same database: nothing changes.
    catalogue::import_files(&pool, &exported)
        .await
        .expect("the export imports");
    assert_same_dump(&imported, &dump(&db).await);

    // Into a fresh database: the same rows, ids included.
    let fresh = TestDatabase::migrated().await;
    catalogue::import_files(&fresh.pool(), &exported)
        .await
        .expect("the export imports");
    assert_same_dump(&imported, &dump(&fresh).await);
}

#[tokio::test]
async fn export_directory_writes_files_that_import_directory_reads_back() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    // The real data directory, README.md and all.
    catalogue::import_directory(&pool, &workspace_root().join("data/catalogue"))
        .await
        .expect("import");
    let imported = dump(&db).await;

    let dir = TempDir::new("export");
    let target = dir.0.join("catalogue");
    catalogue::export_directory(&pool, &target)
        .await
        .expect("export");
    let written = catalogue::read_directory(&target).await.expect("read back");
    assert_eq!(as_values(&written), as_values(&bundled_files()));

    let fresh = TestDatabase::migrated().await;
    catalogue::import_directory(&fresh.pool(), &target)
        .await
        .expect("import of the export");
    assert_same_dump(&imported, &dump(&fresh).await);
}

#[tokio::test]
async fn edits_made_in_the_database_show_up_in_the_export() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    catalogue::import_bundled(&pool).await.expect("import");
    db.client()
        .await
        .batch_execute(
            "UPDATE objectives SET short_name = 'Data and evidence' WHERE number = 1;
             UPDATE items SET summary = 'An edited summary.', title = 'An edited title'
                 WHERE slug = 'obj22-event-02-regional-social-security-forum-americas-san-jose';
             UPDATE items SET title = 'A video title', title_provenance = 'derived'
                 WHERE slug = 'obj22-video-01-portability-social-security-rights';
             DELETE FROM item_countries WHERE country_id = (SELECT id FROM countries WHERE iso3 = 'CRI');
             INSERT INTO item_countries SELECT i.id, c.id FROM items i, countries c
                 WHERE i.slug = 'obj22-event-02-regional-social-security-forum-americas-san-jose'
                   AND c.iso3 = 'PAN';",
        )
        .await
        .expect("editing");
    let exported = as_values(&catalogue::export_files(&pool).await.expect("export"));
    assert_eq!(
        exported["objectives.json"]["objectives"][0]["short_name"],
        json!("Data and evidence")
    );
    let event = &exported["objective_22_content.json"]["items"][3];
    assert_eq!(
        event["id"],
        json!("obj22-event-02-regional-social-security-forum-americas-san-jose")
    );
    assert_eq!(event["summary"], json!("An edited summary."));
    assert_eq!(event["title"], json!("An edited title"));
    assert_eq!(event["title_derived"], json!(true));
    let video = &exported["objective_22_content.json"]["items"][8];
    assert_eq!(
        (&video["title"], &video["title_derived"]),
        (&json!("A video title"), &json!(true))
    );
    assert_eq!(
        exported["links.json"]["item_geography"][3]["countries"],
        json!(["PAN"])
    );

    // Importing the edited export keeps the edits.
    let files: Vec<_> = catalogue::export_files(&pool).await.expect("export");
    catalogue::import_files(&pool, &files)
        .await
        .expect("the edited export imports");
    assert_eq!(
        db.scalar::<String>("SELECT short_name FROM objectives WHERE number = 1")
            .await,
        "Data and evidence"
    );
    assert_eq!(
        db.scalar::<String>("SELECT title || ' / ' || title_provenance FROM items WHERE slug = 'obj22-video-01-portability-social-security-rights'").await,
        "A video title / derived"
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(c.iso3, ',') FROM item_countries ic JOIN countries c ON c.id = ic.country_id
                   JOIN items i ON i.id = ic.item_id WHERE i.slug LIKE 'obj22-event-02%'").await,
        "PAN"
    );
}
