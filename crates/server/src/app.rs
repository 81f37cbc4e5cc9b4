//! The HTTP router: GraphQL, health, readiness and metrics, with the public API's layers
//! (outermost first): request id, request log, CORS, compression, timeout; the GraphQL
//! routes add who is asking ([`graphql::client`]).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::routing::get;
use gcm_graphql::pipeline::{Pipeline, Scaling};
use gcm_store::Pool;
use metrics_exporter_prometheus::PrometheusHandle;
use tower::ServiceBuilder;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::ApiConfig;
use crate::graphql::HttpSettings;
use crate::{graphql, health, metrics, subscriptions};

/// The request id header: set when the client sends none, echoed in every response.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The GraphQL pipeline (the schemas in it are built once per process).
    pub pipeline: Arc<Pipeline>,
    pub pool: Pool,
    /// The primary and its standbys as the monitor sees them (`/readyz`), when serving.
    pub replicas: Option<Arc<gcm_store::replicas::Replicas>>,
    pub metrics: PrometheusHandle,
    /// One permit per open `/graphql/ws` connection: the connection limit.
    pub subscriptions: Arc<tokio::sync::Semaphore>,
    pub http: Arc<HttpSettings>,
    /// The live list sizes the cost model reads; [`crate::list_sizes::follow`] keeps them.
    pub list_sizes: gcm_store::list_sizes::LiveListSizes,
    /// `GCM_TRUSTED_PROXY_HEADER`: where a trusted proxy puts the client's address.
    pub trusted_proxy_header: Option<HeaderName>,
    cors_origins: Option<Vec<String>>,
}

impl AppState {
    /// The state with the default settings.
    pub fn new(pool: Pool, metrics: PrometheusHandle) -> Self {
        Self::with_config(
            pool,
            metrics,
            &ApiConfig::default(),
            gcm_graphql::Curation::default(),
            crate::subscriptions::DEFAULT_MAX_CONNECTIONS,
        )
        .expect("the default settings and the schema's own SDL are valid")
    }

    /// The state of a deployment: its API settings, its curation (review thresholds, the
    /// publication feed) and its limit of subscription connections.
    pub fn with_config(
        pool: Pool,
        metrics: PrometheusHandle,
        config: &ApiConfig,
        curation: gcm_graphql::Curation,
        max_subscribers: usize,
    ) -> anyhow::Result<Self> {
        Self::with_scaling(
            pool,
            metrics,
            config,
            curation,
            max_subscribers,
            Scaling::default(),
        )
    }

    /// [`AppState::with_config`] for a process that reads on standbys or shares state in Redis.
    pub fn with_scaling(
        pool: Pool,
        metrics: PrometheusHandle,
        config: &ApiConfig,
        curation: gcm_graphql::Curation,
        max_subscribers: usize,
        scaling: Scaling,
    ) -> anyhow::Result<Self> {
        let list_sizes = gcm_store::list_sizes::LiveListSizes::default();
        let replicas = scaling.replicas.clone();
        let pipeline = Pipeline::scaled(
            pool.clone(),
            &config.pipeline(curation),
            list_sizes.clone(),
            scaling,
        )
        .map_err(|e| anyhow::anyhow!(e))?;
        Ok(Self {
            replicas,
            pipeline: Arc::new(pipeline),
            pool,
            metrics,
            subscriptions: Arc::new(tokio::sync::Semaphore::new(max_subscribers)),
            http: Arc::new(HttpSettings {
                max_body_bytes: config.max_body_bytes,
                max_batch: config.max_batch,
                request_timeout: Duration::from_millis(config.request_timeout_ms),
            }),
            list_sizes,
            trusted_proxy_header: trusted_proxy_header(config)?,
            cors_origins: config.cors_origins(),
        })
    }
}

pub fn build_app(state: AppState) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    // The handler answers slow GraphQL requests itself (a GraphQL error); this bounds the
    // rest, a little later so the handler's answer wins.
    let backstop = state.http.request_timeout + Duration::from_secs(1);
    let cors = cors_layer(state.cors_origins.as_deref());
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
        .layer(PropagateRequestIdLayer::new(request_id))
        // One line per request at info: method, path, request id, status, latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<axum::body::Body>| {
                    let id = request
                        .headers()
                        .get(REQUEST_ID_HEADER)
                        .and_then(|value| value.to_str().ok())
                        .unwrap_or("");
                    let span = tracing::info_span!(
                        "request",
                        method = %request.method(),
                        uri = %request.uri().path(),
                        request_id = %id,
                        // Recorded by the pipeline: the operation's metric label and its
                        // requested cost (the last one, for a batch).
                        operation = tracing::field::Empty,
                        cost = tracing::field::Empty,
                        // Read by the OpenTelemetry layer alone (crate::telemetry).
                        otel.kind = "server",
                    );
                    crate::telemetry::continue_trace(&span, request.headers());
                    span
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .option_layer(cors)
        // Answers are made per request: the fastest level. At the default level brotli
        // took 70% of the CPU of a cached 900 KB answer (BENCHMARKS.md, 2026-11-23).
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .br(true)
                .quality(CompressionLevel::Fastest),
        )
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            backstop,
        ));
    // Both GraphQL routes learn who is asking, within what rate, before any GraphQL work.
    let client = axum::middleware::from_fn_with_state(state.clone(), graphql::client::admit);
    Router::new()
        .route(
            graphql::PATH,
            get(graphql::get).post(graphql::post).layer(client.clone()),
        )
        .route(
            subscriptions::PATH,
            get(subscriptions::upgrade).layer(client),
        )
        .route(
            graphql::graphiql::ASSETS_PATH,
            get(graphql::graphiql::asset),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .layer(layers)
        .with_state(state)
}

fn trusted_proxy_header(config: &ApiConfig) -> anyhow::Result<Option<HeaderName>> {
    let header = config.trusted_proxy_header.trim();
    if header.is_empty() {
        return Ok(None);
    }
    HeaderName::try_from(header.to_ascii_lowercase())
        .map(Some)
        .map_err(|e| anyhow::anyhow!("GCM_TRUSTED_PROXY_HEADER is not a header name ({e})"))
}

fn cors_layer(origins: Option<&[String]>) -> Option<CorsLayer> {
    let origins = origins?;
    let allow_origin = if origins.is_empty() {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers([
                header::CONTENT_TYPE,
                header::AUTHORIZATION,
                header::ACCEPT,
                HeaderName::from_static(graphql::route::MIN_CATALOGUE_VERSION_HEADER),
            ])
            .expose_headers([
                HeaderName::from_static(REQUEST_ID_HEADER),
                HeaderName::from_static(graphql::response::CATALOGUE_VERSION_HEADER),
            ])
            .max_age(Duration::from_secs(3600)),
    )
}
