//! Nothing about keys appears in the server's logs, even at debug level: not the secrets
//! sent (valid, revoked or malformed), not their digests.

mod curation_support;
mod ops_support;

use curation_support::{create_key, keys_cli};
use gcm_test_support::TestDatabase;
use serde_json::json;

#[tokio::test]
async fn keys_never_reach_the_logs() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let contributor = create_key(&db, "logged-contributor", "contributor", "external");
    let revoked = create_key(&db, "logged-revoked", "reviewer", "external");
    assert!(
        keys_cli(&db, &["revoke", "logged-revoked"])
            .status
            .success()
    );
    let server =
        ops_support::Server::start(&[("DATABASE_URL", db.url()), ("RUST_LOG", "debug")]).await;
    let http = ops_support::http();
    let malformed = format!("{contributor}!");
    for (key, status) in [(&contributor, 200), (&revoked, 401), (&malformed, 401)] {
        let response = http
            .post(server.url("/graphql"))
            .header("authorization", format!("Bearer {key}"))
            .json(&json!({ "query": "{ mySubmissions { nodes { id } } }" }))
            .send()
            .await
            .expect("POST /graphql");
        assert_eq!(response.status(), status);
    }
    let (_, log) = server.terminate().await;
    assert!(
        log.contains("/graphql"),
        "the log holds the requests: {log}"
    );
    let client = db.client().await;
    let digests: Vec<Vec<u8>> = client
        .query("SELECT secret_hash FROM api_keys", &[])
        .await
        .expect("digests")
        .iter()
        .map(|row| row.get(0))
        .collect();
    for secret in [&contributor, &revoked] {
        assert!(!log.contains(&secret[4..]), "a secret is in the log");
    }
    for digest in digests {
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert!(
            !log.to_lowercase().contains(&hex),
            "a key digest is in the log"
        );
    }
    assert!(
        !log.to_lowercase().contains("bearer"),
        "an authorization header is in the log"
    );
}
