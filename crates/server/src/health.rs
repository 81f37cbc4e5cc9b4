//! Liveness and readiness for orchestrators and the test harness.
//!
//! `/healthz` answers while the process runs. `/readyz` answers 200 only when the database
//! answers and every migration has been applied, and 503 (with the reason, never a hang)
//! otherwise: a load balancer should send no traffic to an instance that would fail it.
//! With standbys (`DATABASE_READ_URLS`) it lists every database under `databases`: its
//! role, whether it is in the rotation, its lag and why it is out.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use gcm_store::{Pool, migrations};
use serde_json::{Value, json};

use crate::AppState;

/// Shorter than the usual probe timeout, so the prober hears "unavailable", not silence.
const READINESS_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let verdict = match tokio::time::timeout(READINESS_TIMEOUT, check(&state.pool)).await {
        Ok(verdict) => verdict,
        Err(_) => Err(format!(
            "the database did not answer within {}s",
            READINESS_TIMEOUT.as_secs()
        )),
    };
    match verdict {
        Ok(()) => {
            let warnings = crate::list_sizes::warnings(&state);
            let mut body = if warnings.is_empty() {
                json!({ "status": "ready" })
            } else {
                json!({ "status": "ready", "warnings": warnings })
            };
            if let Some(replicas) = state.replicas.as_ref().filter(|r| r.has_standbys()) {
                body["databases"] = databases(replicas);
            }
            (StatusCode::OK, Json(body))
        }
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            let mut body = json!({ "status": "unavailable", "reason": reason });
            if let Some(replicas) = state.replicas.as_ref().filter(|r| r.has_standbys()) {
                body["databases"] = databases(replicas);
            }
            (StatusCode::SERVICE_UNAVAILABLE, Json(body))
        }
    }
}

/// Each database as the replica monitor last saw it. A standby out of rotation does not
/// make the process unready: its reads go to the primary.
fn databases(replicas: &gcm_store::replicas::Replicas) -> Value {
    Value::Array(
        replicas
            .health()
            .into_iter()
            .map(|(name, role, health)| {
                json!({
                    "name": name,
                    "role": role,
                    "status": if health.in_rotation { "ok" } else { "out_of_rotation" },
                    "lagMs": health.lag.map(|lag| u64::try_from(lag.as_millis()).unwrap_or(u64::MAX)),
                    "catalogueVersion": health.version,
                    "problem": health.problem,
                })
            })
            .collect(),
    )
}

async fn check(pool: &Pool) -> Result<(), String> {
    let mut conn = pool
        .get()
        .await
        .map_err(|e| format!("the database is unavailable: {e}"))?;
    match migrations::is_up_to_date(&mut conn).await {
        Ok(true) => Ok(()),
        Ok(false) => Err("the database is not migrated: run `gcm-catalogue migrate`".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}
