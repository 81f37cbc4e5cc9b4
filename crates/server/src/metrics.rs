//! Prometheus metrics at `/metrics`. The recorder is process-global: the store counts every
//! SQL statement in `gcm_sql_statements_total`, which shows whether the loaders batch.

use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::AppState;

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the global recorder (once per process) and returns the handle that renders it.
pub fn install() -> anyhow::Result<PrometheusHandle> {
    if let Some(handle) = HANDLE.get() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new().install_recorder()?;
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
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
