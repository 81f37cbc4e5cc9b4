//! Faithful to the Hub (issue 15): objective 22's page as a partner portal rebuilds it
//! comes out in the source's order, section by section, with no sort argument.

use gcm_test_support::{TestApp, workspace_root};
use serde_json::{Value, json};

/// Objective 22's Hub page (seed 000), section by section, as the source lists it:
/// the opening words of each entry's summary, copied by hand from the page.
const DOCUMENTS: &[&str] = &[
    "The ISSA Handbook on the extension of social security to migrant workers",
    "The COVID-19 pandemic represents a major public health challenge",
];
const EVENTS: &[&str] = &[
    "Social services are a range of public services",
    "The Regional Social Security Forum for the Americas",
];
const PROJECTS: &[&str] = &[
    "The overall objective of the project is to extend decent work",
    "The Joint Programme “Universal Social Protection",
];
const TRAINING: &[&str] = &[
    "Esta Nota Orientativa es un documento técnico",
    "This ILO guide aim to enable governments",
];
const VIDEOS: &[&str] = &[
    "The portability of social security rights and entitlements",
    "A short animation video introducing the ECOWAS General Convention",
];

fn client_query(name: &str) -> String {
    std::fs::read_to_string(workspace_root().join("tests/clients").join(name))
        .unwrap_or_else(|e| panic!("tests/clients/{name}: {e}"))
}

fn summaries(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("a connection: {connection:#}"))
        .iter()
        .map(|edge| {
            edge["node"]["summary"]
                .as_str()
                .expect("a summary")
                .to_owned()
        })
        .collect()
}

#[track_caller]
fn assert_in_order(listed: &[String], expected: &[&str], what: &str) {
    assert_eq!(listed.len(), expected.len(), "{what}: {listed:#?}");
    for (summary, opening) in listed.iter().zip(expected) {
        assert!(
            summary.starts_with(opening),
            "{what}: expected {opening:?}…, listed in this order:\n{listed:#?}"
        );
    }
}

#[tokio::test]
async fn objective_22s_sections_come_in_the_sources_order_by_default() {
    let app = TestApp::with_bundled_catalogue().await;
    let page = app
        .data(
            &client_query("objective_page.graphql"),
            json!({ "number": 22 }),
        )
        .await;
    let objective = &page["objective"];
    let resources: Vec<String> = [DOCUMENTS, TRAINING, VIDEOS]
        .concat()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let expected: Vec<&str> = resources.iter().map(String::as_str).collect();
    assert_in_order(&summaries(&objective["resources"]), &expected, "resources");
    let sections: Vec<&str> = objective["resources"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["section"].as_str().expect("a section"))
        .collect();
    assert_eq!(
        sections,
        [
            "DOCUMENTS",
            "DOCUMENTS",
            "TRAINING_AND_GUIDANCE",
            "TRAINING_AND_GUIDANCE",
            "VIDEOS",
            "VIDEOS"
        ]
    );
    assert_in_order(&summaries(&objective["events"]), EVENTS, "events");
    assert_in_order(&summaries(&objective["projects"]), PROJECTS, "projects");

    // The same order one item at a time, and from the root list filtered by the objective.
    let paged = "query ObjectiveResourcesPage($number: Int!, $first: Int!, $after: String) {
        objective(number: $number) { resources(first: $first, after: $after) { ...Page } }
    }
    fragment Page on ResourceConnection { pageInfo { hasNextPage endCursor } edges { node { summary } } }";
    let mut after: Option<String> = None;
    let mut walked = Vec::new();
    loop {
        let data = app
            .data(paged, json!({ "number": 22, "first": 1, "after": after }))
            .await;
        let list = &data["objective"]["resources"];
        walked.extend(summaries(list));
        if list["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = list["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(after.is_some(), "a cursor: {data:#}");
    }
    assert_in_order(&walked, &expected, "resources read one by one");

    let root = app
        .data(
            "query RootList($filter: ItemFilter!) { resources(filter: $filter, first: 20) { edges { node { summary } } } \
             events(filter: $filter) { edges { node { summary } } } }",
            json!({ "filter": { "objectives": [22] } }),
        )
        .await;
    assert_in_order(
        &summaries(&root["resources"]),
        &expected,
        "root resources of objective 22",
    );
    assert_in_order(
        &summaries(&root["events"]),
        EVENTS,
        "root events of objective 22",
    );
}

#[tokio::test]
async fn global_first_stays_on_request_and_hub_needs_one_objective() {
    let app = TestApp::with_bundled_catalogue().await;
    // GLOBAL_FIRST is newest first within a scope: the 2020 brief before the 2015 handbook.
    let data = app
        .data(
            "query($sort: ItemSort) { objective(number: 22) { resources(sort: $sort, filter: { sections: [DOCUMENTS] }) { edges { node { summary } } } } }",
            json!({ "sort": "GLOBAL_FIRST" }),
        )
        .await;
    assert_in_order(
        &summaries(&data["objective"]["resources"]),
        &[DOCUMENTS[1], DOCUMENTS[0]],
        "GLOBAL_FIRST documents",
    );
    for (query, variables) in [
        (
            "query($iso3: String!) { country(iso3: $iso3) { resources(sort: HUB) { totalCount } } }",
            json!({ "iso3": "PER" }),
        ),
        (
            "query($filter: ItemFilter!) { resources(sort: HUB, filter: $filter) { totalCount } }",
            json!({ "filter": { "objectives": [5, 22] } }),
        ),
        ("{ resources(sort: HUB) { totalCount } }", json!({})),
    ] {
        let body = app.graphql(query, variables).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body:#}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("HUB")),
            "{body:#}"
        );
    }
}

/// QUNO's "Foundations for Implementation" (seed 002) for objective 22, written out by hand:
/// four Special Procedure rows, and in place of Treaty Body rows this sentence.
const NO_TREATY_BODY_GUIDANCE: &str =
    "There is currently no explicit guidance from the Treaty Bodies on this objective";

#[tokio::test]
async fn the_guidance_panel_tells_none_from_not_compiled_and_cites_each_row_as_given() {
    let app = TestApp::with_bundled_catalogue().await;
    let panel = |number: i32| {
        let app = &app;
        async move {
            app.data(
                &client_query("guidance_coverage.graphql"),
                json!({ "number": number }),
            )
            .await["objective"]
                .clone()
        }
    };
    let objective = panel(22).await;
    let coverage = |objective: &Value| -> Vec<(String, String, i64, Value)> {
        objective["guidanceCoverage"]
            .as_array()
            .expect("coverage")
            .iter()
            .map(|c| {
                (
                    c["mechanism"].as_str().expect("mechanism").to_owned(),
                    c["status"].as_str().expect("status").to_owned(),
                    c["count"].as_i64().expect("count"),
                    c["statement"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(
        coverage(&objective),
        vec![
            (
                "SPECIAL_PROCEDURE".to_owned(),
                "GUIDANCE_PRESENT".to_owned(),
                4,
                Value::Null
            ),
            (
                "TREATY_BODY".to_owned(),
                "NO_EXPLICIT_GUIDANCE".to_owned(),
                0,
                json!(NO_TREATY_BODY_GUIDANCE)
            ),
        ]
    );
    let publication = &objective["guidanceCoverage"][1]["publication"];
    // The key the statement and every row name in guidance.json.
    assert_eq!(
        publication["slug"],
        "quno-foundations-for-implementation-2018"
    );
    assert_eq!(publication["title"], "Foundations for Implementation");
    assert_eq!(publication["publisher"], "Quaker United Nations Office");
    assert_eq!(publication["publisherAbbreviation"], "QUNO");
    assert_eq!(publication["dateAsGiven"], "December 2018");
    assert_eq!(
        publication["url"],
        "quno.org/resource/2018/11/foundations-implementation"
    );
    assert_eq!(
        publication["scopeAsGiven"].as_array().map(Vec::len),
        Some(2)
    );

    let rows = objective["guidanceSources"].as_array().expect("rows");
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["publication"] == *publication));
    // Row 4 names its body "SR slavery"; the catalogue resolved it and says so.
    assert_eq!(rows[3]["abbreviation"], "SR slavery");
    assert_eq!(
        rows[3]["body"],
        "Special Rapporteur on contemporary forms of slavery, including its causes and consequences"
    );
    assert_eq!(
        rows[3]["sourceAsGiven"],
        "SR slavery (2018), A/73/139 (para.54(l))"
    );
    assert!(rows[3]["bodyResolution"].is_string(), "{:#}", rows[3]);
    assert_eq!(
        rows[0]["sourceAsGiven"],
        "Special Rapporteur on the human rights of migrants (2014), A/HRC/26/35 (para.87)"
    );
    assert!(rows[..3].iter().all(|r| r["bodyResolution"].is_null()));

    // Objective 1: no publication covers it in the bundled catalogue: "not compiled",
    // which is not objective 22's Treaty Body "none".
    let other = panel(1).await;
    assert_eq!(
        coverage(&other),
        vec![
            (
                "SPECIAL_PROCEDURE".to_owned(),
                "NOT_COMPILED".to_owned(),
                0,
                Value::Null
            ),
            (
                "TREATY_BODY".to_owned(),
                "NOT_COMPILED".to_owned(),
                0,
                Value::Null
            ),
        ]
    );
    assert!(
        other["guidanceCoverage"]
            .as_array()
            .expect("coverage")
            .iter()
            .all(|c| c["publication"].is_null())
    );
    assert_eq!(other["guidanceSources"], json!([]));
}
