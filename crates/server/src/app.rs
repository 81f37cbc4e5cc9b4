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

use crate::{graphql, health, metrics};

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
}

impl AppState {
    pub fn new(pool: Pool, metrics: PrometheusHandle) -> Self {
        Self {
            schema: gcm_graphql::build_schema(pool.clone()),
            traced_schema: gcm_graphql::build_traced_schema(pool.clone()),
            pool,
            metrics,
        }
    }

    /// The same state with this deployment's review thresholds.
    pub fn with_review_policy(self, policy: gcm_graphql::ReviewPolicy) -> Self {
        Self {
            schema: gcm_graphql::build_schema_with(self.pool.clone(), policy),
            traced_schema: gcm_graphql::build_traced_schema_with(self.pool.clone(), policy),
            ..self
        }
    }
}

pub fn build_app(state: AppState) -> Router {
    Router::new()
        .route(graphql::PATH, get(graphql::get).post(graphql::post))
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
