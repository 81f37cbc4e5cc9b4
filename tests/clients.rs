//! The client corpus: every operation in `tests/clients/` (written as the service's web,
//! dashboard, mobile and partner clients write them, variables in `NAME.variables.json`)
//! and every query of the README, sent to the real server with default settings over real
//! HTTP, on the bundled catalogue and on a generated M catalogue (10,000 synthetic items).
//!
//! Each is answered with HTTP 200, data and no error; its cost extension holds
//! `actual <= requested <= limit`; and the SQL statements it costs are bounded by the
//! relations it selects, a bound that does not depend on the catalogue's size.
//!
//! Run with `--nocapture` for the table of requested/actual cost and statements.

use std::collections::BTreeMap;
use std::path::Path;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use gcm_test_support::{TestApp, TestDatabase, TestServer, workspace_root};
use serde_json::{Value, json};

const BINARY: &str = env!("CARGO_BIN_EXE_gcm-catalogue");

struct Operation {
    name: String,
    query: String,
    variables: Value,
}

/// `tests/clients/*.graphql`, in name order, with their variables.
fn client_operations() -> Vec<Operation> {
    let dir = workspace_root().join("tests/clients");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/clients")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "graphql"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let name = file_stem(path);
            let variables_file = path.with_extension("variables.json");
            let variables = match std::fs::read_to_string(&variables_file) {
                Ok(text) => serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{}: {e}", variables_file.display())),
                Err(_) => json!({}),
            };
            Operation {
                name,
                query: std::fs::read_to_string(path).expect("a corpus file"),
                variables,
            }
        })
        .collect()
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_owned()
}

/// The README's ```graphql blocks: what a newcomer copies first.
fn readme_operations() -> Vec<Operation> {
    let readme = std::fs::read_to_string(workspace_root().join("README.md")).expect("README.md");
    let mut operations = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "```graphql" {
            let block: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            operations.push(Operation {
                name: format!("README #{}", operations.len() + 1),
                query: block.join("\n"),
                variables: json!({}),
            });
        }
    }
    assert!(!operations.is_empty(), "the README shows no query");
    operations
}

/// What one request cost.
#[derive(Debug, Clone)]
struct Outcome {
    status: u16,
    body: Value,
    requested: u64,
    actual: u64,
    statements: u64,
}

async fn send(server: &TestServer, query: &str, variables: &Value) -> Outcome {
    let before = server.metric("gcm_sql_statements_total").await;
    let response = server
        .http()
        .post(server.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("POST /graphql");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("a JSON answer");
    let after = server.metric("gcm_sql_statements_total").await;
    let cost = &body["extensions"]["cost"];
    Outcome {
        status,
        requested: cost["requested"].as_u64().unwrap_or(u64::MAX),
        actual: cost["actual"].as_u64().unwrap_or(u64::MAX),
        statements: (after - before) as u64,
        body,
    }
}

/// A partner's router resolving every country and every objective at once.
async fn every_entity(server: &TestServer) -> Value {
    let data = server.data("{ countries { iso3 } }", json!({})).await;
    let mut representations: Vec<Value> = data["countries"]
        .as_array()
        .expect("countries")
        .iter()
        .map(|c| json!({ "__typename": "Country", "iso3": c["iso3"] }))
        .collect();
    representations.extend((1..=23).map(|n| json!({ "__typename": "Objective", "number": n })));
    json!({ "representations": representations })
}

/// How many statements an operation may cost: one per field that selects a relation (a
/// field with a selection set, fragments expanded), one per type-conditioned inline
/// fragment and one per `totalCount`. It depends
/// on the document only, never on how much the catalogue holds.
fn relation_bound(query: &str) -> u64 {
    let document = async_graphql::parser::parse_query(query).expect("a corpus query parses");
    let operation = match &document.operations {
        DocumentOperations::Single(operation) => operation,
        DocumentOperations::Multiple(operations) => {
            operations.values().next().expect("an operation")
        }
    };
    fn count(set: &SelectionSet, document: &ExecutableDocument, depth: usize) -> u64 {
        assert!(depth < 64, "fragment cycle");
        set.items
            .iter()
            .map(|selection| match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    if field.name.node.starts_with("__") {
                        0
                    } else if field.selection_set.node.items.is_empty() {
                        u64::from(field.name.node == "totalCount")
                    } else {
                        1 + count(&field.selection_set.node, document, depth + 1)
                    }
                }
                // `nodes` and `_entities` look each type up on its own.
                Selection::InlineFragment(fragment) => {
                    u64::from(fragment.node.type_condition.is_some())
                        + count(&fragment.node.selection_set.node, document, depth + 1)
                }
                Selection::FragmentSpread(spread) => {
                    let fragment: &FragmentDefinition = &document
                        .fragments
                        .get(&spread.node.fragment_name.node)
                        .expect("a defined fragment")
                        .node;
                    count(&fragment.selection_set.node, document, depth + 1)
                }
            })
            .sum()
    }
    count(&operation.node.selection_set.node, &document, 0)
}

fn is_introspection(query: &str) -> bool {
    query.contains("__schema")
}

/// Asserts what every corpus answer must hold; returns it for the table.
async fn answered(server: &TestServer, catalogue: &str, op: &Operation) -> Outcome {
    let variables = if op.name == "partner_entities" {
        every_entity(server).await
    } else {
        op.variables.clone()
    };
    let outcome = send(server, &op.query, &variables).await;
    let what = format!("{} on the {catalogue} catalogue", op.name);
    assert_eq!(outcome.status, 200, "{what}: {:#}", outcome.body);
    assert!(
        outcome.body.get("errors").is_none(),
        "{what}: {:#}",
        outcome.body
    );
    assert!(
        outcome.body["data"].is_object(),
        "{what}: {:#}",
        outcome.body
    );
    let limit = gcm_graphql::limits::Limits::default().max_complexity;
    assert!(
        outcome.actual <= outcome.requested && outcome.requested <= limit,
        "{what}: actual {} requested {} limit {limit}",
        outcome.actual,
        outcome.requested
    );
    if !is_introspection(&op.query) {
        assert!(
            outcome.actual > 0,
            "{what}: answered with no object: {:#}",
            outcome.body
        );
    }
    let bound = relation_bound(&op.query);
    assert!(
        outcome.statements <= bound,
        "{what}: {} statements for {bound} relations",
        outcome.statements
    );
    outcome
}

/// Pages a client through a whole list, forward to the end and back to the start, `size`
/// at a time.
async fn page_through(server: &TestServer, catalogue: &str, query: &str, size: u64) -> usize {
    let mut forward = Vec::new();
    let mut after: Option<String> = None;
    let mut total = None;
    loop {
        let outcome = send(server, query, &json!({ "first": size, "after": after })).await;
        assert!(
            outcome.status == 200 && outcome.body.get("errors").is_none(),
            "{catalogue}: {:#}",
            outcome.body
        );
        assert!(outcome.actual <= outcome.requested);
        let page = &outcome.body["data"]["resources"];
        total.get_or_insert(page["totalCount"].as_u64().expect("totalCount"));
        forward.extend(
            page["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"]["slug"].clone()),
        );
        if !page["pageInfo"]["hasNextPage"]
            .as_bool()
            .expect("hasNextPage")
        {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        assert!(forward.len() <= 20_000, "{catalogue}: paging does not end");
    }
    assert_eq!(
        Some(forward.len() as u64),
        total,
        "{catalogue}: pages add up"
    );
    let mut backward = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let outcome = send(server, query, &json!({ "last": size, "before": before })).await;
        assert!(
            outcome.status == 200 && outcome.body.get("errors").is_none(),
            "{catalogue}: {:#}",
            outcome.body
        );
        let page = &outcome.body["data"]["resources"];
        let mut slugs: Vec<Value> = page["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["slug"].clone())
            .collect();
        slugs.reverse();
        backward.extend(slugs);
        if !page["pageInfo"]["hasPreviousPage"]
            .as_bool()
            .expect("hasPreviousPage")
        {
            break;
        }
        before = page["pageInfo"]["startCursor"].as_str().map(str::to_owned);
        assert!(backward.len() <= 20_000, "{catalogue}: paging does not end");
    }
    backward.reverse();
    assert_eq!(
        forward, backward,
        "{catalogue}: back to the start, same list"
    );
    forward.len()
}

async fn m_catalogue() -> TestDatabase {
    let m = gcm_store::synthetic::SyntheticSize::named("M").expect("size M");
    TestDatabase::with_synthetic_catalogue(m, 7).await
}

#[tokio::test]
async fn every_client_operation_is_answered_on_the_bundled_and_the_m_catalogue() {
    let bundled_db = TestDatabase::with_bundled_catalogue().await;
    let m_db = m_catalogue().await;
    let (bundled, m) = tokio::join!(
        TestServer::start(BINARY, bundled_db.url()),
        TestServer::start(BINARY, m_db.url())
    );
    let mut operations = client_operations();
    assert!(
        operations.len() >= 20,
        "the corpus has {} operations",
        operations.len()
    );
    operations.extend(readme_operations());

    let mut table = BTreeMap::new();
    for op in &operations {
        // On M the walk's whole lists are refused (below); a client bounds them.
        let on_m = if op.name == "full_walk" {
            None
        } else {
            Some(answered(&m, "M", op).await)
        };
        let on_bundled = answered(&bundled, "bundled", op).await;
        if let Some(on_m) = &on_m {
            // Statements follow the query's shape, not the data: a level that is empty on
            // the small catalogue may send nothing, never more than on the large one.
            assert!(
                on_bundled.statements <= on_m.statements,
                "{}: {} statements on the bundled catalogue, {} on M",
                op.name,
                on_bundled.statements,
                on_m.statements
            );
        }
        table.insert(op.name.clone(), (on_bundled, on_m));
    }

    // The headline walk without `first`: answered on the bundled catalogue (above), and
    // on M refused for what its whole lists could hold, before any SQL.
    let walk = operations
        .iter()
        .find(|op| op.name == "full_walk")
        .expect("the walk");
    let refused = send(&m, &walk.query, &json!({})).await;
    let error = &refused.body["errors"][0];
    assert_eq!(
        error["extensions"]["code"], "MAX_COMPLEXITY_EXCEEDED",
        "{:#}",
        refused.body
    );
    assert_eq!(
        error["extensions"]["limit"],
        json!(gcm_graphql::limits::Limits::default().max_complexity)
    );
    assert!(error["extensions"]["value"].as_u64() > error["extensions"]["limit"].as_u64());
    assert_eq!(refused.statements, 0, "the refusal costs no statement");

    // A mobile client pages through everything, forward and back.
    let paging = operations
        .iter()
        .find(|op| op.name == "mobile_paging")
        .expect("the paging operation");
    // Pages of ten on the bundled catalogue, as the app asks; M's ~6,000 resources in the
    // largest pages, so that every cursor boundary is still crossed both ways in ~120 requests.
    let small = page_through(&bundled, "bundled", &paging.query, 10).await;
    let large = page_through(
        &m,
        "M",
        &paging.query,
        gcm_graphql::error::MAX_PAGE_SIZE as u64,
    )
    .await;
    assert!(large > small, "M holds more resources ({large} vs {small})");

    println!("operation | bundled requested/actual/statements | M requested/actual/statements");
    for (name, (on_bundled, on_m)) in &table {
        let m_cell = on_m.as_ref().map_or_else(
            || {
                format!(
                    "refused: {}",
                    refused.body["errors"][0]["extensions"]["value"]
                )
            },
            |o| format!("{}/{}/{}", o.requested, o.actual, o.statements),
        );
        println!(
            "{name} | {}/{}/{} | {m_cell}",
            on_bundled.requested, on_bundled.actual, on_bundled.statements
        );
    }
}

/// The live maximum follows the catalogue: a link added through curation raises the cost
/// of the list at once, and the gauge in `/metrics` shows it beside the declared figure.
#[tokio::test]
async fn list_costs_follow_the_catalogue_and_are_reported() {
    let database = TestDatabase::with_bundled_catalogue().await;
    // Every relation the cost model names is one the migration keeps.
    let kept: Vec<String> = database
        .client()
        .await
        .query("SELECT relation FROM list_sizes", &[])
        .await
        .expect("list_sizes")
        .iter()
        .map(|row| row.get(0))
        .collect();
    for (coordinate, relation) in gcm_graphql::limits::relations::RELATIONS {
        assert!(
            kept.iter().any(|k| k == relation),
            "{coordinate}: {relation} is not kept"
        );
    }
    // A fixed reference list declares its real size: the bundled catalogue's.
    let model = gcm_graphql::limits::CostModel::from_sdl(&gcm_graphql::sdl()).expect("the SDL");
    let mut conn = database.pool().get().await.expect("a connection");
    let sizes = gcm_store::list_sizes::load(&mut conn)
        .await
        .expect("list sizes");
    drop(conn);
    for bound in model.list_bounds(&sizes) {
        if !bound.relation.contains('.') && !bound.relation.starts_with("submissions") {
            assert_eq!(bound.live, Some(bound.declared), "{bound:?}");
        }
    }
    let server = TestServer::start(BINARY, database.url()).await;
    let query =
        "{ objective(number: 22) { resources(first: 1) { nodes { countries { iso3 } } } } }";
    let before = send(&server, query, &json!({})).await;
    let live_before: i64 = database
        .scalar("SELECT max_size::bigint FROM list_sizes WHERE relation = 'item_countries.item_id'")
        .await;
    // A curator ties the first item to ten more countries, in one statement.
    database
        .client()
        .await
        .batch_execute(
            "INSERT INTO item_countries (item_id, country_id)
             SELECT (SELECT min(id) FROM items), c.id FROM countries c
             WHERE c.id NOT IN (SELECT country_id FROM item_countries
                                WHERE item_id = (SELECT min(id) FROM items))
             ORDER BY c.id LIMIT 10",
        )
        .await
        .expect("adding links");
    let live_after: i64 = database
        .scalar("SELECT max_size::bigint FROM list_sizes WHERE relation = 'item_countries.item_id'")
        .await;
    let recounted: i64 = database
        .scalar("SELECT list_sizes_count('item_countries.item_id')::bigint")
        .await;
    assert_eq!(
        live_after, recounted,
        "kept exact in the writing transaction"
    );
    assert!(live_after > live_before, "{live_before} → {live_after}");
    // The server hears the change at commit; wait for it (bounded), without timing it.
    let mut after = send(&server, query, &json!({})).await;
    for _ in 0..100 {
        if after.requested > before.requested {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        after = send(&server, query, &json!({})).await;
    }
    // The page holds one item: 1 + 1 × (1 + countries).
    assert_eq!(
        before.requested,
        1 + 1 + 1 + (live_before as u64),
        "{:#}",
        before.body
    );
    assert_eq!(
        after.requested,
        1 + 1 + 1 + (live_after as u64),
        "{:#}",
        after.body
    );
    assert!(after.actual <= after.requested);
    let metrics = server.get_text("/metrics").await;
    let gauge = |name: &str| {
        metrics
            .lines()
            .find(|line| {
                line.starts_with(&format!(
                    "{name}{{field=\"Resource.countries\",relation=\"item_countries.item_id\"}}"
                ))
            })
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|value| value.parse::<f64>().ok())
    };
    assert_eq!(
        gauge("gcm_list_size_live"),
        Some(live_after as f64),
        "{metrics}"
    );
    assert_eq!(
        gauge("gcm_list_size_declared"),
        Some(f64::from(
            gcm_graphql::limits::directives::design::ITEM_COUNTRIES
        ))
    );
    // Within its declaration: `/readyz` has nothing to warn about.
    let ready = server.get_json("/readyz").await;
    assert_eq!(ready, json!({ "status": "ready" }));
}

/// Past a declaration, routers would under-estimate: `/readyz` says so (and stays ready).
#[tokio::test]
async fn readyz_warns_when_a_live_maximum_passes_its_declaration() {
    let database = m_catalogue().await;
    let server = TestServer::start(BINARY, database.url()).await;
    let ready = server.get_json("/readyz").await;
    assert_eq!(ready["status"], "ready");
    let warnings = ready["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .is_some_and(|w| w.starts_with("GuidanceSource.resources holds up to"))),
        "{ready:#}"
    );
}

/// A slicing argument outside 0..=100 is refused like a page size; `first` cuts the list.
#[tokio::test]
async fn curated_lists_take_first() {
    let database = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BINARY, database.url()).await;
    let all = server
        .data("{ regions { slug countries { iso3 } } }", json!({}))
        .await;
    let cut = server
        .data(
            "{ regions { slug countries(first: 2) { iso3 } } }",
            json!({}),
        )
        .await;
    for (whole, first) in all["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .zip(cut["regions"].as_array().expect("regions"))
    {
        let whole = whole["countries"].as_array().expect("countries");
        assert_eq!(
            first["countries"].as_array().expect("countries")[..],
            whole[..2]
        );
    }
    for (first, code) in [(101, "PAGE_TOO_LARGE"), (-1, "BAD_USER_INPUT")] {
        let body = server
            .graphql(
                "query($n: Int) { objective(number: 22) { actions(first: $n) { code } } }",
                json!({ "n": first }),
            )
            .await;
        assert_eq!(body["errors"][0]["extensions"]["code"], code, "{body:#}");
    }
}

/// Every corpus answer on the bundled catalogue is a reviewed snapshot
/// (`tests/snapshots/clients__*.snap`): a change to anything a page shows — a value, an
/// order, a field — fails here with the diff, and `cargo insta review` accepts it. The
/// `_service { sdl }` answer makes the schema itself one of them (the introspection
/// answers say the same again, ten times larger, and are left out). Import times are
/// redacted: they are the only values a fresh import changes.
#[tokio::test]
async fn every_client_operation_answers_its_snapshot_on_the_bundled_catalogue() {
    let app = TestApp::with_bundled_catalogue().await;
    for op in client_operations() {
        // Its variables are every entity's key, read from the catalogue first.
        if op.name == "partner_entities" || is_introspection(&op.query) {
            continue;
        }
        let body = app.graphql(&op.query, op.variables.clone()).await;
        assert!(body.get("errors").is_none(), "{}: {body:#}", op.name);
        insta::assert_json_snapshot!(op.name.as_str(), body["data"], {
            ".**.createdAt" => "[import time]",
            ".**.updatedAt" => "[import time]",
        });
    }
}

/// The spec's "Serialized Map Ordering": every answer lists its fields in the query's order,
/// however its loaders finish (async-graphql collects them as they complete; the pipeline
/// puts them back). Before that, 7 of 8 runs of this menu query came out in another order.
#[tokio::test]
async fn answers_keep_the_selection_order_every_time() {
    let app = TestApp::with_bundled_catalogue().await;
    let menus =
        std::fs::read_to_string(workspace_root().join("tests/clients/filter_menus.graphql"))
            .expect("the menus query");
    for _ in 0..20 {
        let body = app.graphql(&menus, json!({})).await;
        let keys: Vec<&String> = body["data"].as_object().expect("data").keys().collect();
        assert_eq!(
            keys,
            [
                "objectives",
                "principles",
                "regions",
                "countries",
                "documentTypes"
            ],
            "{body:#}"
        );
    }
}
