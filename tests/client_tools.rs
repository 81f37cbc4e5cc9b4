//! The client-facing schema as client tooling uses it (tests/client_tools, pinned by its lock
//! file): a Relay app's fragments compiled by `relay-compiler` and the queries it generates
//! run against the catalogue; TypeScript types for the client corpus from GraphQL Code
//! Generator, checked by `tsc`; and graphql-inspector's diff of both SDLs against the
//! previous release's, where every breaking change must be listed in the README's change log.

use std::path::{Path, PathBuf};

use gcm_test_support::{ScratchDir, TestApp, run_node, workspace_root};
use serde_json::{Value, json};

const TOOLS: &str = "client_tools";

/// Runs one of the tools' scripts and fails the test with its output if it fails.
async fn run_tool(marker: &'static str, script: &'static str, args: Vec<String>) -> String {
    let output = run_node(TOOLS, marker, script, args).await;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{script} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// The query text relay-compiler generated for `operation` (its artifact's `params.text`).
fn relay_query_text(operation: &str) -> String {
    let artifact = workspace_root()
        .join("tests/client_tools/relay/__generated__")
        .join(format!("{operation}.graphql.ts"));
    let source = std::fs::read_to_string(&artifact)
        .unwrap_or_else(|e| panic!("relay-compiler wrote no {}: {e}", artifact.display()));
    source
        .lines()
        .find_map(|line| {
            let literal = line.trim().strip_prefix("\"text\": ")?;
            let literal = literal.strip_suffix(',').unwrap_or(literal);
            serde_json::from_str::<String>(literal)
                .ok()
                .filter(|text| text.starts_with("query "))
        })
        .unwrap_or_else(|| panic!("no query text in {}", artifact.display()))
}

fn edge_ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .map(|edges| {
            edges
                .iter()
                .filter_map(|edge| edge["node"]["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_relay_app_compiles_against_the_client_schema_and_its_generated_queries_run() {
    let compiled = run_tool(
        "relay-compiler/cli.js",
        "node_modules/relay-compiler/cli.js",
        Vec::new(),
    )
    .await;
    assert!(!compiled.contains("ERROR"), "relay-compiler: {compiled}");
    let app = TestApp::with_bundled_catalogue().await;

    // The page's first load: the objective and the first page of its resources.
    let page = app
        .data(
            &relay_query_text("ObjectivePageQuery"),
            json!({ "number": 22 }),
        )
        .await;
    let objective = &page["objective"];
    assert_eq!(objective["number"], 22);
    assert_eq!(objective["actions"][0]["code"], "22a");
    let first_page = &objective["resources"];
    let total = first_page["totalCount"].as_u64().unwrap_or_default() as usize;
    let first_ids = edge_ids(first_page);
    assert_eq!(first_ids.len(), total.min(5), "{first_page:#}");
    let objective_id = objective["id"].as_str().expect("the objective's id");

    // "Load more": Relay's pagination query, through `node(id:)`, from the page's end cursor.
    assert_eq!(first_page["pageInfo"]["hasNextPage"], total > 5);
    let more = app
        .data(
            &relay_query_text("ObjectivePageResourcesPaginationQuery"),
            json!({
                "id": objective_id,
                "count": 5,
                "cursor": first_page["pageInfo"]["endCursor"],
            }),
        )
        .await;
    let next_ids = edge_ids(&more["node"]["resources"]);
    assert_eq!(next_ids.len(), total.saturating_sub(5).min(5));
    assert!(
        next_ids.iter().all(|id| !first_ids.contains(id)),
        "the next page continues the first: {first_ids:?} then {next_ids:?}"
    );

    // Refetching the objective and a country card by their global ids.
    let refetched = app
        .data(
            &relay_query_text("ObjectivePageRefetchQuery"),
            json!({ "id": objective_id }),
        )
        .await;
    assert_eq!(refetched["node"]["__typename"], "Objective");
    assert_eq!(refetched["node"]["number"], 22);
    let card = app
        .data(
            &relay_query_text("CountryCardQuery"),
            json!({ "iso3": "PER" }),
        )
        .await;
    assert_eq!(card["country"]["name"], "Peru");
    let country = app
        .data(
            &relay_query_text("CountryCardRefetchQuery"),
            json!({ "id": card["country"]["id"] }),
        )
        .await;
    assert_eq!(country["node"]["iso3"], "PER");
    assert_eq!(country["node"]["region"]["name"], "Americas");
}

#[tokio::test]
async fn typescript_types_for_the_client_corpus_generate_and_type_check() {
    run_tool(
        "@graphql-codegen/cli",
        "node_modules/@graphql-codegen/cli/esm/bin.js",
        vec!["--config".into(), "codegen.yml".into()],
    )
    .await;
    let generated = std::fs::read_to_string(
        workspace_root().join("tests/client_tools/generated/client-corpus.ts"),
    )
    .expect("codegen wrote generated/client-corpus.ts");
    for operation in [
        "ObjectivePageQuery",
        "FilteredListQueryVariables",
        "SearchQuery",
    ] {
        assert!(
            generated.contains(&format!("export type {operation} ")),
            "no type {operation} generated"
        );
    }
    run_tool(
        "typescript/bin/tsc",
        "node_modules/typescript/bin/tsc",
        vec!["-p".into(), "tsconfig.json".into()],
    )
    .await;
}

/// A change graphql-inspector reports between two schemas.
#[derive(Debug, serde::Deserialize)]
struct Change {
    criticality: String,
    message: String,
    path: Option<String>,
}

async fn breaking_changes(previous: &Path, current: &Path) -> Vec<Change> {
    let stdout = run_tool(
        "@graphql-inspector/core",
        "inspect.mjs",
        vec![
            previous.display().to_string(),
            current.display().to_string(),
        ],
    )
    .await;
    let changes: Vec<Change> = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("inspect.mjs printed no changes list ({e}): {stdout}"));
    changes
        .into_iter()
        .filter(|change| change.criticality == "BREAKING")
        .collect()
}

/// The README's change log: everything under its heading.
fn change_log() -> String {
    let readme =
        std::fs::read_to_string(workspace_root().join("README.md")).expect("README.md reads");
    let (_, log) = readme
        .split_once("\n## Change log\n")
        .expect("the README has a change log");
    log.split("\n## ").next().unwrap_or(log).to_owned()
}

/// The breaking changes the change log does not name (by their path, in backticks).
fn unlisted<'a>(breaking: &'a [Change], log: &str) -> Vec<&'a Change> {
    breaking
        .iter()
        .filter(|change| {
            !change
                .path
                .as_ref()
                .is_some_and(|path| log.contains(&format!("`{path}`")))
        })
        .collect()
}

fn previous_release(file: &str) -> PathBuf {
    workspace_root()
        .join("tests/client_tools/previous")
        .join(file)
}

#[tokio::test]
async fn every_breaking_change_since_the_previous_release_is_in_the_change_log() {
    let log = change_log();
    for file in ["schema.graphql", "schema.client.graphql"] {
        let breaking =
            breaking_changes(&previous_release(file), &workspace_root().join(file)).await;
        let missing = unlisted(&breaking, &log);
        assert!(
            missing.is_empty(),
            "{file}: breaking changes since the previous release (tests/client_tools/previous) \
             that the README's change log does not list (name each path in backticks):\n{missing:#?}"
        );
    }

    // The check itself: making a field nullable is breaking, and unlisted it fails.
    let current =
        std::fs::read_to_string(workspace_root().join("schema.client.graphql")).expect("SDL");
    let objective = current
        .find("type Objective implements")
        .expect("the SDL has Objective");
    let field = objective
        + current[objective..]
            .find("\tshortName: String!\n")
            .expect("Objective.shortName");
    let broken = format!(
        "{}\tshortName: String\n{}",
        &current[..field],
        &current[field + "\tshortName: String!\n".len()..]
    );
    let scratch = ScratchDir::new("inspector");
    let broken_file = scratch.path().join("schema.client.graphql");
    std::fs::write(&broken_file, broken).expect("write the broken SDL");
    let breaking = breaking_changes(&previous_release("schema.client.graphql"), &broken_file).await;
    let missing = unlisted(&breaking, &log);
    assert_eq!(missing.len(), 1, "{breaking:#?}");
    assert_eq!(missing[0].path.as_deref(), Some("Objective.shortName"));
    assert!(missing[0].message.contains("changed type"), "{missing:#?}");
    assert!(
        unlisted(&breaking, "- `Objective.shortName` may now be null").is_empty(),
        "a change log entry naming the path lists it"
    );
}
