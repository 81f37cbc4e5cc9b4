//! One gate for every transport, as a client meets it: the WebSocket runs subscriptions
//! only, within a cap of active subscriptions and a message rate, and authenticates
//! `connection_init` like a bearer header; rate limits follow what is verified (a key, else
//! the address), failed authentications have their own budget per address, spent before any
//! lookup; a verified key is cached for a stated bound, after which a revocation holds.

mod curation_support;
mod ws_support;

use std::time::Duration;

use curation_support::{BIN, create_key, keys_cli};
use gcm_test_support::{TestDatabase, TestServer};
use serde_json::{Value, json};
use ws_support::*;

const ITEMS_PUBLISHED: &str = "subscription { itemPublished { id title } }";

#[tokio::test]
async fn the_websocket_runs_subscriptions_only_within_its_caps() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start_with_env(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("GCM_WS_MAX_SUBSCRIPTIONS", "2"),
            ("GCM_WS_MESSAGES_PER_SECOND", "1"),
        ],
    )
    .await;
    let mut socket = connect(&server).await.expect("connecting");
    init(&mut socket, json!({})).await;
    for (id, query) in [
        ("q", "{ objectives { number } }"),
        ("m", "mutation { withdrawSubmission(id: \"x\") { id } }"),
    ] {
        subscribe(&mut socket, id, json!({ "query": query })).await;
        let refused = next_json(&mut socket).await;
        assert_eq!(refused["type"], "error", "{refused}");
        assert_eq!(refused["id"], id);
        assert_eq!(
            code_of(&refused),
            Some("OPERATION_NOT_ALLOWED"),
            "{refused}"
        );
    }
    let live = json!({ "query": ITEMS_PUBLISHED });
    subscribe(&mut socket, "s1", live.clone()).await;
    subscribe(&mut socket, "s2", live.clone()).await;
    subscribe(&mut socket, "s3", live.clone()).await;
    let third = next_json(&mut socket).await;
    assert_eq!(
        (third["type"].as_str(), third["id"].as_str()),
        (Some("error"), Some("s3"))
    );
    assert_eq!(
        code_of(&third),
        Some("MAX_SUBSCRIPTIONS_EXCEEDED"),
        "{third}"
    );
    assert_eq!(third["payload"][0]["extensions"]["limit"], 2);
    // Completing one frees its place, once.
    send(&mut socket, json!({ "id": "s1", "type": "complete" })).await;
    let completed = next_json(&mut socket).await;
    assert_eq!(
        (completed["type"].as_str(), completed["id"].as_str()),
        (Some("complete"), Some("s1"))
    );
    subscribe(&mut socket, "s4", live.clone()).await;
    subscribe(&mut socket, "s5", live.clone()).await;
    let fifth = next_json(&mut socket).await;
    assert_eq!(fifth["id"], "s5", "{fifth}");
    assert_eq!(code_of(&fifth), Some("MAX_SUBSCRIPTIONS_EXCEEDED"));
    // Past its message rate (1 per second, bursts of 10) the connection is closed.
    let mut closed = None;
    for _ in 0..20 {
        send(&mut socket, json!({ "type": "ping" })).await;
        // Its pong, or the close.
        let answer = tokio::time::timeout(
            Duration::from_secs(30),
            futures::StreamExt::next(&mut socket),
        )
        .await
        .expect("an answer within 30 s");
        if let Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) = answer {
            closed = Some((
                frame.as_ref().map(|f| u16::from(f.code)),
                frame.map(|f| f.reason.to_string()),
            ));
            break;
        }
    }
    let closed = closed.expect("closed within 20 pings");
    assert_eq!(closed.0, Some(4429), "{closed:?}");
    // The server goes on serving.
    let mut again = connect(&server).await.expect("a new connection");
    init(&mut again, json!({})).await;
}

#[tokio::test]
async fn connection_init_authenticates_like_a_bearer_header() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let key = create_key(&db, "ws-reviewer", "reviewer", "internal");
    let server = TestServer::start(BIN, db.url()).await;
    let mut socket = connect(&server).await.expect("connecting");
    init(
        &mut socket,
        json!({ "Authorization": format!("Bearer {key}") }),
    )
    .await;
    let mut nested = connect(&server).await.expect("connecting");
    init(
        &mut nested,
        json!({ "headers": { "authorization": format!("Bearer {key}") } }),
    )
    .await;

    let mut refused = connect(&server).await.expect("connecting");
    send(
        &mut refused,
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer gcm_not-a-key" } }),
    )
    .await;
    match receive(&mut refused).await {
        Received::Closed(code, reason) => {
            assert_eq!(code, Some(4403), "{reason}");
            assert!(reason.contains("malformed, unknown or revoked"), "{reason}");
        }
        other => panic!("expected a close, got {other:?}"),
    }
    // On the upgrade request itself, a refused credential gets no socket at all.
    match connect_with(&server, Some("Bearer gcm_not-a-key")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401)
        }
        other => panic!("expected 401, got {:?}", other.map(|_| "a socket")),
    }
}

fn random_bearer(i: usize) -> String {
    format!("Bearer gcm_{i:04}{}", "A".repeat(39))
}

#[tokio::test]
async fn random_bearers_are_throttled_per_address_before_any_lookup() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let key = create_key(&db, "budget-partner", "contributor", "external");
    let server = TestServer::start_with_env(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("GCM_AUTH_FAILURES_PER_MINUTE", "5"),
            ("GCM_TRUSTED_PROXY_HEADER", "X-Forwarded-For"),
        ],
    )
    .await;
    let post = |address: &'static str, authorization: String| {
        server
            .http()
            .post(server.url("/graphql"))
            .header("x-forwarded-for", address)
            .header("authorization", authorization)
            .json(&json!({ "query": "{ objectives { number } }" }))
            .send()
    };
    // A public read with a bad key is refused, not silently served; each spends the budget.
    for i in 0..5 {
        let response = post("7.7.7.7", random_bearer(i)).await.expect("POST");
        assert_eq!(response.status(), 401);
        assert_eq!(
            response
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok()),
            Some("Bearer")
        );
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        assert!(body.get("data").is_none(), "{body}");
    }
    // Spent: refused with 429 before the database is asked.
    let statements = server.metric("gcm_sql_statements_total").await;
    for i in 5..25 {
        let response = post("7.7.7.7", random_bearer(i)).await.expect("POST");
        assert_eq!(response.status(), 429);
        let retry_after: u64 = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    }
    assert_eq!(
        server.metric("gcm_sql_statements_total").await - statements,
        0.0,
        "a refused credential cost no lookup"
    );
    // Anonymous reads from that address are not credentials: still served.
    let anonymous = server
        .http()
        .post(server.url("/graphql"))
        .header("x-forwarded-for", "7.7.7.7")
        .json(&json!({ "query": "{ objectives { number } }" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(anonymous.status(), 200);
    // A valid key from another address keeps its whole budget.
    for _ in 0..10 {
        let response = post("8.8.8.8", format!("Bearer {key}"))
            .await
            .expect("POST");
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn a_revoked_key_stops_working_within_the_key_cache_bound() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let key = create_key(&db, "cached-contributor", "contributor", "external");
    let server = TestServer::start_with_env(
        BIN,
        &[("DATABASE_URL", db.url()), ("GCM_KEY_CACHE_MS", "1000")],
    )
    .await;
    let mine = |key: String| {
        server
            .http()
            .post(server.url("/graphql"))
            .bearer_auth(key)
            .json(&json!({ "query": "{ mySubmissions { nodes { id } } }" }))
            .send()
    };
    assert_eq!(mine(key.clone()).await.expect("POST").status(), 200);
    assert!(
        keys_cli(&db, &["revoke", "cached-contributor"])
            .status
            .success()
    );
    // Past the stated bound, the revocation holds.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let refused = mine(key).await.expect("POST");
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

#[tokio::test]
async fn a_socket_open_for_ten_thousand_events_keeps_its_memory_flat() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    let client = db.client().await;
    let item: i32 = client
        .query_one(
            "SELECT id FROM items WHERE status = 'published' ORDER BY id LIMIT 1",
            &[],
        )
        .await
        .expect("a published item")
        .get(0);
    let mut socket = connect(&server).await.expect("connecting");
    init(&mut socket, json!({})).await;
    subscribe(&mut socket, "live", json!({ "query": ITEMS_PUBLISHED })).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Each notification is an event, as a publication's commit sends it (one statement
    // each: PostgreSQL folds equal notifications of one transaction into one). Sent in
    // steps the subscriber keeps up with: the feed drops what a slow subscriber cannot take.
    const EVENTS: usize = 10_000;
    const STEP: usize = 50;
    let mut received = 0;
    let mut rss = vec![server.rss_kib()];
    while received < EVENTS {
        for _ in 0..STEP {
            client
                .execute(
                    "SELECT pg_notify('gcm_item_published', $1)",
                    &[&item.to_string()],
                )
                .await
                .expect("NOTIFY");
        }
        let mut got = 0;
        while got < STEP {
            match tokio::time::timeout(Duration::from_secs(2), next_json(&mut socket)).await {
                Ok(event) => {
                    assert_eq!(event["type"], "next", "{event}");
                    assert!(
                        event["payload"]["data"]["itemPublished"]["id"].is_string(),
                        "{event}"
                    );
                    got += 1;
                }
                Err(_) => break,
            }
        }
        received += got;
        if received % 2_000 < got {
            rss.push(server.rss_kib());
            eprintln!("{received} events, RSS {} KiB", rss[rss.len() - 1]);
        }
    }
    // Flat: measured from the first 2,000 events (allocator and buffers warmed up).
    let (first, last) = (rss[1], rss[rss.len() - 1]);
    assert!(
        last < first + 16 * 1024,
        "RSS grew from {first} KiB to {last} KiB over {received} events"
    );
}
