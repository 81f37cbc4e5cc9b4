//! Liveness, readiness and metrics of a real `serve` process on a real database.

mod ops_support;

use std::time::{Duration, Instant};

use gcm_test_support::TestDatabase;
use ops_support::{Server, http};
use serde_json::Value;

async fn get(server: &Server, path: &str) -> (u16, String) {
    let response = http().get(server.url(path)).send().await.expect("GET");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Polls until `path` answers `status` (the server notices a change on its next request).
async fn eventually(server: &Server, path: &str, status: u16) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let started = Instant::now();
        let (got, body) = get(server, path).await;
        assert!(
            // A hang guard, not a time budget.
            started.elapsed() < Duration::from_secs(60),
            "{path} took {:?}",
            started.elapsed()
        );
        if got == status {
            return body;
        }
        assert!(Instant::now() < deadline, "{path} stayed {got}: {body}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn sql_statements(metrics: &str) -> Option<u64> {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("gcm_sql_statements_total "))
        .and_then(|value| value.trim().parse::<f64>().ok())
        .map(|value| value as u64)
}

#[tokio::test]
async fn a_migrated_database_is_healthy_ready_and_counted() {
    let database = TestDatabase::blank().await;
    let server = Server::start(&[("DATABASE_URL", database.url())]).await;

    let (status, body) = get(&server, "/healthz").await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = get(&server, "/readyz").await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).expect("JSON readiness");
    assert_eq!(body["status"], "ready");

    let response = http()
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let metrics = response.text().await.expect("metrics");
    let counted = sql_statements(&metrics)
        .unwrap_or_else(|| panic!("no gcm_sql_statements_total in:\n{metrics}"));
    assert!(
        counted > 0,
        "the readiness query was not counted:\n{metrics}"
    );

    // Another request that queries: the counter moves.
    get(&server, "/readyz").await;
    let (_, metrics) = get(&server, "/metrics").await;
    assert!(
        sql_statements(&metrics).is_some_and(|now| now > counted),
        "{metrics}"
    );
}

#[tokio::test]
async fn readyz_is_503_on_a_database_that_is_not_migrated() {
    let database = TestDatabase::blank().await;
    let server = Server::start(&[("DATABASE_URL", database.url())]).await;
    eventually(&server, "/readyz", 200).await;

    gcm_store::migrations::revert_all(database.url())
        .await
        .expect("revert migrations");
    let body = eventually(&server, "/readyz", 503).await;
    let body: Value = serde_json::from_str(&body).expect("JSON readiness");
    assert_eq!(body["status"], "unavailable");
    assert!(
        body["reason"]
            .as_str()
            .is_some_and(|r| r.contains("not migrated")),
        "{body}"
    );

    let (status, _) = get(&server, "/healthz").await;
    assert_eq!(status, 200, "the process is still alive");
}

#[tokio::test]
async fn readyz_is_503_not_a_hang_when_the_database_is_gone() {
    let database = TestDatabase::blank().await;
    let server = Server::start(&[("DATABASE_URL", database.url())]).await;
    eventually(&server, "/readyz", 200).await;

    // The database disappears under the server (its sessions are ended with it).
    let admin_url = std::env::var("GCM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    ops_support::connect(&admin_url)
        .await
        .expect("connect as admin")
        .batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", database.name()))
        .await
        .expect("drop the database");
    let body = eventually(&server, "/readyz", 503).await;
    let body: Value = serde_json::from_str(&body).expect("JSON readiness");
    assert_eq!(body["status"], "unavailable", "{body}");
    assert!(
        body["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{body}"
    );

    let (status, _) = get(&server, "/healthz").await;
    assert_eq!(status, 200);
}
