//! The read API against expectations computed independently — from the catalogue's JSON
//! files by hand, or by SQL on the database. The resolvers' logic runs in process
//! ([`TestApp`], the real router on a real PostgreSQL); what needs the process's metrics
//! (statement counts) runs on the real server.

use std::collections::{BTreeMap, BTreeSet};

use gcm_test_support::{TestApp, TestDatabase, TestServer, codes, workspace_root};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");

fn catalogue_file(name: &str) -> Value {
    let path = workspace_root().join("data/catalogue").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("read catalogue file"))
        .expect("parse catalogue file")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

async fn bundled_server() -> (TestDatabase, TestServer) {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    (db, server)
}

/// The walk the product owner names: objective → actions → guidance → items → countries.
const WALK: &str = "{ objectives { number actions { code guidanceSources { slug
    resources { slug countries { iso3 } } events { slug countries { iso3 } } projects { slug countries { iso3 } } } } } }";
const WALK_ONE: &str = "{ objective(number: 22) { number actions { code guidanceSources { slug
    resources { slug countries { iso3 } } events { slug countries { iso3 } } projects { slug countries { iso3 } } } } } }";

/// What the walk must return for objective 22, computed from links.json and the content file.
fn expected_walk() -> BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeSet<String>>>> {
    let links = catalogue_file("links.json");
    let content = catalogue_file("objective_22_content.json");
    let kind_of: BTreeMap<String, String> = content["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            let kind = match i["kind"].as_str().expect("kind") {
                "event" => "events",
                "project" => "projects",
                _ => "resources",
            };
            (i["id"].as_str().expect("id").to_owned(), kind.to_owned())
        })
        .collect();
    let countries_of: BTreeMap<String, Vec<String>> = links["item_geography"]
        .as_array()
        .expect("item_geography")
        .iter()
        .map(|g| {
            (
                g["item"].as_str().expect("item").to_owned(),
                strings(&g["countries"]),
            )
        })
        .collect();
    let items_of: BTreeMap<String, Vec<String>> = links["guidance_items"]
        .as_array()
        .expect("guidance_items")
        .iter()
        .map(|g| {
            (
                g["guidance"].as_str().expect("guidance").to_owned(),
                strings(&g["items"]),
            )
        })
        .collect();
    let mut expected = BTreeMap::new();
    for link in links["guidance_actions"]
        .as_array()
        .expect("guidance_actions")
    {
        let guidance = link["guidance"].as_str().expect("guidance").to_owned();
        for letter in strings(&link["actions"]) {
            let mut items: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for item in &items_of[&guidance] {
                let label = format!(
                    "{}:{}:{}",
                    kind_of[item],
                    item,
                    countries_of[item].join(",")
                );
                items
                    .entry(kind_of[item].clone())
                    .or_default()
                    .insert(label);
            }
            let per_action: &mut BTreeMap<String, BTreeMap<String, BTreeSet<String>>> =
                expected.entry(format!("22{letter}")).or_default();
            per_action.insert(guidance.clone(), items);
        }
    }
    expected
}

fn actual_walk(
    objective: &Value,
) -> BTreeMap<String, BTreeMap<String, BTreeMap<String, BTreeSet<String>>>> {
    let mut actual = BTreeMap::new();
    for action in objective["actions"].as_array().expect("actions") {
        let mut per_action = BTreeMap::new();
        for guidance in action["guidanceSources"]
            .as_array()
            .expect("guidanceSources")
        {
            let mut items: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for kind in ["resources", "events", "projects"] {
                for item in guidance[kind].as_array().expect("item list") {
                    let countries: Vec<&str> = item["countries"]
                        .as_array()
                        .expect("countries")
                        .iter()
                        .filter_map(|c| c["iso3"].as_str())
                        .collect();
                    let label = format!(
                        "{kind}:{}:{}",
                        item["slug"].as_str().expect("slug"),
                        countries.join(",")
                    );
                    items.entry(kind.to_owned()).or_default().insert(label);
                }
            }
            per_action.insert(guidance["slug"].as_str().expect("slug").to_owned(), items);
        }
        actual.insert(
            action["code"].as_str().expect("code").to_owned(),
            per_action,
        );
    }
    actual
}

#[tokio::test]
async fn the_full_walk_returns_exactly_the_curated_links() {
    let app = TestApp::with_bundled_catalogue().await;
    let data = app.data(WALK, json!({})).await;
    let objectives = data["objectives"].as_array().expect("objectives");
    assert_eq!(objectives.len(), 23);
    let o22 = objectives
        .iter()
        .find(|o| o["number"] == 22)
        .expect("objective 22");
    assert_eq!(actual_walk(o22), expected_walk());
    // Objectives whose text the catalogue does not hold have no actions: nothing invented.
    for objective in objectives.iter().filter(|o| o["number"] != 22) {
        assert_eq!(
            objective["actions"],
            json!([]),
            "objective {}",
            objective["number"]
        );
    }
}

async fn statements_for(server: &TestServer, query: &str) -> f64 {
    let before = server.metric("gcm_sql_statements_total").await;
    server.data(query, json!({})).await;
    server.metric("gcm_sql_statements_total").await - before
}

#[tokio::test]
async fn the_walk_costs_one_statement_per_level_at_any_breadth_and_size() {
    let (db, server) = bundled_server().await;
    // objectives, actions, guidance, items, countries: five levels that touch the database.
    assert_eq!(statements_for(&server, WALK_ONE).await, 5.0);
    assert_eq!(statements_for(&server, WALK).await, 5.0);

    // A generated catalogue 100 times larger (synthetic data, labelled so).
    let mut conn = gcm_store::build_pool(db.url(), &gcm_store::PoolConfig::default())
        .expect("pool")
        .get()
        .await
        .expect("connection");
    gcm_store::synthetic::generate(
        &mut conn,
        gcm_store::synthetic::SyntheticSize::items(1000),
        7,
    )
    .await
    .expect("generate");
    let client = db.client().await;
    let linked: i64 = client
        .query_one("SELECT count(*) FROM item_guidance_sources l JOIN guidance_source_actions a USING (guidance_source_id)", &[])
        .await
        .expect("count")
        .get(0);
    assert!(
        linked > 500,
        "the generated catalogue is walkable ({linked} action-guidance-item paths)"
    );
    assert_eq!(statements_for(&server, WALK_ONE).await, 5.0);
    assert_eq!(statements_for(&server, WALK).await, 5.0);
}

#[tokio::test]
async fn objective_22_serves_its_text_and_the_others_their_titles() {
    let app = TestApp::with_bundled_catalogue().await;
    let objectives = catalogue_file("objectives.json");
    let data = app
        .data(
            "{ objectives { number shortName title paragraph commitment actionsLeadIn }
               objective(number: 22) { commitment actions { code letter text }
                 relatedObjectives { objective { number } paragraph }
                 instruments { code kind number year }
                 policyOptions { number text label labelDerived } } }",
            json!({}),
        )
        .await;
    for (served, source) in data["objectives"]
        .as_array()
        .expect("list")
        .iter()
        .zip(objectives["objectives"].as_array().expect("src"))
    {
        assert_eq!(served["number"], source["number"]);
        assert_eq!(served["shortName"], source["short_name"]);
        assert_eq!(served["title"], source["title"]);
        assert_eq!(served["paragraph"], source["commitment_paragraph"]);
        assert_eq!(served["commitment"], source["commitment_text"]);
        assert_eq!(served["actionsLeadIn"], source["actions_lead_in"]);
    }
    let o22 = &data["objective"];
    let source = &objectives["objectives"][21];
    let actions: Vec<Value> = source["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| json!({ "code": format!("22{}", a["letter"].as_str().expect("letter")), "letter": a["letter"], "text": a["text"] }))
        .collect();
    assert_eq!(o22["actions"], Value::Array(actions));
    assert_eq!(
        o22["relatedObjectives"],
        json!([{ "objective": { "number": 5 }, "paragraph": 21 }, { "objective": { "number": 16 }, "paragraph": 32 },
               { "objective": { "number": 21 }, "paragraph": 37 }])
    );
    let codes: Vec<&str> = o22["instruments"]
        .as_array()
        .expect("instruments")
        .iter()
        .filter_map(|i| i["code"].as_str())
        .collect();
    assert_eq!(codes, ["C097", "C118", "C143", "C189", "R202"]);
    assert_eq!(o22["policyOptions"].as_array().map(Vec::len), Some(5));
    assert_eq!(o22["policyOptions"][0]["labelDerived"], true);
}

/// The resources in the Hub's GLOBAL_FIRST order, worked out by hand from the files:
/// global (newest first, undated last), then regional, then national.
const RESOURCES_GLOBAL_FIRST: [&str; 6] = [
    "obj22-training-02-ilo-guide-gcm-objective-22",
    "obj22-document-02-covid-19-impacts-migrant-workers",
    "obj22-document-01-issa-handbook-social-security-migrant-workers",
    "obj22-video-01-portability-social-security-rights",
    "obj22-video-02-ecowas-general-convention-social-security-animation",
    "obj22-training-01-nota-orientativa-integracion-socioeconomica-peru",
];

async fn slugs(app: &TestApp, field: &str, args: &str) -> (Vec<String>, Value) {
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({args})")
    };
    let query = format!(
        "{{ {field}{args} {{ totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ slug }} }} }} }}"
    );
    let data = app.data(&query, json!({})).await;
    let list = &data[field];
    let slugs = list["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["slug"].as_str().map(str::to_owned))
        .collect();
    (slugs, list.clone())
}

#[tokio::test]
async fn lists_sort_filter_and_paginate_the_bundled_catalogue() {
    let app = TestApp::with_bundled_catalogue().await;
    let (all, list) = slugs(&app, "resources", "").await;
    assert_eq!(all, RESOURCES_GLOBAL_FIRST);
    assert_eq!(list["totalCount"], 6);

    // Forward in pages of 4, then backward from the end in pages of 4.
    let (first, page) = slugs(&app, "resources", "first: 4").await;
    assert_eq!(first, RESOURCES_GLOBAL_FIRST[..4]);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let after = page["pageInfo"]["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let (rest, page) = slugs(&app, "resources", &format!("first: 4, after: \"{after}\"")).await;
    assert_eq!(rest, RESOURCES_GLOBAL_FIRST[4..]);
    assert_eq!(
        (
            page["pageInfo"]["hasNextPage"].clone(),
            page["pageInfo"]["hasPreviousPage"].clone()
        ),
        (json!(false), json!(true))
    );
    let (last, page) = slugs(&app, "resources", "last: 4").await;
    assert_eq!(last, RESOURCES_GLOBAL_FIRST[2..]);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], true);
    let before = page["pageInfo"]["startCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let (start, _) = slugs(&app, "resources", &format!("last: 4, before: \"{before}\"")).await;
    assert_eq!(start, RESOURCES_GLOBAL_FIRST[..2]);

    // Filters, each checked against the files by hand.
    let by = |args: &'static str| {
        let app = &app;
        async move { slugs(app, "resources", args).await.0 }
    };
    assert_eq!(
        by("filter: { countries: [\"PER\"] }").await,
        ["obj22-training-01-nota-orientativa-integracion-socioeconomica-peru"]
    );
    assert_eq!(
        by("filter: { language: [\"es\"] }").await,
        ["obj22-training-01-nota-orientativa-integracion-socioeconomica-peru"]
    );
    assert_eq!(
        by("filter: { regions: [\"africa\"] }").await,
        ["obj22-video-02-ecowas-general-convention-social-security-animation"]
    );
    assert_eq!(
        by("filter: { sections: [DOCUMENTS], published: { from: \"2016-01-01\" } }").await,
        ["obj22-document-02-covid-19-impacts-migrant-workers"]
    );
    assert_eq!(
        by("filter: { scope: [REGIONAL, NATIONAL] }").await,
        RESOURCES_GLOBAL_FIRST[4..]
    );
    assert_eq!(
        by("filter: { objectives: [5] }").await,
        Vec::<String>::new()
    );
    assert_eq!(by("filter: { countries: [] }").await, Vec::<String>::new());
    let (newest, _) = slugs(&app, "resources", "sort: NEWEST").await;
    assert_eq!(
        newest,
        [
            "obj22-training-01-nota-orientativa-integracion-socioeconomica-peru",
            "obj22-training-02-ilo-guide-gcm-objective-22",
            "obj22-document-02-covid-19-impacts-migrant-workers",
            "obj22-document-01-issa-handbook-social-security-migrant-workers",
            "obj22-video-01-portability-social-security-rights",
            "obj22-video-02-ecowas-general-convention-social-security-animation",
        ]
    );
    let (events, _) = slugs(&app, "events", "filter: { regions: [\"americas\"] }").await;
    assert_eq!(
        events,
        ["obj22-event-02-regional-social-security-forum-americas-san-jose"]
    );
    let (projects, _) = slugs(
        &app,
        "projects",
        "filter: { countries: [\"LCA\", \"ZAF\"] }",
    )
    .await;
    assert_eq!(
        projects,
        ["obj22-project-02-universal-social-protection-eastern-caribbean"]
    );
}

#[tokio::test]
async fn search_is_accent_insensitive_weights_titles_and_highlights() {
    let app = TestApp::with_bundled_catalogue().await;
    let search = |text: &'static str| {
        let app = &app;
        async move {
            app
                .data(
                    "query($t: String!) { search(text: $t) { totalCount edges { snippet relevance node { __typename slug } } } }",
                    json!({ "t": text }),
                )
                .await["search"]
                .clone()
        }
    };
    // "integracion" without the accent finds the Spanish "integración".
    let hits = search("integracion").await;
    assert_eq!(
        hits["edges"][0]["node"]["slug"],
        "obj22-training-01-nota-orientativa-integracion-socioeconomica-peru"
    );
    assert!(
        hits["edges"][0]["snippet"]
            .as_str()
            .expect("snippet")
            .contains("<mark>")
    );
    // "Handbook" is in the ISSA handbook's (external) title: it ranks first.
    let hits = search("handbook").await;
    assert_eq!(
        hits["edges"][0]["node"]["slug"],
        "obj22-document-01-issa-handbook-social-security-migrant-workers"
    );
    // Web-search syntax: a phrase, and exclusion.
    let hits = search("\"social security\" -ecowas").await;
    let found: Vec<&str> = hits["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["slug"].as_str())
        .collect();
    assert!(
        !found.is_empty()
            && !found
                .contains(&"obj22-video-02-ecowas-general-convention-social-security-animation")
    );
    // Hostile text is only ever a parameter.
    for text in [
        "'; DROP TABLE items; --",
        "\\",
        "a & | ! (",
        "\"",
        "<script>alert(1)</script>",
    ] {
        let body = app
            .graphql(
                "query($t: String!) { search(text: $t) { totalCount } }",
                json!({ "t": text }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{text:?}: {body}");
    }
    assert_eq!(
        app.data("{ resources { totalCount } }", json!({})).await["resources"]["totalCount"],
        6
    );
}

#[tokio::test]
async fn facets_count_the_bundled_catalogue() {
    let app = TestApp::with_bundled_catalogue().await;
    let data = app
        .data(
            "{ facets { total kinds { kind count } objectives { objective { number } count } regions { region { slug } count }
                countries { country { iso3 } count } sections { section count } scopes { scope count } years { year count } } }",
            json!({}),
        )
        .await;
    let f = &data["facets"];
    assert_eq!(f["total"], 10);
    let kinds: BTreeMap<String, i64> = f["kinds"]
        .as_array()
        .expect("kinds")
        .iter()
        .map(|k| {
            (
                k["kind"].as_str().expect("kind").to_owned(),
                k["count"].as_i64().expect("count"),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        BTreeMap::from([
            ("EVENT".to_owned(), 2),
            ("PROJECT".to_owned(), 2),
            ("RESOURCE".to_owned(), 6)
        ])
    );
    assert_eq!(
        f["objectives"],
        json!([{ "objective": { "number": 22 }, "count": 10 }])
    );
    assert_eq!(
        f["regions"],
        json!([{ "region": { "slug": "africa" }, "count": 3 }, { "region": { "slug": "americas" }, "count": 3 }])
    );
    let countries: BTreeSet<String> = f["countries"]
        .as_array()
        .expect("countries")
        .iter()
        .map(|c| {
            format!(
                "{}={}",
                c["country"]["iso3"].as_str().unwrap_or(""),
                c["count"]
            )
        })
        .collect();
    assert_eq!(
        countries,
        ["BRB=1", "CRI=1", "LCA=1", "PER=1", "ZAF=1"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    );
    assert_eq!(
        f["sections"],
        json!([{ "section": "DOCUMENTS", "count": 2 }, { "section": "TRAINING_AND_GUIDANCE", "count": 2 }, { "section": "VIDEOS", "count": 2 }])
    );
    assert_eq!(
        f["scopes"],
        json!([{ "scope": "GLOBAL", "count": 4 }, { "scope": "REGIONAL", "count": 3 }, { "scope": "NATIONAL", "count": 3 }])
    );
    assert_eq!(
        f["years"],
        json!([{ "year": 2023, "count": 1 }, { "year": 2021, "count": 1 }, { "year": 2020, "count": 1 }, { "year": 2015, "count": 1 }])
    );
}

#[tokio::test]
async fn errors_are_typed_and_absence_is_null() {
    let app = TestApp::with_bundled_catalogue().await;
    let cases: [(&str, Option<&str>); 9] = [
        (
            "{ objective(number: 99) { number } }",
            Some("BAD_USER_INPUT"),
        ),
        (
            "{ country(iso3: \"MEXX\") { name } }",
            Some("BAD_USER_INPUT"),
        ),
        ("{ country(iso3: \"ZZZ\") { name } }", None),
        (
            "{ resources(first: 101) { totalCount } }",
            Some("PAGE_TOO_LARGE"),
        ),
        (
            "{ resources(after: \"bm90IGEgY3Vyc29y\") { totalCount } }",
            Some("INVALID_CURSOR"),
        ),
        (
            "{ resources(sort: RELEVANCE) { totalCount } }",
            Some("BAD_USER_INPUT"),
        ),
        (
            "{ resources(first: 2, last: 2) { totalCount } }",
            Some("BAD_USER_INPUT"),
        ),
        ("{ node(id: \"garbage\") { id } }", Some("BAD_USER_INPUT")),
        (
            "{ search(text: \"   \") { totalCount } }",
            Some("BAD_USER_INPUT"),
        ),
    ];
    for (query, code) in cases {
        let body = app.graphql(query, json!({})).await;
        match code {
            Some(code) => assert_eq!(codes(&body), [code], "{query}: {body}"),
            None => assert!(
                body.get("errors").is_none() && body["data"]["country"].is_null(),
                "{query}: {body}"
            ),
        }
    }
    let body = app
        .graphql("{ resources(first: 101) { totalCount } }", json!({}))
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("100"),
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["max"], 100);
    // A cursor of one order is refused by another.
    let (_, page) = slugs(&app, "resources", "first: 1, sort: NEWEST").await;
    let cursor = page["pageInfo"]["endCursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let body = app
        .graphql(
            &format!("{{ resources(after: \"{cursor}\", sort: TITLE) {{ totalCount }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(codes(&body), ["INVALID_CURSOR"]);
}

#[tokio::test]
async fn every_entity_resolves_by_its_global_id() {
    let (_db, server) = bundled_server().await;
    let data = server
        .data(
            "{ objective(number: 22) { id number actions { id code guidanceSources { id slug } } instruments { id code } }
               regions { id slug } principles { id slug } documentTypes { id slug } country(iso3: \"PER\") { id iso3 }
               resources(first: 1) { nodes { id slug } } events(first: 1) { nodes { id slug } } projects(first: 1) { nodes { id slug } } }",
            json!({}),
        )
        .await;
    let pairs: Vec<(String, String, Value)> = vec![
        (
            "Objective".into(),
            "number".into(),
            data["objective"].clone(),
        ),
        (
            "Action".into(),
            "code".into(),
            data["objective"]["actions"][1].clone(),
        ),
        (
            "GuidanceSource".into(),
            "slug".into(),
            data["objective"]["actions"][0]["guidanceSources"][0].clone(),
        ),
        (
            "Instrument".into(),
            "code".into(),
            data["objective"]["instruments"][0].clone(),
        ),
        ("Region".into(), "slug".into(), data["regions"][0].clone()),
        (
            "GuidingPrinciple".into(),
            "slug".into(),
            data["principles"][3].clone(),
        ),
        (
            "DocumentType".into(),
            "slug".into(),
            data["documentTypes"][2].clone(),
        ),
        ("Country".into(), "iso3".into(), data["country"].clone()),
        (
            "Resource".into(),
            "slug".into(),
            data["resources"]["nodes"][0].clone(),
        ),
        (
            "Event".into(),
            "slug".into(),
            data["events"]["nodes"][0].clone(),
        ),
        (
            "Project".into(),
            "slug".into(),
            data["projects"]["nodes"][0].clone(),
        ),
    ];
    let ids: Vec<Value> = pairs.iter().map(|(_, _, v)| v["id"].clone()).collect();
    let fragments = "... on Objective { number } ... on Action { code } ... on GuidanceSource { slug } ... on Instrument { code }
        ... on Region { slug } ... on GuidingPrinciple { slug } ... on DocumentType { slug } ... on Country { iso3 }
        ... on Resource { slug } ... on Event { slug } ... on Project { slug }";
    let before = server.metric("gcm_sql_statements_total").await;
    let resolved = server
        .data(
            &format!("query($ids: [ID!]!) {{ nodes(ids: $ids) {{ __typename id {fragments} }} }}"),
            json!({ "ids": ids }),
        )
        .await;
    let spent = server.metric("gcm_sql_statements_total").await - before;
    assert!(
        spent <= 9.0,
        "nodes of 11 types cost {spent} statements (items share one)"
    );
    for ((typename, key, original), node) in pairs
        .iter()
        .zip(resolved["nodes"].as_array().expect("nodes"))
    {
        assert_eq!(&node["__typename"], typename);
        assert_eq!(node[key.as_str()], original[key.as_str()], "{typename}");
        let one = server
            .data(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": original["id"] }),
            )
            .await;
        assert_eq!(one["node"]["id"], original["id"]);
    }
    // Well formed but absent: null.
    let absent = gcm_id("Country:ZZZ");
    assert_eq!(
        server
            .data(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": absent })
            )
            .await["node"],
        Value::Null
    );
}

fn gcm_id(raw: &str) -> String {
    use std::fmt::Write;
    // base64url without padding, written out so the test does not share the server's encoder.
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = raw.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            let _ = write!(
                out,
                "{}",
                ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char
            );
        }
    }
    out
}

#[tokio::test]
async fn schema_graphql_is_what_the_server_serves() {
    let app = TestApp::with_bundled_catalogue().await;
    let served = app.data("{ _service { sdl } }", json!({})).await["_service"]["sdl"]
        .as_str()
        .expect("sdl")
        .to_owned();
    let committed =
        std::fs::read_to_string(workspace_root().join("schema.graphql")).expect("schema.graphql");
    assert!(
        served == committed,
        "schema.graphql differs from the served SDL; regenerate it with `cargo run -- schema > schema.graphql`"
    );
}

/// Pages through a generated catalogue in both directions and checks order, filter and
/// totals against the same questions asked in SQL.
#[tokio::test]
async fn lists_and_facets_of_a_generated_catalogue_match_sql() {
    // Synthetic data, labelled so.
    let db = TestDatabase::with_synthetic_catalogue(
        gcm_store::synthetic::SyntheticSize::items(2000),
        11,
    )
    .await;
    let app = TestApp::with_config(db, |_| {}).await;
    let client = app.db.client().await;

    // The most-used country among national resources, and the expected order in SQL.
    let iso3: String = client
        .query_one(
            "SELECT c.iso3 FROM item_countries ic JOIN countries c ON c.id = ic.country_id JOIN items i ON i.id = ic.item_id
             WHERE i.kind = 'resource' GROUP BY c.iso3 ORDER BY count(*) DESC, c.iso3 LIMIT 1",
            &[],
        )
        .await
        .expect("country")
        .get(0);
    let expected: Vec<String> = client
        .query(
            "SELECT i.slug FROM items i WHERE i.kind = 'resource' AND i.status = 'published'
               AND EXISTS (SELECT 1 FROM item_countries ic JOIN countries c ON c.id = ic.country_id
                           WHERE ic.item_id = i.id AND c.iso3 = $1)
             ORDER BY i.scope_rank, i.age_rank, i.id",
            &[&iso3],
        )
        .await
        .expect("expected order")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        expected.len() > 30,
        "a skewed country holds many items ({})",
        expected.len()
    );

    let filter = format!("filter: {{ countries: [\"{iso3}\"] }}");
    let mut forward = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let cursor = after
            .as_ref()
            .map(|c| format!(", after: \"{c}\""))
            .unwrap_or_default();
        let (page, list) = slugs(&app, "resources", &format!("{filter}, first: 7{cursor}")).await;
        assert_eq!(list["totalCount"], expected.len());
        forward.extend(page);
        if list["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = list["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(forward, expected);

    let mut backward = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let cursor = before
            .as_ref()
            .map(|c| format!(", before: \"{c}\""))
            .unwrap_or_default();
        let (mut page, list) =
            slugs(&app, "resources", &format!("{filter}, last: 9{cursor}")).await;
        page.extend(backward);
        backward = page;
        if list["pageInfo"]["hasPreviousPage"] != true {
            break;
        }
        before = list["pageInfo"]["startCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(backward, expected);

    // Title order (accent- and case-insensitive) agrees with SQL too.
    let (titled, _) = slugs(&app, "events", "sort: TITLE, first: 50").await;
    let expected_titles: Vec<String> = client
        .query("SELECT slug FROM items WHERE kind = 'event' AND status = 'published' ORDER BY title_key, id LIMIT 50", &[])
        .await
        .expect("titles")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(titled, expected_titles);

    // Facets by objective and scope, for a filter, against GROUP BY.
    let data = app
        .data(
            "{ facets(filter: { kinds: [RESOURCE], language: [\"fr\"] }) { total objectives { objective { number } count } scopes { scope count } } }",
            json!({}),
        )
        .await;
    let rows = client
        .query(
            "SELECT io.objective_number, count(*) FROM items i JOIN item_objectives io ON io.item_id = i.id
             WHERE i.kind = 'resource' AND i.language = 'fr' AND i.status = 'published' GROUP BY 1 ORDER BY 1",
            &[],
        )
        .await
        .expect("facet sql");
    let expected_objectives: Vec<Value> =
        rows.iter().map(|r| json!({ "objective": { "number": r.get::<_, i32>(0) }, "count": r.get::<_, i64>(1) })).collect();
    assert_eq!(
        data["facets"]["objectives"],
        Value::Array(expected_objectives)
    );
    let total: i64 = client
        .query_one("SELECT count(*) FROM items WHERE kind = 'resource' AND language = 'fr' AND status = 'published'", &[])
        .await
        .expect("total")
        .get(0);
    assert_eq!(data["facets"]["total"], total);

    // Only the dimensions asked for are counted, fragments included; one objective's
    // facets come from its listing.
    let data = app
        .data(
            "{ facets(filter: { objectives: [1] }) { total ...byRegion } }
             fragment byRegion on Facets { regions { region { slug } count } }",
            json!({}),
        )
        .await;
    let rows = client
        .query(
            "SELECT r.slug, count(*) FROM items i JOIN item_objectives io ON io.item_id = i.id
             JOIN item_regions ir ON ir.item_id = i.id JOIN regions r ON r.id = ir.region_id
             WHERE io.objective_number = 1 AND i.status = 'published' GROUP BY 1 ORDER BY 2 DESC, 1",
            &[],
        )
        .await
        .expect("region facet sql");
    let mut regions: Vec<(String, i64)> = data["facets"]["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .map(|r| {
            (
                r["region"]["slug"].as_str().unwrap_or_default().to_owned(),
                r["count"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    regions.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let expected: Vec<(String, i64)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert!(!expected.is_empty());
    assert_eq!(regions, expected);

    // Search on generated text: every hit really contains the word, and the count agrees with SQL.
    let hits = app.data("{ search(text: \"pensions\", first: 100) { totalCount edges { node { slug summary } } } }", json!({})).await;
    let sql_count: i64 = client
        .query_one("SELECT count(*) FROM items WHERE status = 'published' AND search @@ websearch_to_tsquery('gcm', 'pensions')", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(hits["search"]["totalCount"], sql_count);
    assert!(sql_count > 0);
}

/// `count` counts exactly up to its limit and says "at least" above it, at the root and
/// under each objective (text or kept counts alike); `totalCount` stays exact; a limit out
/// of range is BAD_USER_INPUT. Generated catalogue (synthetic data, labelled so) with a
/// deployment limit of 100, so broad searches pass it.
#[tokio::test]
async fn count_is_exact_up_to_its_limit_and_a_lower_bound_above_it() {
    let db = TestDatabase::with_synthetic_catalogue(
        gcm_store::synthetic::SyntheticSize::items(2000),
        11,
    )
    .await;
    let app = TestApp::with_config(db, |config| config.exact_count_limit = 100).await;
    let client = app.db.client().await;
    let matches = |text: &str| {
        let client = &client;
        let text = text.to_owned();
        async move {
            client
                .query_one(
                    "SELECT count(*) FROM items WHERE status = 'published' AND search @@ websearch_to_tsquery('gcm', $1)",
                    &[&text],
                )
                .await
                .expect("count")
                .get::<_, i64>(0)
        }
    };
    let query = "query($t: String!, $limit: Int) { search(text: $t, first: 3) {
                   totalCount count { count precision } limited: count(limit: $limit) { count precision }
                   edges { node { slug } } } }";
    let broad = matches("pensions").await;
    assert!(broad > 100, "the generated catalogue has {broad} matches");
    let data = app
        .data(query, json!({ "t": "pensions", "limit": 50 }))
        .await;
    assert_eq!(data["search"]["totalCount"], broad);
    assert_eq!(
        data["search"]["count"],
        json!({ "count": 100, "precision": "AT_LEAST" })
    );
    assert_eq!(
        data["search"]["limited"],
        json!({ "count": 50, "precision": "AT_LEAST" })
    );
    // A page is the same whichever count is asked for.
    assert_eq!(data["search"]["edges"].as_array().map(Vec::len), Some(3));

    // A narrow search (one item's title as a phrase) is counted exactly, at and above its size.
    let title: String = client
        .query_one(
            "SELECT title FROM items WHERE status = 'published' ORDER BY id LIMIT 1",
            &[],
        )
        .await
        .expect("a title")
        .get(0);
    let narrow = format!("\"{}\"", title.replace('"', ""));
    let few = matches(&narrow).await;
    assert!((1..=100).contains(&few), "{few} matches for {narrow}");
    for limit in [few, 100] {
        let data = app
            .data(query, json!({ "t": narrow, "limit": limit }))
            .await;
        assert_eq!(
            data["search"]["count"],
            json!({ "count": few, "precision": "EXACT" })
        );
        assert_eq!(
            data["search"]["limited"],
            json!({ "count": few, "precision": "EXACT" })
        );
        assert_eq!(data["search"]["totalCount"], few);
    }

    // Under every objective, in one batch: each objective's count agrees with SQL.
    let data = app
        .data(
            "{ objectives { number resources(filter: { text: \"pensions\" }) { totalCount count(limit: 7) { count precision } }
                                   events { totalCount count(limit: 3) { count precision } } } }",
            json!({}),
        )
        .await;
    let mut seen = BTreeSet::new();
    for objective in data["objectives"].as_array().expect("objectives") {
        for (list, limit) in [("resources", 7), ("events", 3)] {
            let total = objective[list]["totalCount"].as_i64().expect("totalCount");
            let expected = if total > limit {
                json!({ "count": limit, "precision": "AT_LEAST" })
            } else {
                json!({ "count": total, "precision": "EXACT" })
            };
            assert_eq!(
                objective[list]["count"], expected,
                "objective {}",
                objective["number"]
            );
            seen.insert(expected["precision"].to_string());
        }
    }
    assert_eq!(seen.len(), 2, "both precisions answered: {seen:?}");

    // Limits out of range.
    for limit in [0, -1, 101] {
        let body = app
            .graphql(query, json!({ "t": "pensions", "limit": limit }))
            .await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "limit {limit}: {body:#}");
        assert_eq!(body["errors"][0]["path"], json!(["search", "limited"]));
        assert_eq!(
            body["errors"][0]["message"], "`limit` must be between 1 and 100",
            "{body:#}"
        );
    }
}
