//! Issue 15, "lost on the way out": the organisation a contributor submits with an event
//! or a project is read back by the public once published, and clients filter and facet
//! by organisation as the Hub filters by publisher.
//!
//! The submitted items are test data (made-up titles, real organisation names); the
//! bundled catalogue's own organisations (ISSA, ILO) are read as the source gives them.

mod curation_support;

use curation_support::{BIN, Cast, assert_code, call, data, decide_ok};
use gcm_test_support::{TestDatabase, TestServer};
use serde_json::{Value, json};

/// What a listing page shows of an item, whatever its kind.
const CARD: &str = "fragment Card on CatalogueItem { __typename id title organisation scope geographySource geographyReason }";

async fn submit_and_publish(server: &TestServer, cast: &Cast, field: &str, input: Value) -> String {
    let query = format!(
        "mutation($input: {}Input!) {{ {field}(input: $input) {{ id item {{ id }} }} }}",
        capitalised(field)
    );
    let body = data(
        server,
        Some(&cast.contributor),
        &query,
        json!({ "input": input }),
    )
    .await;
    let id = body[field]["id"]
        .as_str()
        .expect("submission id")
        .to_owned();
    let item = body[field]["item"]["id"]
        .as_str()
        .expect("item id")
        .to_owned();
    decide_ok(server, &cast.external[0], &id, "APPROVE").await;
    decide_ok(server, &cast.external[1], &id, "APPROVE").await;
    assert_eq!(
        decide_ok(server, &cast.internal, &id, "APPROVE").await,
        "PUBLISHED"
    );
    item
}

fn capitalised(field: &str) -> String {
    let mut chars = field.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_submitted_organiser_and_implementer_are_read_back_filtered_and_faceted() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;

    let event = submit_and_publish(
        &server,
        &cast,
        "submitEvent",
        json!({
            "title": "Test forum on portable social security",
            "summary": "A regional forum (test data).",
            "objectives": [22],
            "country": "PER", "city": "Lima",
            "startsOn": "2026-05-01", "endsOn": "2026-05-02",
            "organisation": "Organización Internacional para las Migraciones (OIM)"
        }),
    )
    .await;
    let project = submit_and_publish(
        &server,
        &cast,
        "submitProject",
        json!({
            "title": "Test project on pension portability",
            "summary": "A national project (test data).",
            "objectives": [22],
            "countries": ["MEX"],
            "organisation": "ILO"
        }),
    )
    .await;

    // The public reads both back through the interface, as an item page does.
    let nodes = data(
        &server,
        None,
        &format!("query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ...Card }} }} {CARD}"),
        json!({ "ids": [event, project] }),
    )
    .await;
    assert_eq!(nodes["nodes"][0]["__typename"], "Event");
    assert_eq!(
        nodes["nodes"][0]["organisation"],
        "Organización Internacional para las Migraciones (OIM)"
    );
    assert_eq!(nodes["nodes"][1]["__typename"], "Project");
    assert_eq!(nodes["nodes"][1]["organisation"], "ILO");
    // Their geography is the contributor's; the bundled items' is the curators'.
    assert_eq!(nodes["nodes"][0]["geographySource"], "SUBMITTED");
    assert_eq!(nodes["nodes"][1]["geographySource"], "SUBMITTED");

    // A "publisher" menu: the facet lists the organisations, and each value runs
    // unchanged as a filter; case and accents are ignored when a user types one.
    let page = format!(
        "query($filter: ItemFilter) {{
           facets(filter: $filter) {{ total organisations {{ organisation count }} }}
           resources(filter: $filter) {{ totalCount nodes {{ ...Card }} }}
           events(filter: $filter) {{ totalCount nodes {{ ...Card }} }}
           projects(filter: $filter) {{ totalCount nodes {{ ...Card }} }}
         }} {CARD}"
    );
    let all = data(
        &server,
        None,
        &page,
        json!({ "filter": { "objectives": [22] } }),
    )
    .await;
    let menu: Vec<(String, i64)> = all["facets"]["organisations"]
        .as_array()
        .expect("organisations")
        .iter()
        .map(|o| {
            (
                o["organisation"].as_str().expect("name").to_owned(),
                o["count"].as_i64().expect("count"),
            )
        })
        .collect();
    assert_eq!(
        menu,
        vec![
            ("ILO".to_owned(), 2),
            ("ISSA".to_owned(), 1),
            (
                "Organización Internacional para las Migraciones (OIM)".to_owned(),
                1
            ),
        ],
        "most items first, then by name"
    );
    for (organisation, count) in &menu {
        let filtered = data(
            &server,
            None,
            &page,
            json!({ "filter": { "objectives": [22], "organisations": [organisation] } }),
        )
        .await;
        assert_eq!(filtered["facets"]["total"], *count, "{organisation}");
        let listed: Vec<&Value> = ["resources", "events", "projects"]
            .iter()
            .flat_map(|list| filtered[list]["nodes"].as_array().expect("nodes"))
            .collect();
        assert_eq!(listed.len() as i64, *count, "{organisation}: {filtered:#}");
        assert!(
            listed.iter().all(|n| n["organisation"] == *organisation),
            "{organisation}: {filtered:#}"
        );
    }
    let typed = data(
        &server,
        None,
        &page,
        json!({ "filter": { "organisations": ["organizacion internacional para las migraciones (oim)", "issa"] } }),
    )
    .await;
    assert_eq!(typed["facets"]["total"], 2);
    assert_eq!(typed["events"]["nodes"][0]["id"], json!(event));
    assert_eq!(typed["resources"]["totalCount"], 1);
    assert_eq!(typed["resources"]["nodes"][0]["geographySource"], "CURATED");
    let ilo = data(
        &server,
        None,
        &page,
        json!({ "filter": { "organisations": ["ILO"], "kinds": ["RESOURCE"] } }),
    )
    .await;
    // links.json's reason for the ILO guide's global scope.
    assert_eq!(
        ilo["resources"]["nodes"][0]["geographyReason"],
        "guide for governments generally"
    );
    assert_eq!(typed["projects"]["totalCount"], 0);

    // `first` bounds the facet; bad values are typed errors.
    let one = data(
        &server,
        None,
        "{ facets { organisations(first: 1) { organisation count } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        one["facets"]["organisations"],
        json!([{ "organisation": "ILO", "count": 2 }])
    );
    for filter in [
        json!({ "organisations": ["   "] }),
        json!({ "organisations": ["ILO\u{0}"] }),
        json!({ "organisations": vec!["ILO"; 101] }),
    ] {
        let body = call(
            &server,
            None,
            "query($filter: ItemFilter) { facets(filter: $filter) { total } }",
            json!({ "filter": filter }),
        )
        .await;
        assert_code(&body, "BAD_USER_INPUT");
    }
}
