//! The gcm-catalogue service: configuration, the HTTP app (GraphQL, health, readiness,
//! metrics), the embedded-PostgreSQL glue and the commands of the `gcm-catalogue` binary.
//!
//! [`run`] is `gcm-catalogue serve`; [`build_app`] is the router alone (for embedding and
//! tests); [`cli`] parses the command line and dispatches to [`commands`] and [`doctor`].

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod database;
pub mod doctor;
pub mod graphql;
pub mod health;
pub mod list_sizes;
pub mod metrics;
pub mod shutdown;
pub mod subscriptions;
pub mod telemetry;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use std::future::IntoFuture;
use std::time::Duration;

use gcm_graphql::pipeline::Scaling;
use gcm_graphql::pipeline::shared::SharedState;
use gcm_store::replicas::Replicas;
use gcm_store::{Pool, build_pool, catalogue, migrations};
use tokio::net::TcpListener;
use tracing::{error, info, warn};

pub use app::{AppState, build_app};
pub use config::Config;
use database::{Database, Sharing};
use shutdown::Shutdown;

/// `serve`: migrates, imports the bundled catalogue into an empty database, and serves
/// until SIGINT/SIGTERM; then stops the embedded cluster if this process started it.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let metrics = metrics::install()?;
    metrics::spawn_upkeep(metrics.clone());
    let shutdown = Shutdown::listen().context("cannot listen for signals")?;
    // A malformed Redis URL stops the start before anything else is done.
    let shared = shared_state(&config)?;
    let database = Database::open(&config, Sharing::Exclusive).await?;
    let served = serve(&config, database.url(), metrics, shutdown, shared).await;
    let closed = database.close().await;
    served.and(closed)
}

async fn serve(
    config: &Config,
    database_url: &str,
    metrics: metrics_exporter_prometheus::PrometheusHandle,
    shutdown: Shutdown,
    shared: Option<Arc<SharedState>>,
) -> anyhow::Result<()> {
    if let Some(signal) = shutdown.requested() {
        info!(signal, "stopping before serving");
        return Ok(());
    }
    let applied = migrations::run_pending(database_url)
        .await
        .context("cannot migrate the database")?;
    for version in &applied {
        info!(version, "applied migration");
    }
    let pool = build_pool(database_url, &config.api.pool())?;
    import_bundled_if_empty(&pool).await?;
    let read_urls = config.replicas.read_urls();
    let replicas = Replicas::connect(
        pool.clone(),
        &read_urls,
        &config.api.pool(),
        Duration::from_millis(config.replicas.max_replica_lag_ms),
    )
    .await
    .context("cannot use DATABASE_READ_URLS")?;
    // Without standbys there is nothing to route: no polls (they would be statements of
    // their own in gcm_sql_statements_total), and no version header.
    let monitor_task = replicas.has_standbys().then(|| {
        info!(
            standbys = read_urls.len(),
            "public reads go to the standbys"
        );
        replicas.monitor()
    });
    let replicas = replicas.has_standbys().then_some(replicas);
    if let Some(signal) = shutdown.requested() {
        info!(signal, "stopping before serving");
        return Ok(());
    }

    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (GCM_LISTEN)", config.listen))?;
    let address = listener.local_addr()?;
    let curation = gcm_graphql::Curation {
        policy: config.review_policy(),
        publications: gcm_graphql::Publications::default(),
    };
    // Publications made through any server process reach this one's subscribers.
    let listener_task = tokio::spawn(gcm_store::curation::notify::listen(
        database_url.to_owned(),
        curation.publications.sender(),
    ));
    let state = AppState::with_scaling(
        pool.clone(),
        metrics,
        &config.api,
        curation,
        config.max_subscribers,
        Scaling { replicas, shared },
    )?;
    let list_sizes_task = list_sizes::start(&state, database_url).await;
    let app = build_app(state);
    // Announced only now: before this point a connection would wait in the backlog, and
    // a stop would drop it unserved.
    announce(address)?;
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown({
        let shutdown = shutdown.clone();
        async move {
            shutdown.wait().await;
        }
    });
    // In-flight requests get a bounded grace after the signal, then the process goes on
    // stopping whatever they are doing.
    let grace = Duration::from_millis(config.api.shutdown_grace_ms);
    let grace_over = async move {
        shutdown.wait().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = server.into_future() => served.context("the HTTP server failed")?,
        () = grace_over => {
            warn!(grace_ms = config.api.shutdown_grace_ms, "in-flight requests outlived the shutdown grace; stopping anyway");
        }
    }
    listener_task.abort();
    list_sizes_task.abort();
    if let Some(task) = monitor_task {
        task.abort();
    }
    pool.close();
    info!("stopped serving");
    Ok(())
}

/// The Redis of `GCM_REDIS_URL`, when set; a malformed URL is the error.
fn shared_state(config: &Config) -> anyhow::Result<Option<Arc<SharedState>>> {
    let Some(url) = config.replicas.redis_url() else {
        return Ok(None);
    };
    let timeout = Duration::from_millis(config.replicas.redis_timeout_ms);
    let shared = SharedState::open(url, timeout).map_err(|reason| anyhow::anyhow!(reason))?;
    info!(
        timeout_ms = config.replicas.redis_timeout_ms,
        "rate limit, APQ and response cache shared through Redis"
    );
    Ok(Some(Arc::new(shared)))
}

/// A fresh database gets the catalogue bundled into the binary, so one command gives a
/// newcomer the whole service.
async fn import_bundled_if_empty(pool: &Pool) -> anyhow::Result<()> {
    if catalogue::has_catalogue(pool).await? {
        return Ok(());
    }
    info!("the database holds no catalogue: importing the bundled one");
    match catalogue::import_bundled(pool).await {
        Ok(summary) => {
            info!(?summary, "imported the bundled catalogue");
            Ok(())
        }
        Err(catalogue::ImportError::Invalid(problems)) => {
            for problem in &problems {
                error!(%problem, "bundled catalogue problem");
            }
            anyhow::bail!(
                "the bundled catalogue was refused ({} problems)",
                problems.len()
            )
        }
        // An empty service would look healthy while serving nothing: refuse to start.
        Err(e) => Err(anyhow::anyhow!(e).context("cannot import the bundled catalogue")),
    }
}

/// The one line on stdout that says the socket is bound (the test harness waits for it).
fn announce(address: SocketAddr) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{address}")?;
    stdout.flush()?;
    info!(%address, "listening");
    Ok(())
}
