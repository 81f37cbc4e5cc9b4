//! The HTTP router: GraphQL, health, readiness and metrics, with the public API's layers
//! (outermost first): request id, request log, CORS, compression, body limit, timeout.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::routing::get;
use gcm_graphql::{CatalogueSchema, SchemaOptions};
use gcm_store::Pool;
use metrics_exporter_prometheus::PrometheusHandle;
use tower::ServiceBuilder;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::config::ApiConfig;
use crate::graphql::ApiSettings;
use crate::rate_limit::{self, RateLimiter};
use crate::{graphql, health, metrics, subscriptions};

/// The request id header: set when the client sends none, echoed in every response.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub schema: CatalogueSchema,
    /// The same schema with federated tracing, for routers that ask for `ftv1` traces.
    pub traced_schema: CatalogueSchema,
    pub pool: Pool,
    pub metrics: PrometheusHandle,
    /// One permit per open `/graphql/ws` connection: the connection limit.
    pub subscriptions: std::sync::Arc<tokio::sync::Semaphore>,
    pub api: Arc<ApiSettings>,
    /// The live list sizes the cost model reads; [`crate::list_sizes::follow`] keeps them.
    pub list_sizes: gcm_store::list_sizes::LiveListSizes,
    cors_origins: Option<Vec<String>>,
    rate_limiter: Option<Arc<RateLimiter>>,
    /// Kept to rebuild the schemas with this deployment's curation settings.
    introspection: bool,
}

impl AppState {
    /// The state with the default settings.
    pub fn new(pool: Pool, metrics: PrometheusHandle) -> Self {
        Self::with_config(pool, metrics, &ApiConfig::default())
            .expect("the default settings and the schema's own SDL are valid")
    }

    pub fn with_config(
        pool: Pool,
        metrics: PrometheusHandle,
        config: &ApiConfig,
    ) -> anyhow::Result<Self> {
        let options = SchemaOptions {
            introspection: config.introspection,
            ..SchemaOptions::default()
        };
        let schema = gcm_graphql::build_schema_with(pool.clone(), &options);
        let list_sizes = gcm_store::list_sizes::LiveListSizes::default();
        let api = ApiSettings::new(config, &gcm_graphql::sdl(), list_sizes.clone())?;
        Ok(Self {
            traced_schema: gcm_graphql::build_traced_schema_with(pool.clone(), &options),
            schema,
            pool,
            metrics,
            subscriptions: Arc::new(tokio::sync::Semaphore::new(
                crate::subscriptions::DEFAULT_MAX_CONNECTIONS,
            )),
            api: Arc::new(api),
            list_sizes,
            cors_origins: config.cors_origins(),
            rate_limiter: rate_limiter(config)?.map(Arc::new),
            introspection: config.introspection,
        })
    }

    /// The same state with this deployment's curation settings (review thresholds, the
    /// publication feed) and its limit of subscription connections.
    pub fn with_curation(self, curation: &gcm_graphql::Curation, max_subscribers: usize) -> Self {
        let options = SchemaOptions {
            introspection: self.introspection,
            curation: curation.clone(),
        };
        Self {
            schema: gcm_graphql::build_schema_with(self.pool.clone(), &options),
            traced_schema: gcm_graphql::build_traced_schema_with(self.pool.clone(), &options),
            subscriptions: Arc::new(tokio::sync::Semaphore::new(max_subscribers)),
            ..self
        }
    }
}

pub fn build_app(state: AppState) -> Router {
    let request_id = HeaderName::from_static(REQUEST_ID_HEADER);
    // The handler answers slow GraphQL requests itself (a GraphQL error); this bounds the
    // rest, a little later so the handler's answer wins.
    let backstop = state.api.request_timeout + Duration::from_secs(1);
    let cors = cors_layer(state.cors_origins.as_deref());
    let max_body = state.api.max_body_bytes;
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
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        uri = %request.uri().path(),
                        request_id = %id,
                    )
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
        .layer(RequestBodyLimitLayer::new(
            max_body.saturating_mul(graphql::BODY_DRAIN_FACTOR),
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            backstop,
        ));
    let mut graphql_route = get(graphql::get).post(graphql::post);
    if let Some(limiter) = state.rate_limiter.clone() {
        graphql_route = graphql_route.layer(axum::middleware::from_fn_with_state(
            limiter,
            rate_limit::limit,
        ));
    }
    Router::new()
        .route(graphql::PATH, graphql_route)
        .route(subscriptions::PATH, get(subscriptions::upgrade))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .layer(layers)
        .with_state(state)
}

fn rate_limiter(config: &ApiConfig) -> anyhow::Result<Option<RateLimiter>> {
    let header = config.trusted_proxy_header.trim();
    let trusted_header = if header.is_empty() {
        None
    } else {
        Some(
            HeaderName::try_from(header.to_ascii_lowercase()).map_err(|e| {
                anyhow::anyhow!("GCM_TRUSTED_PROXY_HEADER is not a header name ({e})")
            })?,
        )
    };
    Ok(RateLimiter::new(
        config.rate_limit_per_second,
        config.rate_limit_burst,
        trusted_header,
    ))
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
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
            .expose_headers([HeaderName::from_static(REQUEST_ID_HEADER)])
            .max_age(Duration::from_secs(3600)),
    )
}
