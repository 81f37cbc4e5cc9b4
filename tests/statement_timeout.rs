//! PostgreSQL's `statement_timeout` (GCM_STATEMENT_TIMEOUT_MS) reaches the database, and a
//! statement cancelled by it is a typed error naming the limit, not an internal error.

use gcm_test_support::{TestDatabase, TestServer};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");

/// Facets over every item with a broad text: one heavy statement on a large catalogue.
const HEAVY: &str = "{ facets(filter: { text: \"migration or workers or social or rights\" }) { total countries { count } years { year } } }";

use gcm_test_support::codes;

#[tokio::test]
async fn a_statement_past_the_timeout_is_a_typed_error_naming_the_limit() {
    // Synthetic data (labelled so), large enough that the heavy statement takes well over 2 ms.
    let db = TestDatabase::with_synthetic_catalogue(
        gcm_store::synthetic::SyntheticSize::items(20_000),
        3,
    )
    .await;

    // With the default timeout the statement completes.
    let roomy = TestServer::start(BIN, db.url()).await;
    let body = roomy.graphql(HEAVY, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(
        body["data"]["facets"]["total"].as_i64().unwrap_or(0) > 1000,
        "{body}"
    );

    // With 2 ms it is cancelled by PostgreSQL, and the client is told which limit it met.
    let tight = TestServer::start_with_env(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("GCM_STATEMENT_TIMEOUT_MS", "2"),
        ],
    )
    .await;
    let body = tight.graphql(HEAVY, json!({})).await;
    assert_eq!(codes(&body), ["STATEMENT_TIMEOUT_EXCEEDED"], "{body}");
    // Light statements still run, and the server stays up.
    let body = tight
        .graphql("{ objective(number: 22) { title } }", json!({}))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
}
