//! The in-process app: the real router ([`gcm_server::build_app`], every layer and the
//! pipeline) on a fresh database, driven with `tower::ServiceExt::oneshot`: no process, no
//! socket. For tests of the pipeline's and resolvers' logic where HTTP is not the subject;
//! HTTP itself (bodies, headers, streaming, signals, the CLI) stays with [`crate::TestServer`].
//! Metrics are not read here (they are process-global): tests that count statements use
//! the real server.

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::TestDatabase;

pub struct TestApp {
    pub db: TestDatabase,
    router: axum::Router,
}

impl TestApp {
    /// The app with the default settings on a database holding the bundled catalogue; the
    /// rate limit is off (every in-process request comes from one unknown address).
    pub async fn with_bundled_catalogue() -> Self {
        Self::with_config(TestDatabase::with_bundled_catalogue().await, |_| {}).await
    }

    /// The app on `db` with the settings `configure` leaves.
    pub async fn with_config(
        db: TestDatabase,
        configure: impl FnOnce(&mut gcm_server::config::ApiConfig),
    ) -> Self {
        let mut config = gcm_server::config::ApiConfig {
            rate_limit_per_second: 0.0,
            ..Default::default()
        };
        configure(&mut config);
        let pool = gcm_store::build_pool(db.url(), &config.pool()).expect("a pool");
        let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
            .build_recorder()
            .handle();
        let state = gcm_server::AppState::with_config(
            pool,
            metrics,
            &config,
            gcm_graphql::Curation::default(),
            gcm_server::subscriptions::DEFAULT_MAX_CONNECTIONS,
        )
        .expect("the app's state");
        // The live list sizes, as `serve` loads them before its first request.
        state
            .list_sizes
            .refresh(&state.pool)
            .await
            .expect("the list sizes");
        Self {
            db,
            router: gcm_server::build_app(state),
        }
    }

    /// Sends one request through the router; returns its status and its body as JSON.
    pub async fn send(&self, request: Request<Body>) -> (u16, Value) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("the router answers");
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("the body")
            .to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, body)
    }

    /// POSTs `body` (any JSON: a request, a batch) to `/graphql`.
    pub async fn post(&self, body: Value) -> (u16, Value) {
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("a request");
        self.send(request).await
    }

    /// GETs `/graphql` with these query-string pairs.
    pub async fn get(&self, pairs: &[(&str, &str)]) -> (u16, Value) {
        let query: String = pairs
            .iter()
            .map(|(name, value)| format!("{name}={}", urlencoding(value)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::get(format!("/graphql?{query}"))
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .expect("a request");
        self.send(request).await
    }

    /// One GraphQL request's body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.post(json!({ "query": query, "variables": variables }))
            .await
            .1
    }

    /// Like [`graphql`](Self::graphql) but fails the test on any GraphQL error; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
