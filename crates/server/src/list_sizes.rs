//! The live list sizes behind the cost of unpaginated lists: loaded before the first
//! request, re-read on every change a commit announces, reported in `/metrics` beside the
//! SDL's declared figures, and warned about (log, `/readyz`) where a live maximum passes
//! its declaration, because routers costing from the SDL would then under-estimate.

use gcm_graphql::limits::ListBound;
use gcm_store::list_sizes::ListSizes;

use crate::AppState;

/// How long the start waits for the LISTEN before reading the sizes without it.
const LISTEN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Starts following the sizes and returns once they are loaded (before serving), or
/// after [`LISTEN_WAIT`] with what could be read; they stay current until the process ends.
pub async fn start(state: &AppState, database_url: &str) -> tokio::task::JoinHandle<()> {
    let pipeline = state.pipeline.clone();
    let mut reported: Option<ListSizes> = None;
    let (ready, loaded) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(state.list_sizes.clone().follow(
        database_url.to_owned(),
        state.pool.clone(),
        ready,
        move |sizes: &ListSizes| {
            // A re-read after a reconnection often finds nothing new.
            if reported.as_ref() != Some(sizes) {
                report(&pipeline.cost_model.list_bounds(sizes));
                reported = Some(sizes.clone());
            }
        },
    ));
    if !matches!(tokio::time::timeout(LISTEN_WAIT, loaded).await, Ok(Ok(()))) {
        tracing::warn!("no LISTEN connection yet: reading the list sizes without it");
        if let Err(error) = state.list_sizes.refresh(&state.pool).await {
            // Until they load, lists cost their declared sizes; the follower keeps trying.
            tracing::warn!(%error, "cannot read the list sizes yet; costing lists by their declarations");
        }
    }
    task
}

/// Sets the gauges `gcm_list_size_live` and `gcm_list_size_declared` (labels `field`,
/// `relation`) and warns once per exceeded declaration.
fn report(bounds: &[ListBound]) {
    for bound in bounds {
        let labels = [
            ("field", bound.coordinate.clone()),
            ("relation", bound.relation.to_owned()),
        ];
        metrics::gauge!("gcm_list_size_declared", &labels).set(bound.declared as f64);
        if let Some(live) = bound.live {
            metrics::gauge!("gcm_list_size_live", &labels).set(live as f64);
        }
        if bound.exceeded() {
            tracing::warn!(
                field = %bound.coordinate,
                relation = bound.relation,
                declared = bound.declared,
                live = bound.live,
                "a list holds more than its @listSize(assumedSize:) declares; routers costing from the SDL under-estimate it"
            );
        }
    }
}

/// The `/readyz` warnings: one line per list whose live maximum passes its declaration.
pub fn warnings(state: &AppState) -> Vec<String> {
    state
        .pipeline
        .cost_model
        .list_bounds(&state.list_sizes.snapshot())
        .iter()
        .filter(|bound| bound.exceeded())
        .map(|bound| {
            format!(
                "{} holds up to {} ({}), more than its @listSize(assumedSize: {}): routers costing from the SDL under-estimate it",
                bound.coordinate,
                bound.live.unwrap_or_default(),
                bound.relation,
                bound.declared
            )
        })
        .collect()
}
