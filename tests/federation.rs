//! The subgraph proven with Apollo's own tools (tests/federation/run.mjs): composition
//! with a partner subgraph, a real gateway in front of both, queries across subgraphs in
//! both directions, and the ftv1 trace decoded by Apollo's protobuf package. Also the
//! `_entities` contract: batched, and per-representation nulls with indexed errors. The same
//! subgraphs behind Hive Gateway (tests/federation/hive.mjs), with its demand control and a
//! subscription through it.

mod curation_support;

use curation_support::BIN;

use gcm_test_support::{TestDatabase, TestServer};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

#[tokio::test]
async fn composes_with_a_partner_and_serves_queries_through_a_real_gateway() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    let url = server.url("/graphql");
    let output =
        gcm_test_support::run_node("federation", "@apollo/gateway", "run.mjs", vec![url]).await;
    assert!(
        output.status.success(),
        "run.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The report is the last line: libraries may log above it.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last_line = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    let report: Value = serde_json::from_str(last_line).expect("run.mjs prints one JSON report");

    assert_eq!(
        report["composition"]["errors"],
        json!([]),
        "composition errors"
    );
    assert_eq!(
        report["composition"]["hints"],
        json!([]),
        "composition hints"
    );

    // Partner → catalogue: the catalogue fills in names, titles and actions via _entities.
    let highlights = &report["partnerToCatalogue"]["data"]["partnerHighlights"];
    assert_eq!(highlights[0]["country"]["name"], "Peru");
    assert_eq!(highlights[0]["country"]["region"]["name"], "Americas");
    assert_eq!(highlights[0]["country"]["partnerOfficeCount"], 3);
    assert_eq!(highlights[0]["objective"]["shortName"], "Social protection");
    assert_eq!(
        highlights[0]["objective"]["actions"],
        json!([{ "code": "22a" }, { "code": "22b" }, { "code": "22c" }])
    );
    assert_eq!(highlights[1]["country"]["name"], "South Africa");
    assert_eq!(highlights[1]["objective"]["actions"], json!([]));
    // An unknown country is null for that highlight only, with an error; the others resolve.
    assert_eq!(highlights[2]["country"], Value::Null);
    assert_eq!(highlights[2]["objective"]["number"], 22);
    let errors = report["partnerToCatalogue"]["errors"]
        .as_array()
        .expect("an error for the unknown country");
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap_or("").contains("ZZZ")),
        "{errors:?}"
    );

    // Catalogue → partner.
    let data = &report["catalogueToPartner"]["data"];
    assert_eq!(
        data["objective"]["partnerPrograms"],
        json!(["fixture-programme-22"])
    );
    assert_eq!(
        data["objective"]["guidanceSources"]
            .as_array()
            .map(Vec::len),
        Some(4)
    );
    assert_eq!(data["country"]["name"], "Peru");
    assert_eq!(data["country"]["partnerOfficeCount"], 3);
    assert_eq!(data["country"]["resources"]["totalCount"], 1);
    assert!(
        report["catalogueToPartner"].get("errors").is_none(),
        "{}",
        report["catalogueToPartner"]
    );

    // ftv1: decoded by Apollo's protobuf package, with a timed node per field.
    let ftv1 = &report["ftv1"];
    assert_eq!(
        ftv1["untracedHasFtv1"], false,
        "traces only when the router asks"
    );
    assert_eq!(ftv1["hasStartTime"], true);
    assert!(ftv1["durationNs"].as_f64().unwrap_or(0.0) > 0.0);
    let paths: Vec<&str> = ftv1["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter_map(|n| n["path"].as_str())
        .collect();
    for expected in [
        "objective",
        "objective.title",
        "objective.actions",
        "objective.actions.0",
        "objective.actions.0.code",
        "objective.actions.2.code",
    ] {
        assert!(
            paths.contains(&expected),
            "{expected} missing from {paths:?}"
        );
    }
    for node in ftv1["nodes"].as_array().expect("nodes") {
        if node["path"] == "objective" {
            assert_eq!(node["type"], "Objective");
            assert_eq!(node["parentType"], "Query");
        }
        if node["type"].as_str().is_some_and(|t| !t.is_empty()) {
            assert!(
                node["endTime"].as_f64() >= node["startTime"].as_f64(),
                "{node}"
            );
        }
    }
}

#[tokio::test]
async fn serves_queries_demand_control_and_a_subscription_through_hive_gateway() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = curation_support::Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;
    let mut script = gcm_test_support::spawn_node(
        "federation",
        "@graphql-hive/gateway",
        "hive.mjs",
        vec![server.url("/graphql")],
    )
    .await;
    let stdout = script.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut last = String::new();
    let reading = async {
        while let Some(line) = lines.next_line().await.expect("reading the script") {
            if line == "subscribed" {
                // Live through the gateway: publish one item off the filter, one on it.
                curation_support::publish(
                    &server,
                    &cast,
                    "Not about social protection",
                    json!([1]),
                )
                .await;
                curation_support::publish(
                    &server,
                    &cast,
                    "Portable pensions for migrant workers",
                    json!([22]),
                )
                .await;
            } else if !line.trim().is_empty() {
                last = line;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(180), reading)
        .await
        .expect("hive.mjs within 3 minutes");
    let status = script.wait().await.expect("hive.mjs exits");
    let mut stderr = String::new();
    if let Some(mut err) = script.stderr.take() {
        use tokio::io::AsyncReadExt;
        let _ = err.read_to_string(&mut stderr).await;
    }
    assert!(status.success(), "hive.mjs failed: {stderr}");
    let report: Value = serde_json::from_str(&last).unwrap_or_else(|e| panic!("{e}: {last}"));
    assert_eq!(report["composition"]["errors"], json!([]));

    // Partner → catalogue and back, each through one `_entities` batch of our subgraph.
    let highlights = &report["partnerToCatalogue"]["data"]["partnerHighlights"];
    assert_eq!(highlights[0]["country"]["name"], "Peru");
    assert_eq!(highlights[0]["country"]["region"]["name"], "Americas");
    assert_eq!(highlights[0]["objective"]["shortName"], "Social protection");
    assert_eq!(highlights[1]["country"]["name"], "South Africa");
    assert_eq!(highlights[2]["country"], Value::Null, "the unknown country");
    let both_ways = &report["catalogueToPartner"];
    assert_eq!(
        both_ways["data"]["objective"]["partnerPrograms"],
        json!(["fixture-programme-22"])
    );
    assert_eq!(both_ways["data"]["country"]["partnerOfficeCount"], 3);
    assert!(both_ways.get("errors").is_none(), "{both_ways}");
    // Every country and objective of the partner's highlights: one `_entities` request.
    assert_eq!(report["partnerToCatalogueSubgraphRequests"], 1, "{report}");

    // Our `Cache-Control: public, max-age=60` and `ETag` reach the gateway's HTTP cache
    // (useHttpCache, with queries fetched by GET): it stores our answer under them.
    let cache = &report["httpCache"];
    for answers in [
        &cache["withCache"]["answers"],
        &cache["withoutCache"]["answers"],
    ] {
        for answer in answers.as_array().expect("two answers") {
            assert_eq!(answer["data"]["country"]["name"], "Peru", "{answer}");
            assert_eq!(answer["data"]["country"]["region"]["name"], "Americas");
        }
    }
    assert_eq!(cache["withoutCache"]["subgraphRequests"], 2, "{cache}");
    let stored = cache["stored"].as_array().expect("the cache's entries");
    assert_eq!(stored.len(), 1, "one answer of ours stored: {cache}");
    assert_eq!(stored[0]["status"], 200);
    assert_eq!(stored[0]["cacheControl"], "public, max-age=60", "{cache}");
    assert_eq!(stored[0]["directives"]["max-age"], "60", "{cache}");
    assert!(
        stored[0]["etag"]
            .as_str()
            .is_some_and(|etag| etag.starts_with('"'))
    );

    // Hive Gateway's demand control reads our @cost/@listSize: the walk of every
    // objective's first 100 resources and their countries is over its budget.
    let refused = &report["overBudget"];
    assert_eq!(refused["data"], Value::Null, "{refused}");
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "COST_ESTIMATED_TOO_EXPENSIVE",
        "{refused}"
    );
    let estimated = refused["extensions"]["cost"]["estimated"]
        .as_u64()
        .unwrap_or(0);
    assert!(
        estimated > report["maxCost"].as_u64().unwrap_or(u64::MAX),
        "{refused}"
    );

    // The subscription, through the gateway (graphql-sse to our subgraph), filtered, and
    // joined with the partner's fields.
    let subscription = &report["subscription"];
    assert_eq!(subscription["status"], 200, "{subscription}");
    assert!(subscription.get("timedOut").is_none(), "{subscription}");
    let item = &subscription["event"]["data"]["itemPublished"];
    assert_eq!(
        item["title"], "Portable pensions for migrant workers",
        "{subscription}"
    );
    assert_eq!(item["__typename"], "Resource");
    assert_eq!(
        item["objectives"],
        json!([{ "number": 22, "partnerPrograms": ["fixture-programme-22"] }])
    );
}

#[tokio::test]
async fn entities_resolve_in_one_statement_per_type_and_fail_one_by_one() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    let countries = [
        "PER", "ZAF", "CRI", "BRB", "LCA", "MEX", "FRA", "DEU", "JPN", "KEN",
    ];
    let mut representations: Vec<Value> = countries
        .iter()
        .map(|iso3| json!({ "__typename": "Country", "iso3": iso3 }))
        .collect();
    representations.extend((1..=23).map(|n| json!({ "__typename": "Objective", "number": n })));
    representations.push(json!({ "__typename": "Action", "code": "22b" }));
    representations.push(json!({ "__typename": "Resource", "slug": "obj22-video-01-portability-social-security-rights" }));
    representations.push(json!({ "__typename": "Country", "iso3": "ZZZ" })); // unknown
    representations.push(json!({ "__typename": "Nope", "id": 1 })); // malformed: unknown type
    representations.push(json!({ "__typename": "Objective", "number": "22" })); // malformed: key of the wrong type
    let unknown_at = representations.len() - 3;
    let query = "query($r: [_Any!]!) { _entities(representations: $r) { __typename
        ... on Country { iso3 name } ... on Objective { number title } ... on Action { code } ... on Resource { slug } } }";
    let before = server.metric("gcm_sql_statements_total").await;
    let body = server.graphql(query, json!({ "r": representations })).await;
    let spent = server.metric("gcm_sql_statements_total").await - before;
    assert_eq!(
        spent, 4.0,
        "one statement per entity type (Country, Objective, Action, Resource)"
    );

    let entities = body["data"]["_entities"].as_array().expect("entities");
    assert_eq!(entities.len(), representations.len());
    for (i, iso3) in countries.iter().enumerate() {
        assert_eq!(entities[i]["iso3"], *iso3);
    }
    assert_eq!(
        entities[countries.len() + 21]["title"],
        "Establish mechanisms for the portability of social security entitlements and earned benefits"
    );
    assert_eq!(entities[unknown_at - 2]["code"], "22b");
    for (i, entity) in entities.iter().enumerate().skip(unknown_at) {
        assert_eq!(*entity, Value::Null, "representation {i}");
    }
    let errors = body["errors"].as_array().expect("errors");
    let at = |i: usize| {
        errors
            .iter()
            .find(|e| e["path"] == json!(["_entities", i]))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(at(unknown_at)["extensions"]["code"], "NOT_FOUND");
    assert_eq!(at(unknown_at + 1)["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(at(unknown_at + 2)["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(errors.len(), 3);
}
