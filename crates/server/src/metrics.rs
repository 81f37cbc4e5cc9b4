//! Prometheus metrics at `/metrics`. The recorder is process-global: the store counts every
//! SQL statement in `gcm_sql_statements_total`, which shows whether the loaders batch.

use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the global recorder (once per process) and returns the handle that renders it.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full("gcm_graphql_request_duration_seconds".to_owned()),
            &[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ],
        )?
        .install_recorder()?;
    metrics::describe_counter!(
        "gcm_graphql_requests_total",
        "GraphQL requests by operation name (bounded set; `other` beyond it) and outcome: ok, error, invalid, rejected (a limit), bad_request, timeout, unavailable, batch"
    );
    metrics::describe_histogram!(
        "gcm_graphql_request_duration_seconds",
        "Time to answer a GraphQL request"
    );
    metrics::describe_counter!(
        "gcm_limit_breaches_total",
        "Requests refused by a limit, by the limit's error code"
    );
    metrics::describe_gauge!(
        "gcm_pool_connections_in_use",
        "Pooled PostgreSQL connections lent to requests"
    );
    metrics::describe_gauge!(
        "gcm_pool_waiting",
        "Requests waiting for a pooled connection"
    );
    metrics::describe_counter!(
        "gcm_sql_statements_total",
        "SQL statements sent to PostgreSQL by the connection pool"
    );
    // Registered at zero so the series exists before the first query.
    metrics::counter!("gcm_sql_statements_total").increment(0);
    Ok(HANDLE.get_or_init(|| handle).clone())
}

/// Drains what histograms and summaries accumulate between scrapes; must run periodically.
pub fn spawn_upkeep(handle: PrometheusHandle) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            handle.run_upkeep();
        }
    });
}

pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let status = state.pool.status();
    metrics::gauge!("gcm_pool_connections_in_use")
        .set(status.size.saturating_sub(status.available) as f64);
    metrics::gauge!("gcm_pool_waiting").set(status.waiting as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
