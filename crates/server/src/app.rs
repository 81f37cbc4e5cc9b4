//! The HTTP router: GraphQL, health, readiness and metrics, with request logs.

use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use gcm_graphql::CatalogueSchema;
use gcm_store::Pool;
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::{graphql, health, metrics, subscriptions};

/// No request may hold a connection longer than this (statements time out sooner).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

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
}

impl AppState {
    pub fn new(pool: Pool, metrics: PrometheusHandle) -> Self {
        Self {
            schema: gcm_graphql::build_schema(pool.clone()),
            traced_schema: gcm_graphql::build_traced_schema(pool.clone()),
            pool,
            metrics,
            subscriptions: std::sync::Arc::new(tokio::sync::Semaphore::new(
                crate::subscriptions::DEFAULT_MAX_CONNECTIONS,
            )),
        }
    }

    /// The same state with this deployment's curation settings (review thresholds, the
    /// publication feed) and its limit of subscription connections.
    pub fn with_curation(self, curation: &gcm_graphql::Curation, max_subscribers: usize) -> Self {
        Self {
            schema: gcm_graphql::build_schema_with(self.pool.clone(), curation),
            traced_schema: gcm_graphql::build_traced_schema_with(self.pool.clone(), curation),
            subscriptions: std::sync::Arc::new(tokio::sync::Semaphore::new(max_subscribers)),
            ..self
        }
    }
}

pub fn build_app(state: AppState) -> Router {
    Router::new()
        .route(graphql::PATH, get(graphql::get).post(graphql::post))
        .route(subscriptions::PATH, get(subscriptions::upgrade))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::render))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        // One line per request at info: method, path, status, latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}
