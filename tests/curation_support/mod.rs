//! Shared by the curation tests: keys made with the real CLI, GraphQL calls with a bearer
//! key against a real server, and the submission inputs the tests send.

#![allow(dead_code)]

use std::process::Command;

use gcm_test_support::{TestDatabase, TestServer};
use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");

/// Runs `gcm-catalogue keys ...` on the test's database; returns stdout, failing on error.
pub fn keys_cli(db: &TestDatabase, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("keys")
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "warn")
        .output()
        .expect("running gcm-catalogue keys")
}

/// Creates a key with the CLI and returns its secret (the last line of stdout).
pub fn create_key(db: &TestDatabase, name: &str, role: &str, affiliation: &str) -> String {
    create_key_with(db, name, role, affiliation, &[])
}

/// [`create_key`] with further `keys create` flags, e.g. `--public`.
pub fn create_key_with(
    db: &TestDatabase,
    name: &str,
    role: &str,
    affiliation: &str,
    flags: &[&str],
) -> String {
    let mut args = vec![
        "create",
        "--name",
        name,
        "--role",
        role,
        "--affiliation",
        affiliation,
    ];
    args.extend_from_slice(flags);
    let output = keys_cli(db, &args);
    assert!(
        output.status.success(),
        "keys create failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8 stdout");
    stdout
        .lines()
        .last()
        .expect("a last line with the secret")
        .to_owned()
}

/// POSTs a GraphQL request with `Authorization: Bearer <key>` (or none).
pub async fn call(server: &TestServer, key: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = server
        .http()
        .post(server.url("/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    request
        .send()
        .await
        .expect("POST /graphql")
        .json()
        .await
        .expect("a JSON response")
}

/// Like [`call`] but fails the test on any error; returns `data`.
pub async fn data(server: &TestServer, key: Option<&str>, query: &str, variables: Value) -> Value {
    let body = call(server, key, query, variables).await;
    assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
    body["data"].clone()
}

pub use gcm_test_support::codes;

pub fn assert_code(body: &Value, code: &str) {
    assert_eq!(codes(body), vec![code.to_owned()], "{body:#}");
}

pub const SUBMISSION_FIELDS: &str = "id status round revision createdAt updatedAt
    item { id slug title __typename ... on Resource { section } }
    reviews { reviewer affiliation decision comment round at }";

pub fn submit_resource() -> String {
    format!(
        "mutation($input: SubmitResourceInput!) {{ submitResource(input: $input) {{ {SUBMISSION_FIELDS} }} }}"
    )
}

pub fn review() -> String {
    format!(
        "mutation($id: ID!, $revision: Int!, $decision: ReviewDecision!, $comment: String) {{ \
         reviewSubmission(id: $id, revision: $revision, decision: $decision, comment: $comment) {{ {SUBMISSION_FIELDS} }} }}"
    )
}

pub fn resource_input(title: &str) -> Value {
    json!({
        "title": title,
        "summary": "A handbook on portable social security for migrant workers.",
        "url": "https://example.org/handbook",
        "section": "DOCUMENTS",
        "documentType": "analysis",
        "objectives": [22, 6],
        "principles": ["people-centred"],
        "regions": ["africa"],
        "countries": ["PER", "MEX"],
        "publishedOn": "2025-05-01",
        "language": "en",
        "organisation": "ISSA"
    })
}

/// Submits a resource as `key`; returns the submission's id.
pub async fn submit(server: &TestServer, key: &str, title: &str) -> String {
    let data = data(
        server,
        Some(key),
        &submit_resource(),
        json!({ "input": resource_input(title) }),
    )
    .await;
    data["submitResource"]["id"]
        .as_str()
        .expect("a submission id")
        .to_owned()
}

/// The submission's current revision as `key` reads it (1 when it cannot read it, so
/// that the review itself answers why).
pub async fn revision_of(server: &TestServer, key: &str, id: &str) -> i64 {
    let body = call(
        server,
        Some(key),
        "query($id: ID!) { submission(id: $id) { revision } }",
        json!({ "id": id }),
    )
    .await;
    body["data"]["submission"]["revision"].as_i64().unwrap_or(1)
}

/// Reads the submission's revision, as a client would, then reviews that revision; returns
/// the whole response (errors included).
pub async fn decide(server: &TestServer, key: &str, id: &str, decision: &str) -> Value {
    let revision = revision_of(server, key, id).await;
    decide_at(server, key, id, revision, decision).await
}

/// Reviews the given `revision`; returns the whole response (errors included).
pub async fn decide_at(
    server: &TestServer,
    key: &str,
    id: &str,
    revision: i64,
    decision: &str,
) -> Value {
    call(
        server,
        Some(key),
        &review(),
        json!({
            "id": id,
            "revision": revision,
            "decision": decision,
            "comment": format!("{decision} by test"),
        }),
    )
    .await
}

/// The status after a review that must succeed.
pub async fn decide_ok(server: &TestServer, key: &str, id: &str, decision: &str) -> String {
    let body = decide(server, key, id, decision).await;
    assert!(body.get("errors").is_none(), "review failed: {body:#}");
    body["data"]["reviewSubmission"]["status"]
        .as_str()
        .expect("a status")
        .to_owned()
}

/// What the public sees of an item: `node(id:)` without a key.
pub async fn public_node(server: &TestServer, item_id: &str) -> Value {
    data(
        server,
        None,
        "query($id: ID!) { node(id: $id) { id ... on Resource { title } } }",
        json!({ "id": item_id }),
    )
    .await["node"]
        .clone()
}

pub async fn catalogue_version(db: &TestDatabase) -> i64 {
    db.client()
        .await
        .query_one("SELECT version FROM catalogue_version", &[])
        .await
        .expect("reading catalogue_version")
        .get(0)
}

/// The reviewers most tests need: one internal, four external, plus a contributor and an admin.
pub struct Cast {
    pub contributor: String,
    pub other_contributor: String,
    pub internal: String,
    pub external: Vec<String>,
    pub admin: String,
}

impl Cast {
    pub fn create(db: &TestDatabase) -> Self {
        Cast {
            contributor: create_key(db, "iom-contributor", "contributor", "external"),
            other_contributor: create_key(db, "ilo-contributor", "contributor", "external"),
            internal: create_key(db, "un-reviewer", "reviewer", "internal"),
            external: (1..=4)
                .map(|n| create_key(db, &format!("expert-{n}"), "reviewer", "external"))
                .collect(),
            admin: create_key(db, "hub-admin", "admin", "internal"),
        }
    }
}

/// Submits a resource tagged with `objectives` and has the cast's reviewers approve it
/// until it is published.
pub async fn publish(server: &TestServer, cast: &Cast, title: &str, objectives: Value) {
    let mut input = resource_input(title);
    input["objectives"] = objectives;
    let body = data(
        server,
        Some(&cast.contributor),
        &submit_resource(),
        json!({ "input": input }),
    )
    .await;
    let id = body["submitResource"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    decide_ok(server, &cast.internal, &id, "APPROVE").await;
    decide_ok(server, &cast.external[0], &id, "APPROVE").await;
    assert_eq!(
        decide_ok(server, &cast.external[1], &id, "APPROVE").await,
        "PUBLISHED"
    );
}
