//! Bounded memory under load (issue 17): 64 concurrent whole-catalogue walks on a generated
//! catalogue (synthetic data, labelled so) keep the server's peak resident memory under
//! 400 MiB — the heavy-operation cap runs a few at a time and queues the rest — and every
//! walk is answered: with the data, or with 503 `SERVICE_UNAVAILABLE` and `Retry-After`
//! when its wait would pass the budget. None hangs, none fails otherwise.

use gcm_test_support::{TestDatabase, TestServer, codes, workspace_root};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");
const PEAK_LIMIT_KIB: u64 = 400 * 1024;

#[tokio::test]
async fn sixty_four_concurrent_walks_stay_under_400_mib_and_are_all_answered() {
    let m = gcm_store::synthetic::SyntheticSize::named("M").expect("size M");
    let db = TestDatabase::with_synthetic_catalogue(m, 7).await;
    let server = TestServer::start_with_env(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("GCM_RATE_LIMIT_PER_SECOND", "0"),
            // A generous budget: a debug build walks slowly.
            ("GCM_REQUEST_TIMEOUT_MS", "120000"),
        ],
    )
    .await;
    let walk =
        std::fs::read_to_string(workspace_root().join("tests/clients/full_walk_bounded.graphql"))
            .expect("the walk");
    let idle_kib = server.rss_kib();
    let answers = futures::future::join_all((0..64).map(|_| {
        let request = server
            .http()
            .post(server.url("/graphql"))
            .json(&json!({ "query": walk, "variables": { "items": 20 } }))
            .send();
        async move {
            let response = request.await.expect("an answer, not a reset");
            let status = response.status().as_u16();
            let retry_after = response.headers().contains_key("retry-after");
            let body: Value = response.json().await.expect("a JSON body");
            (status, retry_after, body)
        }
    }))
    .await;
    let mut walked = 0;
    for (status, retry_after, body) in &answers {
        match status {
            200 => {
                assert!(body.get("errors").is_none(), "{body:#}");
                assert_eq!(
                    body["data"]["objectives"].as_array().map(Vec::len),
                    Some(23)
                );
                walked += 1;
            }
            503 => {
                assert_eq!(codes(body), ["SERVICE_UNAVAILABLE"], "{body:#}");
                assert!(retry_after, "a 503 says when to retry");
            }
            other => panic!("status {other}: {body:#}"),
        }
    }
    assert!(walked >= 4, "only {walked} of 64 walks were answered");
    let peak_kib = server.peak_rss_kib();
    println!(
        "64 walks: {walked} answered, {} refused; RSS idle {} MiB, peak {} MiB",
        64 - walked,
        idle_kib / 1024,
        peak_kib / 1024
    );
    assert!(
        peak_kib < PEAK_LIMIT_KIB,
        "peak RSS {} MiB (limit {} MiB)",
        peak_kib / 1024,
        PEAK_LIMIT_KIB / 1024
    );
}
