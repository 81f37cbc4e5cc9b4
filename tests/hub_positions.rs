//! The Hub's order through curation (issue 15): an approved item has no place on the
//! Hub page until an admin gives it one, `sort: HUB` lists it after the placed items by
//! the Hub's stated rule, a place that collides is refused at its input path, and the
//! catalogue with curated items still exports and imports back as it was.

mod curation_support;

use curation_support::*;
use gcm_test_support::{ScratchDir, TestDatabase, TestServer};
use serde_json::{Value, json};

const SET: &str = "mutation($id: ID!, $objective: Int!, $position: Int) {
    setHubPosition(input: { id: $id, objective: $objective, position: $position }) {
        id hubPosition { objective { number } position } } }";

/// Objective 22's documents in HUB order: (slug, position or null).
async fn objective_22_documents(server: &TestServer) -> Vec<(String, Value)> {
    let page = data(
        server,
        None,
        "{ objective(number: 22) { resources(first: 100, filter: { sections: [DOCUMENTS] }) {
            nodes { slug hubPosition { objective { number } position } } } } }",
        json!({}),
    )
    .await;
    page["objective"]["resources"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            (
                n["slug"].as_str().expect("slug").to_owned(),
                n["hubPosition"]["position"].clone(),
            )
        })
        .collect()
}

/// Submits a resource on objectives 22 and 23 and approves it; returns the submission id.
async fn publish(server: &TestServer, cast: &Cast, title: &str) -> String {
    let mut input = resource_input(title);
    input["objectives"] = json!([22, 23]);
    let submitted = data(
        server,
        Some(&cast.contributor),
        &submit_resource(),
        json!({ "input": input }),
    )
    .await;
    let id = submitted["submitResource"]["id"]
        .as_str()
        .expect("a submission id")
        .to_owned();
    for reviewer in [&cast.external[0], &cast.external[1], &cast.internal] {
        decide_ok(server, reviewer, &id, "APPROVE").await;
    }
    id
}

fn export_then_import(db: &TestDatabase, fresh: &TestDatabase) {
    let dir = ScratchDir::new("hub_positions_export");
    let target = dir.path().join("catalogue");
    let run = |db: &TestDatabase, args: &[&str]| {
        let out = std::process::Command::new(BIN)
            .args(args)
            .env("DATABASE_URL", db.url())
            .output()
            .expect("running gcm-catalogue");
        assert!(out.status.success(), "{args:?}: {out:?}");
    };
    let target = target.to_str().expect("a UTF-8 path");
    run(db, &["export", target]);
    run(fresh, &["import", target]);
}

#[tokio::test]
async fn approved_items_are_unplaced_until_an_admin_places_them_and_the_export_keeps_it() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;

    // Published through review: objectives [22, 23], so objective 22's file lists it.
    let id = publish(&server, &cast, "Portable pensions").await;
    let item = data(
        &server,
        Some(&cast.contributor),
        "query($id: ID!) { submission(id: $id) { item { id slug } } }",
        json!({ "id": id }),
    )
    .await["submission"]["item"]
        .clone();
    let item_id = item["id"].as_str().expect("item id").to_owned();
    let slug = item["slug"].as_str().expect("slug").to_owned();

    let before = objective_22_documents(&server).await;
    let placed = before.iter().filter(|(_, p)| !p.is_null()).count();
    assert!(
        placed > 0,
        "objective 22 places some documents: {before:#?}"
    );
    assert_eq!(
        before.last(),
        Some(&(slug.clone(), Value::Null)),
        "an unplaced item comes after the placed ones: {before:#?}"
    );
    assert!(
        before[..placed].iter().all(|(_, p)| !p.is_null()),
        "{before:#?}"
    );

    // Only admins place items; a taken place, a place out of range and a page that is
    // not the item's file's are refused at their input path, changing nothing.
    assert_code(
        &call(
            &server,
            Some(&cast.contributor),
            SET,
            json!({ "id": item_id, "objective": 22, "position": 1 }),
        )
        .await,
        "FORBIDDEN",
    );
    let taken = call(
        &server,
        Some(&cast.admin),
        SET,
        json!({ "id": item_id, "objective": 22, "position": 1 }),
    )
    .await;
    assert_code(&taken, "BAD_USER_INPUT");
    let problem = &taken["errors"][0]["extensions"]["problems"][0];
    assert_eq!(problem["path"], json!(["input", "position"]), "{taken:#}");
    assert!(
        problem["message"]
            .as_str()
            .is_some_and(|m| m.contains("position 1") && m.contains(&before[0].0)),
        "{taken:#}"
    );
    // 23 is served but not the first objective, 6 is not served, 24 is no objective.
    for (objective, position, path) in [
        (22, 0, "position"),
        (23, 1, "objective"),
        (6, 1, "objective"),
        (24, 1, "objective"),
    ] {
        let refused = call(
            &server,
            Some(&cast.admin),
            SET,
            json!({ "id": item_id, "objective": objective, "position": position }),
        )
        .await;
        assert_code(&refused, "BAD_USER_INPUT");
        assert_eq!(
            refused["errors"][0]["extensions"]["problems"][0]["path"],
            json!(["input", path]),
            "{refused:#}"
        );
    }
    assert_eq!(objective_22_documents(&server).await, before);

    // A free place: the item reads it back and HUB lists it there.
    let free = placed as i64 + 1;
    let version = catalogue_version(&db).await;
    let set = data(
        &server,
        Some(&cast.admin),
        SET,
        json!({ "id": item_id, "objective": 22, "position": free }),
    )
    .await;
    assert_eq!(
        set["setHubPosition"]["hubPosition"],
        json!({ "objective": { "number": 22 }, "position": free })
    );
    assert!(catalogue_version(&db).await > version);
    let after = objective_22_documents(&server).await;
    assert_eq!(after[placed], (slug.clone(), json!(free)), "{after:#?}");

    // Editing the item's other links keeps its place.
    let links = data(
        &server,
        Some(&cast.admin),
        "mutation($id: ID!) { setItemLinks(id: $id, links: { objectives: [23, 22] }) {
            hubPosition { position } } }",
        json!({ "id": item_id }),
    )
    .await;
    assert_eq!(
        links["setItemLinks"]["hubPosition"]["position"],
        json!(free)
    );

    // The export, with the placed item and a second, unplaced one, imports back as it was.
    publish(&server, &cast, "Pensions across borders").await;
    let listed = objective_22_documents(&server).await;
    let fresh = TestDatabase::migrated().await;
    export_then_import(&db, &fresh);
    let copy = TestServer::start(BIN, fresh.url()).await;
    assert_eq!(objective_22_documents(&copy).await, listed);

    // Unplacing puts it back among the unplaced, by the Hub's rule.
    let unset = data(
        &server,
        Some(&cast.admin),
        SET,
        json!({ "id": item_id, "objective": 22, "position": null }),
    )
    .await;
    assert!(
        unset["setHubPosition"]["hubPosition"].is_null(),
        "{unset:#}"
    );
    let log = data(
        &server,
        Some(&cast.admin),
        "{ auditLog(filter: { action: \"item.set_hub_position\" }) { nodes { before after } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        log["auditLog"]["nodes"],
        json!([
            { "before": { "objective": 22, "position": null }, "after": { "objective": 22, "position": free } },
            { "before": { "objective": 22, "position": free }, "after": { "objective": 22, "position": null } },
        ])
    );
}
