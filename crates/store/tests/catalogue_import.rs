//! The importer against a real PostgreSQL: what a fresh import holds, that importing
//! again changes nothing, and that a refused or failed import leaves the catalogue as it was.

mod catalogue_common;

use catalogue_common::{assert_same_dump, bundled_with, catalogue_version, dump};
use gcm_store::catalogue::{self, ImportError, ImportSummary};
use gcm_test_support::TestDatabase;
use serde_json::json;

#[tokio::test]
async fn a_fresh_import_holds_the_whole_bundled_catalogue() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    assert!(!catalogue::has_catalogue(&pool).await.expect("query"));
    let summary = catalogue::import_bundled(&pool)
        .await
        .expect("the bundled catalogue imports");
    assert_eq!(
        summary,
        ImportSummary {
            objectives: 23,
            principles: 10,
            regions: 5,
            countries: 195,
            document_types: 12,
            instruments: 5,
            guidance_sources: 4,
            items: 10,
            catalogue_version: 1,
        }
    );
    assert!(catalogue::has_catalogue(&pool).await.expect("query"));

    for (table, expected) in [
        ("objectives", 23),
        ("guiding_principles", 10),
        ("regions", 5),
        ("countries", 195),
        ("document_types", 12),
        ("instruments", 5),
        ("guidance_sources", 4),
        ("items", 10),
        ("catalogue_files", 9),
    ] {
        assert_eq!(
            db.scalar::<i64>(&format!("SELECT count(*) FROM {table}"))
                .await,
            expected,
            "{table}"
        );
    }
    assert_eq!(
        db.scalar::<i64>("SELECT count(*) FROM countries WHERE name = 'Global' OR slug = 'global'")
            .await,
        0
    );
    assert_eq!(
        db.scalar::<String>(
            "SELECT short_name || ' | ' || title FROM objectives WHERE number = 22"
        )
        .await,
        "Social protection | Establish mechanisms for the portability of social security entitlements and earned benefits"
    );
    assert_eq!(
        db.scalar::<String>("SELECT short_name || ' | ' || title FROM objectives WHERE number = 2")
            .await,
        "Minimize adverse drivers | Minimize the adverse drivers and structural factors that compel people to leave their country of origin"
    );
    // Only objective 22 has its commitment and actions; nothing is invented for the others.
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(number::text, ',') FROM objectives WHERE commitment_text IS NOT NULL OR actions_lead_in IS NOT NULL").await,
        "22"
    );
    assert_eq!(
        db.scalar::<String>(
            "SELECT string_agg(objective_number || letter, ',' ORDER BY letter) FROM actions"
        )
        .await,
        "22a,22b,22c"
    );
    assert_eq!(
        db.scalar::<i64>(
            "SELECT count(*) FROM objectives WHERE commitment_paragraph <> number + 16"
        )
        .await,
        0
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(i.code || ':' || oi.objective_number, ',' ORDER BY i.code) FROM instruments i JOIN objective_instruments oi ON oi.instrument_id = i.id").await,
        "C097:22,C118:22,C143:22,C189:22,R202:22"
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(objective_number || '.' || number, ',' ORDER BY number) FROM policy_options").await,
        "22.1,22.2,22.3,22.4,22.5"
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(related_number || '@' || paragraph, ',' ORDER BY position) FROM related_objectives WHERE objective_number = 22").await,
        "5@21,16@32,21@37"
    );
    assert_eq!(
        db.scalar::<i64>("SELECT count(*) FROM objective_pages WHERE objective_number = 22")
            .await,
        1
    );

    // Guidance sources keep the dataset's ids as slugs and link to actions per links.json.
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(g.slug || ':' || a.letter, ',' ORDER BY g.slug, a.letter)
                   FROM guidance_sources g JOIN guidance_source_actions ga ON ga.guidance_source_id = g.id
                   JOIN actions a ON a.id = ga.action_id").await,
        "quno-obj22-sp-01:a,quno-obj22-sp-01:b,quno-obj22-sp-02:a,quno-obj22-sp-02:c,quno-obj22-sp-03:a,quno-obj22-sp-04:b"
    );

    // Items: kinds and sections, all on objective 22.
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(kind || '/' || coalesce(section, '-') || ':' || n, ',' ORDER BY kind, section)
                   FROM (SELECT kind, section, count(*) AS n FROM items GROUP BY kind, section) k").await,
        "event/-:2,project/-:2,resource/documents:2,resource/training_and_guidance:2,resource/videos:2"
    );
    assert_eq!(
        db.scalar::<i64>("SELECT count(*) FROM item_objectives WHERE objective_number = 22")
            .await,
        10
    );
    assert_eq!(
        db.scalar::<i64>("SELECT count(*) FROM item_objectives")
            .await,
        10
    );
    assert_eq!(
        db.scalar::<i64>("SELECT count(*) FROM items WHERE status = 'published'")
            .await,
        10
    );
    assert_eq!(
        db.scalar::<String>(
            "SELECT string_agg(title_provenance || ':' || n, ',' ORDER BY title_provenance)
                   FROM (SELECT title_provenance, count(*) AS n FROM items GROUP BY 1) p"
        )
        .await,
        "derived:2,external:5,seed:3"
    );
    assert_eq!(
        db.scalar::<String>(
            "SELECT string_agg(slug, ',' ORDER BY slug) FROM items WHERE title IS NULL"
        )
        .await,
        "obj22-training-01-nota-orientativa-integracion-socioeconomica-peru,\
         obj22-video-01-portability-social-security-rights,\
         obj22-video-02-ecowas-general-convention-social-security-animation"
    );
    assert_eq!(
        db.scalar::<String>("SELECT title FROM items WHERE slug = 'obj22-event-02-regional-social-security-forum-americas-san-jose'").await,
        "Regional Social Security Forum for the Americas"
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(i.city || '/' || c.iso2, ',' ORDER BY i.slug)
                   FROM items i JOIN countries c ON c.id = i.event_country_id WHERE i.kind = 'event'").await,
        "Johannesburg/ZA,San Jose/CR"
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(coalesce(published_on::text, '-') || '/' || coalesce(language, '-'), ',' ORDER BY slug)
                   FROM items WHERE kind = 'resource'").await,
        "2015-04-01/-,2020-06-24/-,2023-04-05/es,2021-11-08/en,-/-,-/-"
    );

    // Items to guidance (links.json guidance_items) and geography (item_geography).
    assert_eq!(
        db.scalar::<i64>("SELECT count(*) FROM item_guidance_sources")
            .await,
        16
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(i.slug, ',' ORDER BY i.slug) FROM items i
                   JOIN item_guidance_sources ig ON ig.item_id = i.id
                   JOIN guidance_sources g ON g.id = ig.guidance_source_id WHERE g.slug = 'quno-obj22-sp-03'").await,
        "obj22-document-02-covid-19-impacts-migrant-workers,obj22-event-01-sadc-social-services-johannesburg,\
         obj22-training-02-ilo-guide-gcm-objective-22"
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(scope || ':' || n, ',' ORDER BY scope) FROM (SELECT scope, count(*) AS n FROM items GROUP BY 1) s").await,
        "global:4,national:3,regional:3"
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(substr(i.slug, 7, 10) || '>' || r.slug, ',' ORDER BY i.slug)
                   FROM items i JOIN item_regions ir ON ir.item_id = i.id JOIN regions r ON r.id = ir.region_id").await,
        "event-01-s>africa,event-02-r>americas,project-01>africa,project-02>americas,training-0>americas,video-02-e>africa"
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(c.iso3, ',' ORDER BY i.slug, c.iso3)
                   FROM items i JOIN item_countries ic ON ic.item_id = i.id JOIN countries c ON c.id = ic.country_id").await,
        "ZAF,CRI,BRB,LCA,PER"
    );
}

#[tokio::test]
async fn importing_twice_changes_nothing() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    catalogue::import_bundled(&pool)
        .await
        .expect("first import");
    let first = dump(&db).await;
    let updated_at = db
        .scalar::<String>("SELECT string_agg(updated_at::text, ',' ORDER BY id) FROM items")
        .await;
    let summary = catalogue::import_bundled(&pool)
        .await
        .expect("second import");
    assert_eq!(
        summary.catalogue_version, 2,
        "every import bumps the version"
    );
    assert_same_dump(&first, &dump(&db).await);
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(updated_at::text, ',' ORDER BY id) FROM items")
            .await,
        updated_at,
        "unchanged items are not rewritten"
    );
}

#[tokio::test]
async fn a_refused_import_leaves_the_catalogue_untouched() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    catalogue::import_bundled(&pool).await.expect("import");
    let before = dump(&db).await;
    let bad = bundled_with("countries.json", |v| {
        v["countries"][113]["iso_alpha3"] = json!("MEXX");
        v["countries"][113]["name"] = json!("Mexico (renamed)");
    });
    match catalogue::import_files(&pool, &bad).await {
        Err(ImportError::Invalid(problems)) => assert_eq!(
            problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                r#"countries.json: countries[113].iso_alpha3: "MEXX" is not an ISO 3166-1 alpha-3 code"#
            ]
        ),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_same_dump(&before, &dump(&db).await);
    assert_eq!(
        catalogue_version(&db).await,
        1,
        "a refused import is not a change"
    );
}

#[tokio::test]
async fn an_import_that_fails_while_writing_leaves_the_catalogue_untouched() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    catalogue::import_bundled(&pool).await.expect("import");
    let before = dump(&db).await;
    // The database refuses the items, which are written after everything else.
    db.client()
        .await
        .batch_execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN RAISE EXCEPTION 'refused by the test'; END $$;
             CREATE TRIGGER refuse BEFORE INSERT OR UPDATE ON items FOR EACH ROW EXECUTE FUNCTION refuse();",
        )
        .await
        .expect("installing the trigger");
    let changed = bundled_with("objective_22_content.json", |v| {
        v["items"][0]["summary"] = json!("A changed summary.");
        v["page_heading"] = json!("A changed heading");
    });
    let changed: Vec<_> = changed
        .into_iter()
        .map(|mut f| {
            if f.name == "objectives.json" {
                f.text = f.text.replace("\"Data\"", "\"Data and evidence\"");
            }
            f
        })
        .collect();
    let result = catalogue::import_files(&pool, &changed).await;
    assert!(
        matches!(&result, Err(ImportError::Store(e)) if e.to_string().contains("refused by the test")),
        "{result:?}"
    );
    assert_same_dump(&before, &dump(&db).await);
    assert_eq!(catalogue_version(&db).await, 1);
}

#[tokio::test]
async fn items_added_outside_the_files_survive_an_import() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    catalogue::import_bundled(&pool).await.expect("import");
    db.client()
        .await
        .batch_execute(
            "INSERT INTO items (slug, kind, title, title_provenance, summary, scope, status, position)
             VALUES ('partner-report', 'project', 'A partner project', 'seed', 'Added through the API.',
                     'regional', 'under_review', 1);
             INSERT INTO item_objectives SELECT id, 22 FROM items WHERE slug = 'partner-report';
             INSERT INTO item_objectives SELECT id, 5 FROM items WHERE slug = 'partner-report';
             INSERT INTO item_regions SELECT i.id, r.id FROM items i, regions r
                 WHERE i.slug = 'partner-report' AND r.slug = 'asia';
             INSERT INTO item_guidance_sources SELECT i.id, g.id FROM items i, guidance_sources g
                 WHERE i.slug = 'partner-report' AND g.slug = 'quno-obj22-sp-02';",
        )
        .await
        .expect("adding a partner item");
    let before = dump(&db).await;
    catalogue::import_bundled(&pool)
        .await
        .expect("import again");
    assert_same_dump(&before, &dump(&db).await);
    assert_eq!(db.scalar::<i64>("SELECT count(*) FROM items").await, 11);

    // The export carries it; importing that export keeps it as it was (its `source` now
    // holds the exported record) and from there export → import is a fixed point.
    let exported = catalogue::export_files(&pool).await.expect("export");
    let page = exported
        .iter()
        .find(|f| f.name == "objective_5_content.json")
        .expect("objective 5 has an item");
    let page: serde_json::Value = serde_json::from_str(&page.text).expect("JSON");
    assert_eq!(page["items"][0]["id"], json!("partner-report"));
    assert_eq!(page["items"][0]["status"], json!("under_review"));
    assert_eq!(page["items"][0]["other_objectives"], json!([22]));
    let partner = "SELECT i.id || i.kind || i.title || i.status || i.scope || i.summary
                          || (SELECT string_agg(objective_number::text, ',' ORDER BY 1) FROM item_objectives WHERE item_id = i.id)
                          || (SELECT string_agg(r.slug, ',') FROM item_regions ir JOIN regions r ON r.id = ir.region_id WHERE item_id = i.id)
                          || (SELECT string_agg(g.slug, ',') FROM item_guidance_sources ig
                              JOIN guidance_sources g ON g.id = ig.guidance_source_id WHERE item_id = i.id)
                   FROM items i WHERE slug = 'partner-report'";
    let partner_before = db.scalar::<String>(partner).await;
    catalogue::import_files(&pool, &exported)
        .await
        .expect("re-import of the export");
    assert_eq!(db.scalar::<String>(partner).await, partner_before);
    let settled = dump(&db).await;
    let exported_again = catalogue::export_files(&pool).await.expect("export");
    assert_eq!(
        catalogue_common::as_values(&exported_again),
        catalogue_common::as_values(&exported)
    );
    catalogue::import_files(&pool, &exported_again)
        .await
        .expect("re-import");
    assert_same_dump(&settled, &dump(&db).await);
}

#[tokio::test]
async fn reordered_lists_are_imported() {
    let db = TestDatabase::migrated().await;
    let pool = db.pool();
    catalogue::import_bundled(&pool).await.expect("import");
    // A row the files do not have keeps its place after theirs.
    db.client()
        .await
        .batch_execute(
            "INSERT INTO document_types (slug, name, position) VALUES ('podcast', 'Podcast', 13)",
        )
        .await
        .expect("adding a document type");
    let document_types = catalogue_common::bundled_with("document_types.json", |v| {
        let types = v["document_types"].as_array_mut().expect("array");
        types.swap(0, 1);
        types[0]["position"] = json!(1);
        types[1]["position"] = json!(2);
    });
    let mut files = catalogue_common::bundled_with("guidance.json", |v| {
        v["special_procedures"]
            .as_array_mut()
            .expect("array")
            .swap(0, 3);
    });
    files.retain(|f| f.name != "document_types.json");
    files.extend(
        document_types
            .into_iter()
            .filter(|f| f.name == "document_types.json"),
    );
    catalogue::import_files(&pool, &files)
        .await
        .expect("reordered lists import");
    assert_eq!(
        db.scalar::<String>(
            "SELECT string_agg(slug || '@' || position, ',' ORDER BY position) FROM document_types
                   WHERE position <= 2 OR position >= 12"
        )
        .await,
        "e-learning-course@1,analysis@2,other@12,podcast@13"
    );
    assert_eq!(
        db.scalar::<String>("SELECT string_agg(slug || '@' || position, ',' ORDER BY position) FROM guidance_sources").await,
        "quno-obj22-sp-04@1,quno-obj22-sp-02@2,quno-obj22-sp-03@3,quno-obj22-sp-01@4"
    );
}
