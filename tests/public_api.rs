//! The public API end to end against the real server: GraphQL over HTTP (the reference
//! audit suite), every limit with its code, limit and value, the cost extension,
//! introspection switch, batching, body and time limits, and the operational layers
//! (request id, compression, CORS, metrics, JSON logs).

mod curation_support;
mod ops_support;

use gcm_test_support::{TestDatabase, TestServer, content_type};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

async fn post(server: &TestServer, accept: &str, body: Value) -> (u16, String, Value) {
    let response = server.post_accepting(accept, &body).await;
    let status = response.status().as_u16();
    let content_type = content_type(&response);
    let body = response.json().await.expect("a JSON body");
    (status, content_type, body)
}

async fn metrics_text(server: &TestServer) -> String {
    server
        .http()
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("GET /metrics")
        .text()
        .await
        .expect("metrics text")
}

/// The value of the series whose line starts with `series` (name and labels), 0 if absent.
fn series(text: &str, series: &str) -> f64 {
    text.lines()
        .filter_map(|line| line.strip_prefix(series))
        .filter_map(|rest| rest.trim().parse::<f64>().ok())
        .next()
        .unwrap_or(0.0)
}

#[tokio::test]
async fn the_graphql_over_http_audit_passes_every_audit_without_a_warning() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    let url = server.url("/graphql");
    let output =
        gcm_test_support::run_node("graphql_http", "graphql-http", "audit.mjs", vec![url]).await;
    assert!(
        output.status.success(),
        "audit.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Vec<Value> =
        serde_json::from_slice(&output.stdout).expect("audit.mjs prints one JSON array");
    // graphql-http 1.22.4 has 60 audits; fewer would mean the suite did not really run.
    assert!(report.len() >= 60, "only {} audits ran", report.len());
    let failed: Vec<&Value> = report
        .iter()
        .filter(|audit| audit["status"] != "ok")
        .collect();
    assert!(failed.is_empty(), "audits not passed: {failed:#?}");
}

#[tokio::test]
async fn every_limit_breach_names_its_limit_with_the_limit_and_the_value() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start_with_env(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("GCM_MAX_DEPTH", "4"),
            ("GCM_MAX_COMPLEXITY", "500"),
            ("GCM_MAX_ALIASES", "3"),
            ("GCM_MAX_ROOT_FIELDS", "4"),
            ("GCM_MAX_DIRECTIVES", "2"),
            ("GCM_MAX_TOKENS", "300"),
            ("GCM_MAX_DOCUMENT_BYTES", "3000"),
            ("GCM_MAX_VARIABLES_DEPTH", "3"),
            ("GCM_MAX_VARIABLES_VALUES", "20"),
        ],
    )
    .await;

    let long_name = "x".repeat(3001);
    let many_tokens = format!("{{ {} }}", "a ".repeat(301));
    let cases: Vec<(&str, String, Value, &str, u64, u64)> = vec![
        (
            "depth",
            "{ objectives { resources { edges { node { title } } } } }".into(),
            json!({}),
            "MAX_DEPTH_EXCEEDED",
            4,
            5,
        ),
        (
            // The 23 objectives × (1 + a page of 50 × nodes (1 each) + 1)
            "cost",
            "{ objectives { resources(first: 50) { nodes { title } } } }".into(),
            json!({}),
            "MAX_COMPLEXITY_EXCEEDED",
            500,
            23 * (1 + 50 + 1),
        ),
        (
            "cost from a variable page size",
            "query ($n: Int) { resources(first: $n) { nodes { title } } }".into(),
            json!({ "n": 600 }),
            "MAX_COMPLEXITY_EXCEEDED",
            500,
            1 + 600,
        ),
        (
            "aliases",
            "{ a: __typename b: __typename c: __typename d: __typename }".into(),
            json!({}),
            "MAX_ALIASES_EXCEEDED",
            3,
            4,
        ),
        (
            "aliases through a fragment spread twice",
            "{ ...F ...F } fragment F on Query { a: __typename b: __typename }".into(),
            json!({}),
            "MAX_ALIASES_EXCEEDED",
            3,
            4,
        ),
        (
            "root fields",
            "{ objectives { number } regions { slug } principles { slug } instruments { code } countries { iso3 } }".into(),
            json!({}),
            "MAX_ROOT_FIELDS_EXCEEDED",
            4,
            5,
        ),
        (
            "directives",
            "{ __typename @skip(if: false) @include(if: true) @skip(if: false) }".into(),
            json!({}),
            "MAX_DIRECTIVES_EXCEEDED",
            2,
            3,
        ),
        (
            "tokens",
            many_tokens,
            json!({}),
            "MAX_TOKENS_EXCEEDED",
            300,
            301,
        ),
        (
            "document size",
            format!("{{ __typename }} # {long_name}"),
            json!({}),
            "MAX_DOCUMENT_SIZE_EXCEEDED",
            3000,
            3001 + "{ __typename } # ".len() as u64,
        ),
        (
            "variables depth",
            "query ($f: ItemFilter) { resources(filter: $f) { totalCount } }".into(),
            json!({ "f": { "a": { "b": { "c": { "d": 1 } } } } }),
            "MAX_VARIABLES_DEPTH_EXCEEDED",
            3,
            4,
        ),
        (
            "variables values",
            "query ($f: ItemFilter) { resources(filter: $f) { totalCount } }".into(),
            json!({ "f": { "objectives": (1..=25).collect::<Vec<_>>() } }),
            "MAX_VARIABLES_VALUES_EXCEEDED",
            20,
            27,
        ),
    ];
    for (what, query, variables, code, limit, value) in &cases {
        for accept in ["application/json", GRAPHQL_RESPONSE_JSON] {
            let (status, _, body) = post(
                &server,
                accept,
                json!({ "query": query, "variables": variables }),
            )
            .await;
            assert_eq!(status, 400, "{what} ({accept}): {body:#}");
            assert!(body.get("data").is_none(), "{what}: no data: {body:#}");
            let extensions = &body["errors"][0]["extensions"];
            assert_eq!(extensions["code"], *code, "{what}: {body:#}");
            assert_eq!(extensions["limit"], *limit, "{what}: {body:#}");
            assert_eq!(extensions["value"], *value, "{what}: {body:#}");
        }
    }

    // Just under the limits, the same shapes run.
    let body = server
        .data(
            "{ a: objectives { number } b: regions { slug } c: __typename }",
            json!({}),
        )
        .await;
    assert_eq!(body["c"], "Query");

    let metrics = metrics_text(&server).await;
    assert_eq!(
        series(
            &metrics,
            "gcm_limit_breaches_total{limit=\"MAX_ALIASES_EXCEEDED\"}"
        ),
        4.0,
        "{metrics}"
    );
    assert_eq!(
        series(
            &metrics,
            "gcm_limit_breaches_total{limit=\"MAX_COMPLEXITY_EXCEEDED\"}"
        ),
        4.0,
        "{metrics}"
    );
    assert!(
        series(
            &metrics,
            "gcm_graphql_requests_total{operation=\"unknown\",outcome=\"rejected\"}"
        ) >= 2.0,
        "{metrics}"
    );
}

#[tokio::test]
async fn every_response_reports_its_requested_and_actual_cost() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;

    let body = server
        .graphql(
            "{ resources(first: 3) { edges { node { title } } } regions { slug } }",
            json!({}),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let returned = body["data"]["resources"]["edges"]
        .as_array()
        .expect("edges")
        .len() as u64;
    // resources: 1 + 3 × (edge 1 + node 1); regions: 5 × 1.
    assert_eq!(body["extensions"]["cost"]["requested"], 1 + 3 * 2 + 5);
    let regions = body["data"]["regions"].as_array().expect("regions").len() as u64;
    assert_eq!(
        body["extensions"]["cost"]["actual"],
        1 + 2 * returned + regions,
        "{body:#}"
    );

    let body = server.graphql("{ __typename }", json!({})).await;
    assert_eq!(
        body["extensions"]["cost"],
        json!({ "requested": 0, "actual": 0 })
    );

    // A fragment bomb is measured once per fragment, not expanded: refused quickly.
    let mut bomb = String::from("{ ...F0 }");
    for level in 0..40 {
        bomb.push_str(&format!(
            " fragment F{level} on Query {{ objectives {{ ...F{next} ...F{next} }} }}",
            next = level + 1
        ));
    }
    bomb.push_str(" fragment F40 on Objective { number }");
    let started = std::time::Instant::now();
    let body = server.graphql(&bomb, json!({})).await;
    // A hang guard, not a time budget: refusing it must not expand the fragments.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "MAX_DEPTH_EXCEEDED",
        "{body:#}"
    );
}

#[tokio::test]
async fn introspection_is_on_by_default_and_can_be_switched_off() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let on = TestServer::start(BIN, db.url()).await;
    let data = on
        .data("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");

    let off = TestServer::start_with_env(
        BIN,
        &[("DATABASE_URL", db.url()), ("GCM_INTROSPECTION", "false")],
    )
    .await;
    let body = off
        .graphql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "INTROSPECTION_DISABLED",
        "{body:#}"
    );
    assert!(body.get("data").is_none(), "{body:#}");
    // Ordinary queries still run.
    let data = off.data("{ regions { slug } }", json!({})).await;
    assert!(data["regions"].as_array().is_some_and(|r| !r.is_empty()));
}

#[tokio::test]
async fn get_serves_queries_only_and_batches_are_off_unless_configured_then_bounded() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    let http = server.http();

    let response = http
        .get(server.url("/graphql"))
        .query(&[("query", "{ regions { slug } }")])
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert!(body["data"]["regions"].is_array(), "{body:#}");

    let response = http
        .get(server.url("/graphql"))
        .query(&[("query", "mutation { __typename }")])
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 405);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );

    let batch = json!([{ "query": "{ __typename }" }, { "query": "{ regions { slug } }" }]);
    let (status, _, body) = post(&server, "application/json", batch.clone()).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BATCHING_DISABLED",
        "{body:#}"
    );

    let batching =
        TestServer::start_with_env(BIN, &[("DATABASE_URL", db.url()), ("GCM_MAX_BATCH", "2")])
            .await;
    let (status, _, body) = post(&batching, "application/json", batch).await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(body[0]["data"]["__typename"], "Query", "{body:#}");
    assert!(body[1]["data"]["regions"].is_array(), "{body:#}");
    let flood = Value::Array(vec![json!({ "query": "{ __typename }" }); 3]);
    let (status, _, body) = post(&batching, "application/json", flood).await;
    assert_eq!(status, 400);
    let extensions = &body["errors"][0]["extensions"];
    assert_eq!(extensions["code"], "MAX_BATCH_SIZE_EXCEEDED", "{body:#}");
    assert_eq!(extensions["limit"], 2);
    assert_eq!(extensions["value"], 3);
}

#[tokio::test]
async fn bodies_and_requests_beyond_their_limits_get_413_and_408() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start_with_env(
        BIN,
        &[("DATABASE_URL", db.url()), ("GCM_MAX_BODY_BYTES", "4096")],
    )
    .await;
    let body = json!({ "query": "{ __typename }", "variables": { "pad": "x".repeat(5000) } });
    let response = server
        .http()
        .post(server.url("/graphql"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 413);
    // Still serving.
    let data = server.data("{ __typename }", json!({})).await;
    assert_eq!(data["__typename"], "Query");

    // A request time of 1 ms: the first query, which opens a connection, cannot make it.
    let slow = TestServer::start_with_env(
        BIN,
        &[("DATABASE_URL", db.url()), ("GCM_REQUEST_TIMEOUT_MS", "1")],
    )
    .await;
    let (status, _, body) = post(
        &slow,
        "application/json",
        json!({ "query": "{ resources(first: 100) { nodes { title countries { name } objectives { title } } } }" }),
    )
    .await;
    assert_eq!(status, 408, "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "REQUEST_TIMEOUT");
    assert_eq!(body["errors"][0]["extensions"]["limit"], 1);
    let health = slow
        .http()
        .get(slow.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn request_ids_compression_cors_metrics_and_json_logs() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = ops_support::Server::start(&[
        ("DATABASE_URL", db.url()),
        (
            "GCM_CORS_ORIGINS",
            "https://portal.example, https://other.example",
        ),
        ("GCM_LOG_FORMAT", "json"),
        ("RUST_LOG", "info"),
    ])
    .await;
    let http = ops_support::http();
    let query =
        json!({ "query": "query Regions { regions { slug name } objectives { number title } }" });

    // Request ids: a client's is echoed, otherwise one is made.
    let response = http
        .post(server.url("/graphql"))
        .header("x-request-id", "client-id-42")
        .json(&query)
        .send()
        .await
        .expect("POST");
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("client-id-42")
    );
    let response = http
        .post(server.url("/graphql"))
        .json(&query)
        .send()
        .await
        .expect("POST");
    let made = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(made.len(), 36, "a UUID: {made:?}");

    // Compression, as the client asks.
    for encoding in ["gzip", "br"] {
        let response = http
            .post(server.url("/graphql"))
            .header("accept-encoding", encoding)
            .json(&query)
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 200);
        assert_eq!(
            response
                .headers()
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            Some(encoding)
        );
    }

    // CORS: a listed origin is allowed (preflight included), another is not.
    let preflight = http
        .request(reqwest::Method::OPTIONS, server.url("/graphql"))
        .header("origin", "https://portal.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .expect("OPTIONS");
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://portal.example")
    );
    let foreign = http
        .post(server.url("/graphql"))
        .header("origin", "https://evil.example")
        .json(&query)
        .send()
        .await
        .expect("POST");
    assert!(
        foreign
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    // Metrics: requests by operation and outcome, latency, pool, SQL statements.
    let metrics = http
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        series(
            &metrics,
            "gcm_graphql_requests_total{operation=\"Regions\",outcome=\"ok\"}"
        ) >= 5.0,
        "{metrics}"
    );
    for name in [
        "gcm_graphql_request_duration_seconds_bucket",
        "gcm_pool_connections_in_use",
        "gcm_pool_waiting",
        "gcm_sql_statements_total",
    ] {
        assert!(metrics.contains(name), "{name} missing:\n{metrics}");
    }

    // JSON logs, one object per line, with the request id in the request's span.
    let (_, log) = server.terminate().await;
    let lines: Vec<Value> = log
        .lines()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).expect("every log line is JSON"))
        .collect();
    assert!(!lines.is_empty(), "{log}");
    assert!(
        log.contains("client-id-42"),
        "the request id is not in the logs:\n{log}"
    );
}

#[tokio::test]
async fn clients_over_their_rate_get_429_with_retry_after() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start_with_env(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("GCM_RATE_LIMIT_PER_SECOND", "0.5"),
            ("GCM_RATE_LIMIT_BURST", "3"),
            ("GCM_TRUSTED_PROXY_HEADER", "X-Forwarded-For"),
        ],
    )
    .await;
    let partner = curation_support::create_key(&db, "rate-partner", "contributor", "external");
    let send = |forwarded: &'static str, key: Option<&str>| {
        let mut request = server
            .http()
            .post(server.url("/graphql"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "query": "{ __typename }" }));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    for _ in 0..3 {
        assert_eq!(
            send("9.9.9.9, 1.1.1.1", None).await.expect("POST").status(),
            200
        );
    }
    let refused = send("9.9.9.9, 1.1.1.1", None).await.expect("POST");
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let body: Value = refused.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    // Another address (as the trusted proxy saw it) and an API key are other clients.
    assert_eq!(
        send("9.9.9.9, 2.2.2.2", None).await.expect("POST").status(),
        200
    );
    assert_eq!(
        send("9.9.9.9, 1.1.1.1", Some(&partner))
            .await
            .expect("POST")
            .status(),
        200
    );
    // Health and metrics are not rate limited.
    let metrics = metrics_text(&server).await;
    assert_eq!(
        series(&metrics, "gcm_limit_breaches_total{limit=\"RATE_LIMITED\"}"),
        1.0,
        "{metrics}"
    );
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[tokio::test]
async fn automatic_persisted_queries_register_then_run_by_hash_over_post_and_get() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    let query = "query Regions { regions { slug } }";
    let hash = sha256_hex(query);
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });

    let (status, _, body) = post(
        &server,
        "application/json",
        json!({ "extensions": persisted }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "PERSISTED_QUERY_NOT_FOUND",
        "{body:#}"
    );
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");

    let (status, _, body) = post(
        &server,
        "application/json",
        json!({ "query": "{ __typename }", "extensions": persisted }),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_HASH_MISMATCH"
    );

    let (status, _, body) = post(
        &server,
        "application/json",
        json!({ "query": query, "extensions": persisted }),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["data"]["regions"].is_array(), "{body:#}");

    let (_, _, body) = post(
        &server,
        "application/json",
        json!({ "extensions": persisted }),
    )
    .await;
    assert!(body["data"]["regions"].is_array(), "{body:#}");
    let response = server
        .http()
        .get(server.url("/graphql"))
        .query(&[("extensions", persisted.to_string())])
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert!(body["data"]["regions"].is_array(), "{body:#}");
}

#[tokio::test]
async fn trusted_documents_mode_runs_only_the_listed_operations() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let scratch = ops_support::ScratchDir::new("trusted");
    let trusted = "query Regions { regions { slug } }";
    let manifest = json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [{ "id": sha256_hex(trusted), "name": "Regions", "type": "query", "body": trusted }],
    });
    let path = scratch.path().join("manifest.json");
    std::fs::write(&path, manifest.to_string()).expect("write manifest");
    let path = path.to_string_lossy().into_owned();
    let server = TestServer::start_with_env(
        BIN,
        &[("DATABASE_URL", db.url()), ("GCM_TRUSTED_DOCUMENTS", &path)],
    )
    .await;
    let data = server.data(trusted, json!({})).await;
    assert!(data["regions"].is_array());
    let (_, _, body) = post(
        &server,
        "application/json",
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(trusted) } } }),
    )
    .await;
    assert!(body["data"]["regions"].is_array(), "{body:#}");
    let (status, _, body) = post(
        &server,
        "application/json",
        json!({ "query": "{ objectives { number } }" }),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_ALLOWED"
    );
}

#[tokio::test]
async fn get_answers_carry_cache_control_and_a_strong_etag_with_304() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    let partner = curation_support::create_key(&db, "etag-partner", "contributor", "external");
    let get = |etag: Option<String>, authorization: Option<&str>| {
        let mut request = server
            .http()
            .get(server.url("/graphql"))
            .query(&[("query", "{ regions { slug } }")]);
        if let Some(etag) = etag {
            request = request.header("if-none-match", etag);
        }
        if let Some(authorization) = authorization {
            request = request.header("authorization", authorization);
        }
        request.send()
    };
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let first = get(None, None).await.expect("GET");
    assert_eq!(first.status(), 200);
    assert_eq!(
        header(&first, "cache-control").as_deref(),
        Some("public, max-age=60")
    );
    let etag = header(&first, "etag").expect("an ETag");
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "{etag}");

    let again = get(Some(etag.clone()), None).await.expect("GET");
    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "etag"), Some(etag.clone()));
    assert!(again.bytes().await.expect("body").is_empty());

    let other = get(Some("\"other\"".to_owned()), None).await.expect("GET");
    assert_eq!(other.status(), 200);

    let private = get(None, Some(&format!("Bearer {partner}")))
        .await
        .expect("GET");
    assert_eq!(private.status(), 200);
    assert_eq!(
        header(&private, "cache-control").as_deref(),
        Some("no-store")
    );

    let failed = server
        .http()
        .get(server.url("/graphql"))
        .query(&[("query", "{ objective(number: 0) { title } }")])
        .send()
        .await
        .expect("GET");
    assert_eq!(
        header(&failed, "cache-control").as_deref(),
        Some("no-store")
    );
    assert!(header(&failed, "etag").is_none());
}

#[tokio::test]
async fn the_response_cache_serves_repeats_and_empties_when_the_catalogue_changes() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start_with_env(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("GCM_RESPONSE_CACHE_SIZE", "100"),
            ("GCM_RESPONSE_CACHE_CHECK_MS", "100"),
        ],
    )
    .await;
    let partner = curation_support::create_key(&db, "cache-partner", "contributor", "external");
    let query = "query Regions { regions { slug name } }";
    let first = server.data(query, json!({})).await;
    let statements = server.metric("gcm_sql_statements_total").await;
    for _ in 0..3 {
        assert_eq!(server.data(query, json!({})).await, first);
    }
    let metrics = metrics_text(&server).await;
    assert_eq!(
        series(&metrics, "gcm_response_cache_hits_total"),
        3.0,
        "{metrics}"
    );
    assert!(series(&metrics, "gcm_response_cache_misses_total") >= 1.0);
    assert_eq!(series(&metrics, "gcm_response_cache_entries"), 1.0);
    assert!(series(&metrics, "gcm_response_cache_bytes") > 0.0);
    // Hits run no query (a version check, at most one per interval, may).
    assert!(server.metric("gcm_sql_statements_total").await - statements <= 3.0);

    // Different variables or credentials are not served from the entry.
    let private = server
        .http()
        .post(server.url("/graphql"))
        .bearer_auth(&partner)
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("POST");
    assert_eq!(private.status(), 200);

    // A change to the catalogue (as an import makes it: data and version together).
    let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    client
        .batch_execute(
            "UPDATE regions SET name = 'Renamed' WHERE slug = 'africa';
             UPDATE catalogue_version SET version = version + 1;",
        )
        .await
        .expect("change the catalogue");
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    let after = server.data(query, json!({})).await;
    let africa = after["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .find(|region| region["slug"] == "africa")
        .expect("africa");
    assert_eq!(africa["name"], "Renamed", "{after:#}");
}

#[tokio::test]
async fn sigterm_lets_in_flight_requests_finish_within_the_grace_then_exits() {
    use tokio::io::AsyncWriteExt;

    let db = TestDatabase::with_bundled_catalogue().await;
    let server =
        ops_support::Server::start(&[("DATABASE_URL", db.url()), ("GCM_SHUTDOWN_GRACE_MS", "500")])
            .await;
    // A client that never finishes its body keeps a request in flight (until the 15 s
    // request timeout, were there no grace).
    let address = server
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stalled = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    stalled
        .write_all(
            b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"query\":",
        )
        .await
        .expect("send a partial request");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    let (status, log) = server.terminate().await;
    let took = started.elapsed();
    assert_eq!(status.code(), Some(0), "{log}");
    assert!(
        // A hang guard; the log line below is what shows the grace bounded the stop.
        took < std::time::Duration::from_secs(60),
        "took {took:?} to stop:\n{log}"
    );
    assert!(
        log.contains("outlived the shutdown grace"),
        "the stop was not bounded by the grace:\n{log}"
    );
    drop(stalled);
}

/// A NUL (or any control character) in an id or an entity key is the client's error,
/// answered alone at its index: the valid ids of the same batch still resolve.
#[tokio::test]
async fn control_characters_in_ids_and_keys_are_bad_input_at_their_index() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    use base64::Engine as _;
    let id = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    let body = server
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Country { iso3 } } }",
            json!({ "ids": [id("Country:PER"), id("Country:P\u{0}R"), id("Country:MEX")] }),
        )
        .await;
    assert_eq!(body["data"]["nodes"][0]["iso3"], "PER", "{body:#}");
    assert_eq!(body["data"]["nodes"][1], Value::Null, "{body:#}");
    assert_eq!(body["data"]["nodes"][2]["iso3"], "MEX", "{body:#}");
    let codes: Vec<&Value> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| &e["extensions"]["code"])
        .collect();
    assert_eq!(codes, [&json!("BAD_USER_INPUT")], "{body:#}");
    assert_eq!(body["errors"][0]["path"], json!(["nodes", 1]), "{body:#}");

    let body = server
        .graphql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id("Resource:a\u{0}b") }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body:#}"
    );

    let body = server
        .graphql(
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Resource { slug } ... on Country { iso3 } } }",
            json!({ "r": [
                { "__typename": "Resource", "slug": "x\u{0}y" },
                { "__typename": "Country", "iso3": "PER" }
            ] }),
        )
        .await;
    assert_eq!(body["data"]["_entities"][1]["iso3"], "PER", "{body:#}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body:#}"
    );
    assert_eq!(
        body["errors"][0]["path"],
        json!(["_entities", 0]),
        "{body:#}"
    );
}
