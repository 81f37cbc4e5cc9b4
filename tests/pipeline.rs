//! The pipeline's logic, in process ([`TestApp`]: the real router on a fresh database, no
//! socket): persisted documents, the transport rules, batches whose members fail alone,
//! and refusals that name their limit. HTTP itself is the subject of `http.rs` and
//! `public_api.rs`, against the real server.

use gcm_test_support::{TestApp, TestDatabase, codes};
use serde_json::json;
use sha2::{Digest, Sha256};

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[tokio::test]
async fn a_persisted_query_is_registered_once_then_runs_by_its_hash() {
    let app = TestApp::with_bundled_catalogue().await;
    let query = "query Objectives { objectives { number } }";
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256(query) } });
    let (status, unknown) = app.post(json!({ "extensions": persisted })).await;
    assert_eq!(
        (status, codes(&unknown)),
        (200, vec!["PERSISTED_QUERY_NOT_FOUND".to_owned()])
    );
    let (_, registered) = app
        .post(json!({ "query": query, "extensions": persisted }))
        .await;
    assert_eq!(
        registered["data"]["objectives"].as_array().map(Vec::len),
        Some(23)
    );
    let (_, by_hash) = app.post(json!({ "extensions": persisted })).await;
    assert_eq!(by_hash["data"], registered["data"]);
    let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256("{ x }") } });
    let (status, mismatch) = app
        .post(json!({ "query": query, "extensions": wrong }))
        .await;
    assert_eq!(
        (status, codes(&mismatch)),
        (400, vec!["PERSISTED_QUERY_HASH_MISMATCH".to_owned()])
    );
}

#[tokio::test]
async fn get_runs_queries_only_and_a_request_selecting_no_operation_runs_nothing() {
    let app = TestApp::with_bundled_catalogue().await;
    let (status, body) = app
        .get(&[("query", "{ objective(number: 22) { number } }")])
        .await;
    assert_eq!(
        (status, &body["data"]["objective"]["number"]),
        (200, &json!(22))
    );
    let (status, body) = app
        .get(&[("query", "mutation { withdrawSubmission(id: \"x\") { id } }")])
        .await;
    assert_eq!(
        (status, codes(&body)),
        (405, vec!["METHOD_NOT_ALLOWED".to_owned()])
    );
    let (status, body) = app
        .post(json!({ "query": "query A { __typename } query B { __typename }" }))
        .await;
    assert_eq!(
        (status, codes(&body)),
        (200, vec!["GRAPHQL_VALIDATION_FAILED".to_owned()])
    );
    assert!(body.get("data").is_none(), "{body}");
}

#[tokio::test]
async fn a_batch_answers_each_member_and_a_bad_member_fails_alone() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let app = TestApp::with_config(db, |config| config.max_batch = 3).await;
    let (status, body) = app
        .post(json!([
            { "query": "{ objective(number: 1) { number } }" },
            { "query": 7 },
            { "query": "{ objective(number: 2) { number } }" },
        ]))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["data"]["objective"]["number"], 1);
    assert_eq!(codes(&body[1]), vec!["BAD_REQUEST".to_owned()]);
    assert_eq!(body[2]["data"]["objective"]["number"], 2);
    let (status, body) = app
        .post(serde_json::Value::Array(vec![
            json!({ "query": "{ __typename }" });
            4
        ]))
        .await;
    assert_eq!(
        (status, codes(&body)),
        (400, vec!["MAX_BATCH_SIZE_EXCEEDED".to_owned()])
    );
    assert_eq!(body["errors"][0]["extensions"]["limit"], 3);
    assert_eq!(body["errors"][0]["extensions"]["value"], 4);
}

#[tokio::test]
async fn a_refused_cost_names_its_limit_and_reports_what_it_measured() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let app = TestApp::with_config(db, |config| config.max_complexity = 50).await;
    let (status, body) = app
        .post(json!({ "query": "{ resources(first: 100) { nodes { title } } }" }))
        .await;
    assert_eq!(
        (status, codes(&body)),
        (400, vec!["MAX_COMPLEXITY_EXCEEDED".to_owned()])
    );
    let extensions = &body["errors"][0]["extensions"];
    assert_eq!(extensions["limit"], 50);
    assert_eq!(body["extensions"]["cost"]["requested"], extensions["value"]);
    assert_eq!(body["extensions"]["cost"]["actual"], 0);
}

/// A migration that changes a result type under the pool's cached statements (PostgreSQL:
/// "cached plan must not change result type") costs the next request nothing: the pipeline
/// sees the stale plan, drops the idle connections and runs the query once more, on
/// statements prepared afresh.
#[tokio::test]
async fn a_query_after_a_migration_changed_a_result_type_is_answered() {
    let db = TestDatabase::with_bundled_catalogue().await;
    // One connection, so the second request meets the first one's cached statements.
    let app = TestApp::with_config(db, |config| config.pool_size = 1).await;
    let query = "{ events(first: 5) { edges { node { slug city } } } }";
    let before = app.data(query, json!({})).await;
    let stale_before = gcm_store::stale_plans_seen();
    app.db
        .client()
        .await
        .batch_execute("ALTER TABLE items ALTER COLUMN city TYPE varchar(300)")
        .await
        .expect("the migration");
    let after = app.graphql(query, json!({})).await;
    assert!(after.get("errors").is_none(), "{after:#}");
    assert_eq!(after["data"], before);
    // The stale plan did happen (so the rerun is what answered).
    assert!(gcm_store::stale_plans_seen() > stale_before);
}
