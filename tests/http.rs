//! `/graphql` over HTTP: POST, GET, GraphiQL for browsers, and a graceful stop.

mod ops_support;

use gcm_test_support::TestDatabase;
use ops_support::{Server, graphql, http};

#[tokio::test]
async fn graphql_answers_post_and_get_and_shows_graphiql_to_browsers() {
    let database = TestDatabase::migrated().await;
    let server = Server::start(&[("DATABASE_URL", database.url())]).await;

    let body = graphql(&server, "{ __typename }").await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");

    let response = http()
        .get(server.url("/graphql?query=%7B__typename%7D"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("GET /graphql");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["__typename"], "Query", "{body}");

    let response = http()
        .get(server.url("/graphql"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("GET /graphql as a browser");
    assert_eq!(response.status(), 200);
    let page = response.text().await.expect("html");
    assert!(page.to_lowercase().contains("graphiql"), "{page}");

    let body = graphql(&server, "{ noSuchField }").await;
    assert!(
        body["errors"].is_array(),
        "an invalid query must report errors: {body}"
    );

    let (status, log) = server.terminate().await;
    assert_eq!(
        status.code(),
        Some(0),
        "serve must exit 0 on SIGTERM; log:\n{log}"
    );
    assert!(
        log.contains("GET"),
        "requests are not logged (TraceLayer):\n{log}"
    );
}

#[tokio::test]
async fn serve_refuses_an_address_it_cannot_bind() {
    let database = TestDatabase::migrated().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = taken.local_addr().expect("address").to_string();
    let log = Server::try_start(&[("DATABASE_URL", database.url()), ("GCM_LISTEN", &address)])
        .await
        .err()
        .expect("serve must fail on a taken address");
    assert!(
        log.contains("cannot listen on") && log.contains("GCM_LISTEN"),
        "{log}"
    );
}
