//! Everything the service reads from its environment, in one place. Each setting is a flag
//! and an environment variable (the flag wins). Each command takes only the flags it uses:
//! [`CommonArgs`] (database, data directory, PostgreSQL programs, logs) every command,
//! before or after its name; [`ListenArgs`] `serve` and `doctor`; [`ReviewArgs`] `serve`
//! and `keys revoke`; the rest ([`ServeArgs`], with the public API's [`ApiConfig`]) `serve`
//! alone. The README's section "Configuration" holds the same table.
//!
//! | variable         | flag            | default          | meaning |
//! |------------------|-----------------|------------------|---------|
//! | `DATABASE_URL`   | `--database-url`| (none)           | PostgreSQL to use, e.g. `postgres://user@host:5432/gcm`. Without it, the commands run on the embedded cluster under `GCM_DATA_DIR`. |
//! | `GCM_LISTEN`     | `--listen`      | `127.0.0.1:8080` | Address `serve` binds. Port `0` picks a free port; the bound address is printed as `listening on http://ADDR`. |
//! | `GCM_DATA_DIR`   | `--data-dir`    | `/var/lib/gcm-catalogue` as root, else `./.gcm-data` | Where the embedded PostgreSQL cluster lives (`GCM_DATA_DIR/postgres`). Unused with `DATABASE_URL`. |
//! | `GCM_REVIEW_INTERNAL` | `--review-internal` | `1` | Internal (UN) approvals that publish a submission. |
//! | `GCM_REVIEW_EXTERNAL` | `--review-external` | `2` | External approvals that publish a submission. |
//! | `GCM_MAX_SUBSCRIBERS` | `--max-subscribers` | `1000` | Most open WebSocket connections at `/graphql/ws`. |
//! | `GCM_PG_BIN_DIR` | `--pg-bin-dir`  | (search)         | Directory holding `initdb`, `pg_ctl` and `postgres` for the embedded cluster. Without it they are looked for on `PATH`, then in `/usr/lib/postgresql/*/bin` (newest first). |
//! | `RUST_LOG`       | `--log`         | `info`           | Log filter ([`tracing_subscriber::EnvFilter`] syntax, e.g. `info,gcm_store=debug`). Logs go to stderr. |
//! | `GCM_LOG_FORMAT` | `--log-format`  | `text`           | `text` for people, `json` for log collectors (one JSON object per line). |
//! | `OTEL_EXPORTER_OTLP_ENDPOINT` | (none) | (none) | Where `serve` exports OpenTelemetry traces (OTLP/HTTP, protobuf); the SDK's other `OTEL_*` variables apply. Unset: no export ([`crate::telemetry`]). |
//!
//! The public API's limits (each breach is a GraphQL error whose `extensions.code` names
//! it, with `extensions.limit` and `extensions.value`, and a 4xx status; see
//! [`gcm_graphql::limits`]):
//!
//! | variable                       | default  | meaning |
//! |--------------------------------|----------|---------|
//! | `GCM_MAX_DEPTH`                | `16`     | selection depth (`MAX_DEPTH_EXCEEDED`) |
//! | `GCM_MAX_COMPLEXITY`           | `1000000`| requested cost: a list costs its size times its children, the size read from the SDL's `@listSize` and the live list sizes (README, "What a query costs"; `MAX_COMPLEXITY_EXCEEDED`) |
//! | `GCM_MAX_ALIASES`              | `50`     | aliased fields, fragments expanded (`MAX_ALIASES_EXCEEDED`) |
//! | `GCM_MAX_ROOT_FIELDS`          | `20`     | root fields (`MAX_ROOT_FIELDS_EXCEEDED`) |
//! | `GCM_MAX_DIRECTIVES`           | `4`      | directives on one field or fragment (`MAX_DIRECTIVES_EXCEEDED`) |
//! | `GCM_MAX_TOKENS`               | `5000`   | tokens in the document (`MAX_TOKENS_EXCEEDED`) |
//! | `GCM_MAX_DOCUMENT_BYTES`       | `32768`  | bytes of the document (`MAX_DOCUMENT_SIZE_EXCEEDED`) |
//! | `GCM_MAX_VARIABLES_DEPTH`      | `8`      | nesting of the variables (`MAX_VARIABLES_DEPTH_EXCEEDED`) |
//! | `GCM_MAX_VARIABLES_VALUES`     | `1000`   | values in the variables (`MAX_VARIABLES_VALUES_EXCEEDED`) |
//! | `GCM_MAX_BODY_BYTES`           | `262144` | bytes of a POST body: HTTP 413 (`MAX_BODY_SIZE_EXCEEDED`) |
//! | `GCM_MAX_BATCH`                | `0`      | operations in a batched POST (a JSON array); `0` turns batching off (`BATCHING_DISABLED`; over the limit: `MAX_BATCH_SIZE_EXCEEDED`) |
//! | `GCM_REQUEST_TIMEOUT_MS`       | `15000`  | time to answer one request: HTTP 408 (`REQUEST_TIMEOUT`) |
//! | `GCM_STATEMENT_TIMEOUT_MS`     | `10000`  | PostgreSQL `statement_timeout` of every pooled connection |
//! | `GCM_POOL_SIZE`                | `16`     | connections in the pool |
//! | `GCM_POOL_TIMEOUT_MS`          | `3000`   | wait for a connection before answering `SERVICE_UNAVAILABLE` |
//! | `GCM_INTROSPECTION`            | `true`   | `false` turns introspection off |
//! | `GCM_CORS_ORIGINS`             | (none)   | comma-separated origins allowed by CORS, or `*` for any; none: no CORS headers |
//! | `GCM_SHUTDOWN_GRACE_MS`        | `10000`  | on SIGTERM, how long in-flight requests may finish before the process exits |
//! | `GCM_RATE_LIMIT_PER_SECOND`    | `50`     | sustained `/graphql` requests per second per client (API key, else address); `0` turns rate limiting off. Over it: HTTP 429, `Retry-After`, `RATE_LIMITED` |
//! | `GCM_RATE_LIMIT_BURST`         | `500`    | requests a client may send at once before the rate applies |
//! | `GCM_APQ_CACHE_SIZE`           | `1000`   | documents kept for automatic persisted queries (oldest out first); `0` turns APQ off (`PERSISTED_QUERY_NOT_SUPPORTED`) |
//! | `GCM_TRUSTED_DOCUMENTS`        | (none)   | a file of trusted documents (Apollo's manifest, or `{ sha256: document }`): only they run, anything else is `PERSISTED_QUERY_NOT_ALLOWED` |
//! | `GCM_CACHE_MAX_AGE`            | `60`     | `Cache-Control: public, max-age=N` for successful anonymous queries without a cache hint; credentials give `no-store`; GET answers carry a strong `ETag` (304 on `If-None-Match`) |
//! | `GCM_RESPONSE_CACHE_SIZE`      | `0`      | answers to anonymous queries kept in memory, emptied when the catalogue changes; `0` (the default: changes made outside an import, e.g. by hand in SQL, would be served stale) turns it off |
//! | `GCM_RESPONSE_CACHE_BYTES`     | `67108864` | bytes the response cache may hold |
//! | `GCM_RESPONSE_CACHE_CHECK_MS`  | `1000`   | how often, at most, the catalogue's version is checked (the longest a cached answer can outlive an import) |
//! | `GCM_HEAVY_COST`               | `50000`  | requested cost from which an operation is heavy (the whole-catalogue walks; pages cost a few hundred) |
//! | `GCM_MAX_HEAVY_IN_FLIGHT`      | `4`      | heavy operations run at once; the others queue up to two thirds of `GCM_REQUEST_TIMEOUT_MS`, and one whose expected wait is longer gets HTTP 503, `Retry-After`, `SERVICE_UNAVAILABLE` at once; `0`: no cap |
//! | `GCM_EXACT_COUNT_LIMIT`        | `10000`  | the most items a connection's `count` counts one by one; above it `count` answers this limit with precision `AT_LEAST` (`totalCount` stays exact) |
//! | `GCM_TRUSTED_PROXY_HEADER`     | (none)   | header a trusted proxy sets with the client address (e.g. `x-forwarded-for`; its last entry is used); none: the TCP peer |
//!
//! Several server processes of one deployment (README, "Running several replicas"):
//!
//! | variable                       | default  | meaning |
//! |--------------------------------|----------|---------|
//! | `DATABASE_READ_URLS`           | (none)   | comma-separated streaming standbys of `DATABASE_URL`: public reads go there (fewest reads in flight first); writes, curation and `LISTEN` stay on the primary. An entry that accepts writes stops the start. |
//! | `GCM_MAX_REPLICA_LAG_MS`       | `5000`   | a standby further behind than this, or not answering, leaves the rotation until it is well; with none left, reads go to the primary |
//! | `GCM_REDIS_URL`                | (none)   | Redis shared by the processes: the rate limit, the APQ registry and the response cache. A malformed URL stops the start; a Redis that does not answer is a fallback to each process's own state, never a failed request |
//! | `GCM_REDIS_TIMEOUT_MS`         | `50`     | the longest a request waits for Redis before falling back |
//!
//! No setting downloads anything: the embedded cluster uses the PostgreSQL installed on the
//! machine.

use std::net::SocketAddr;
use std::path::PathBuf;

mod api;
mod args;

pub use api::ApiConfig;
pub use args::{CommonArgs, ListenArgs, LogFormat, ReplicaArgs, ReviewArgs, ServeArgs};

/// The service's settings, assembled from the flags of the command that runs (see
/// [`CommonArgs`], [`ListenArgs`], [`ReviewArgs`], [`ServeArgs`]); a setting a command has
/// no flag for keeps its default. See the module documentation for each variable.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: Option<String>,
    pub listen: SocketAddr,
    pub data_dir: Option<PathBuf>,
    pub pg_bin_dir: Option<PathBuf>,
    pub log_filter: String,
    pub review_internal: usize,
    pub review_external: usize,
    pub max_subscribers: usize,
    pub log_format: LogFormat,
    pub api: ApiConfig,
    pub replicas: ReplicaArgs,
}

impl Config {
    /// The settings of a command that has only the common flags; the rest keep their
    /// defaults.
    pub fn new(common: CommonArgs) -> Self {
        Self {
            database_url: common.database_url,
            data_dir: common.data_dir,
            pg_bin_dir: common.pg_bin_dir,
            log_filter: common.log_filter,
            log_format: common.log_format,
            ..Self::default()
        }
    }

    pub fn with_listen(mut self, listen: ListenArgs) -> Self {
        self.listen = listen.listen;
        self
    }

    pub fn with_review(mut self, review: ReviewArgs) -> Self {
        self.review_internal = review.review_internal;
        self.review_external = review.review_external;
        self
    }

    /// `serve`'s settings on top of the common ones.
    pub fn with_serve(self, serve: ServeArgs) -> Self {
        let mut config = self.with_listen(serve.listen).with_review(serve.review);
        config.max_subscribers = serve.max_subscribers;
        config.api = serve.api;
        config.replicas = serve.replicas;
        config
    }

    /// GCM_DATA_DIR, or the default for who runs the process.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(gcm_embedded_postgres::default_data_dir)
    }

    /// The configured database, if any: an empty `DATABASE_URL=` means none, as if unset.
    pub fn database_url(&self) -> Option<&str> {
        self.database_url
            .as_deref()
            .map(str::trim)
            .filter(|url| !url.is_empty())
    }

    /// How many approvals publish a submission.
    pub fn review_policy(&self) -> gcm_graphql::ReviewPolicy {
        gcm_graphql::ReviewPolicy {
            internal: self.review_internal,
            external: self.review_external,
        }
    }

    /// The configured PostgreSQL programs directory, if any (empty means none).
    pub fn pg_bin_dir(&self) -> Option<PathBuf> {
        self.pg_bin_dir
            .clone()
            .filter(|dir| !dir.as_os_str().is_empty())
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: None,
            pg_bin_dir: None,
            log_filter: "info".to_owned(),
            review_internal: 1,
            review_external: 2,
            max_subscribers: crate::subscriptions::DEFAULT_MAX_CONNECTIONS,
            log_format: LogFormat::Text,
            api: ApiConfig::default(),
            replicas: ReplicaArgs {
                max_replica_lag_ms: 5_000,
                redis_timeout_ms: 50,
                ..ReplicaArgs::default()
            },
        }
    }
}
