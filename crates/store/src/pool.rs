use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel_async::pooled_connection::deadpool::{Object, Pool as DeadPool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures::FutureExt;

use crate::{StoreError, StoreResult};

pub type Pool = DeadPool<AsyncPgConnection>;
pub type Conn = Object<AsyncPgConnection>;

/// How many statements failed on a stale cached plan, process-wide: the pipeline compares
/// it before and after a request to know whether a failure was one.
static STALE_PLANS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Counts a statement that failed on a stale plan ([`StoreError::is_stale_plan`]).
pub fn note_stale_plan() {
    STALE_PLANS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// Statements failed on a stale plan since the process started.
pub fn stale_plans_seen() -> u64 {
    std::sync::atomic::AtomicU64::load(&STALE_PLANS, std::sync::atomic::Ordering::Relaxed)
}

/// Drops the pool's idle connections, and with them their cached statements: after a
/// migration changed a result type, the next request prepares its statements afresh.
pub fn forget_cached_statements(pool: &Pool) {
    pool.retain(|_, _| false);
}

/// How the service talks to PostgreSQL.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub max_connections: usize,
    /// How long a request waits for a connection before it is told the database is unavailable.
    pub acquire_timeout: Duration,
    /// PostgreSQL's `statement_timeout` for every session: no statement runs longer.
    pub statement_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(10),
        }
    }
}

/// Whether a statement's span carries its text: only when traces are exported (the text is
/// made anew for every statement). Set once, by the service's telemetry.
static STATEMENT_TEXTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Statement spans carry their SQL text from now on.
pub fn record_statement_texts() {
    STATEMENT_TEXTS.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Counts every statement sent, in the Prometheus counter `gcm_sql_statements_total`
/// (the number that shows whether loaders batch: bounded by query depth, not breadth),
/// and spans each statement (`sql`, a client span, child of whatever request runs it)
/// from its start to its end.
#[derive(Default)]
struct StatementInstrumentation {
    running: Option<tracing::Span>,
}

impl Instrumentation for StatementInstrumentation {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                metrics::counter!("gcm_sql_statements_total").increment(1);
                let span = tracing::info_span!(
                    "sql",
                    otel.kind = "client",
                    db.system.name = "postgresql",
                    db.query.text = tracing::field::Empty,
                    error = tracing::field::Empty,
                );
                // `AtomicBool::load` by path: diesel's `RunQueryDsl::load` is in scope.
                let texts = std::sync::atomic::AtomicBool::load(
                    &STATEMENT_TEXTS,
                    std::sync::atomic::Ordering::Relaxed,
                );
                if texts && !span.is_disabled() {
                    span.record("db.query.text", statement_text(&query.to_string()));
                }
                self.running = Some(span);
            }
            InstrumentationEvent::FinishQuery { error, .. } => {
                if let (Some(span), Some(error)) = (self.running.take(), error) {
                    span.record("error", tracing::field::display(error));
                }
            }
            _ => {}
        }
    }
}

/// The SQL of diesel's rendering of a statement, without the bound values it appends
/// (`… -- binds: [...]`): they are the request's data, not the statement.
fn statement_text(rendered: &str) -> &str {
    rendered
        .split_once(" -- binds: ")
        .map_or(rendered, |(sql, _)| sql)
}

/// Builds the pool. Connections are opened lazily, so this succeeds while the database is down.
pub fn build_pool(database_url: &str, config: &PoolConfig) -> StoreResult<Pool> {
    let statement_timeout_ms = config.statement_timeout.as_millis();
    let mut manager_config = ManagerConfig::default();
    manager_config.recycling_method = RecyclingMethod::Fast;
    manager_config.custom_setup = Box::new(move |url| {
        let url = url.to_owned();
        async move {
            let mut conn = AsyncPgConnection::establish(&url).await?;
            diesel::sql_query(format!("SET statement_timeout = {statement_timeout_ms}"))
                .execute(&mut conn)
                .await
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
            conn.set_instrumentation(StatementInstrumentation::default());
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        database_url,
        manager_config,
    );
    DeadPool::builder(manager)
        .max_size(config.max_connections)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(config.acquire_timeout))
        .create_timeout(Some(config.acquire_timeout))
        .recycle_timeout(Some(config.acquire_timeout))
        .build()
        .map_err(|e| StoreError::Unavailable(e.to_string()))
}
