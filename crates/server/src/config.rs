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
//! | `GCM_TRUSTED_PROXY_HEADER`     | (none)   | header a trusted proxy sets with the client address (e.g. `x-forwarded-for`; its last entry is used); none: the TCP peer |
//!
//! No setting downloads anything: the embedded cluster uses the PostgreSQL installed on the
//! machine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

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
}

/// The flags every command takes (`global`: before or after the command's name): which
/// database, where the embedded cluster lives, and how to log.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// PostgreSQL database to use [default: an embedded cluster under GCM_DATA_DIR]
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<String>,

    /// Directory of the embedded PostgreSQL cluster (used when DATABASE_URL is absent)
    /// [default: /var/lib/gcm-catalogue as root, ./.gcm-data otherwise]
    #[arg(long, env = "GCM_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Directory holding initdb, pg_ctl and postgres [default: search PATH, then /usr/lib/postgresql/*/bin]
    #[arg(long, env = "GCM_PG_BIN_DIR", global = true, value_name = "DIR")]
    pub pg_bin_dir: Option<PathBuf>,

    /// Log filter, e.g. `info` or `info,gcm_store=debug` (logs go to stderr)
    #[arg(
        long = "log",
        env = "RUST_LOG",
        global = true,
        default_value = "info",
        value_name = "FILTER"
    )]
    pub log_filter: String,

    /// Log format: `text` or `json`
    #[arg(
        long,
        env = "GCM_LOG_FORMAT",
        global = true,
        default_value = "text",
        value_name = "FORMAT"
    )]
    pub log_format: LogFormat,
}

/// The address `serve` listens on (`doctor` checks that it is free).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ListenArgs {
    /// Address `serve` listens on (port 0: any free port; the bound one is printed)
    #[arg(
        long,
        env = "GCM_LISTEN",
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,
}

/// How many approvals publish a submission (`serve`, and `keys revoke`, which decides
/// again the submissions the revoked key had approved).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ReviewArgs {
    /// Internal (UN) approvals a submission needs before it is published
    #[arg(
        long,
        env = "GCM_REVIEW_INTERNAL",
        default_value_t = 1,
        value_name = "N"
    )]
    pub review_internal: usize,

    /// External approvals a submission needs before it is published
    #[arg(
        long,
        env = "GCM_REVIEW_EXTERNAL",
        default_value_t = 2,
        value_name = "N"
    )]
    pub review_external: usize,
}

/// `serve`'s own flags: the address, the review policy, the WebSocket cap and the public
/// API's limits (under the heading "Public API").
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Serve")]
pub struct ServeArgs {
    #[command(flatten)]
    pub listen: ListenArgs,

    #[command(flatten)]
    pub review: ReviewArgs,

    /// Most WebSocket connections at /graphql/ws at once; more are refused with 503
    #[arg(long, env = "GCM_MAX_SUBSCRIBERS", default_value_t = crate::subscriptions::DEFAULT_MAX_CONNECTIONS, value_name = "N")]
    pub max_subscribers: usize,

    #[command(flatten)]
    pub api: ApiConfig,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The public API's limits and operational settings (see the module documentation).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Public API")]
pub struct ApiConfig {
    /// Deepest selection accepted
    #[arg(long, env = "GCM_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,
    /// Highest requested cost accepted
    #[arg(long, env = "GCM_MAX_COMPLEXITY", default_value_t = 1_000_000)]
    pub max_complexity: u64,
    /// Most aliases in one operation
    #[arg(long, env = "GCM_MAX_ALIASES", default_value_t = 50)]
    pub max_aliases: usize,
    /// Most root fields in one operation
    #[arg(long, env = "GCM_MAX_ROOT_FIELDS", default_value_t = 20)]
    pub max_root_fields: usize,
    /// Most directives on one field or fragment
    #[arg(long, env = "GCM_MAX_DIRECTIVES", default_value_t = 4)]
    pub max_directives: usize,
    /// Most tokens in one document
    #[arg(long, env = "GCM_MAX_TOKENS", default_value_t = 5_000)]
    pub max_tokens: usize,
    /// Largest document, in bytes
    #[arg(long, env = "GCM_MAX_DOCUMENT_BYTES", default_value_t = 32 * 1024)]
    pub max_document_bytes: usize,
    /// Deepest nesting in the variables
    #[arg(long, env = "GCM_MAX_VARIABLES_DEPTH", default_value_t = 8)]
    pub max_variables_depth: usize,
    /// Most values in the variables
    #[arg(long, env = "GCM_MAX_VARIABLES_VALUES", default_value_t = 1_000)]
    pub max_variables_values: usize,
    /// Largest request body, in bytes
    #[arg(long, env = "GCM_MAX_BODY_BYTES", default_value_t = 256 * 1024)]
    pub max_body_bytes: usize,
    /// Most operations in a batch (0: batching off)
    #[arg(long, env = "GCM_MAX_BATCH", default_value_t = 0)]
    pub max_batch: usize,
    /// Time to answer one request, in milliseconds
    #[arg(long, env = "GCM_REQUEST_TIMEOUT_MS", default_value_t = 15_000)]
    pub request_timeout_ms: u64,
    /// PostgreSQL statement_timeout, in milliseconds
    #[arg(long, env = "GCM_STATEMENT_TIMEOUT_MS", default_value_t = 10_000)]
    pub statement_timeout_ms: u64,
    /// Connections in the pool
    #[arg(long, env = "GCM_POOL_SIZE", default_value_t = 16)]
    pub pool_size: usize,
    /// Wait for a pooled connection, in milliseconds
    #[arg(long, env = "GCM_POOL_TIMEOUT_MS", default_value_t = 3_000)]
    pub pool_timeout_ms: u64,
    /// Serve introspection (true or false)
    #[arg(long, env = "GCM_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
    /// Origins allowed by CORS, comma-separated, or `*` [default: none, no CORS headers]
    #[arg(
        long,
        env = "GCM_CORS_ORIGINS",
        default_value = "",
        hide_default_value = true,
        value_name = "ORIGINS"
    )]
    pub cors_origins: String,
    /// Grace for in-flight requests on SIGTERM, in milliseconds
    #[arg(long, env = "GCM_SHUTDOWN_GRACE_MS", default_value_t = 10_000)]
    pub shutdown_grace_ms: u64,
    /// Sustained requests per second per client (0: off)
    #[arg(long, env = "GCM_RATE_LIMIT_PER_SECOND", default_value_t = 50.0)]
    pub rate_limit_per_second: f64,
    /// Requests a client may send at once
    #[arg(long, env = "GCM_RATE_LIMIT_BURST", default_value_t = 500)]
    pub rate_limit_burst: u32,
    /// Header holding the client address, set by a trusted proxy [default: none, the TCP peer]
    #[arg(
        long,
        env = "GCM_TRUSTED_PROXY_HEADER",
        default_value = "",
        hide_default_value = true,
        value_name = "HEADER"
    )]
    pub trusted_proxy_header: String,
    /// Documents kept for automatic persisted queries (0: APQ off)
    #[arg(long, env = "GCM_APQ_CACHE_SIZE", default_value_t = 1_000)]
    pub apq_cache_size: usize,
    /// File of trusted documents: only they run [default: none, any document runs]
    #[arg(
        long,
        env = "GCM_TRUSTED_DOCUMENTS",
        default_value = "",
        hide_default_value = true,
        value_name = "FILE"
    )]
    pub trusted_documents: String,
    /// max-age of cacheable query answers, in seconds
    #[arg(long, env = "GCM_CACHE_MAX_AGE", default_value_t = 60)]
    pub cache_max_age: u32,
    /// Answers kept by the response cache (0: off)
    #[arg(long, env = "GCM_RESPONSE_CACHE_SIZE", default_value_t = 0)]
    pub response_cache_size: usize,
    /// Bytes the response cache may hold
    #[arg(long, env = "GCM_RESPONSE_CACHE_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub response_cache_bytes: usize,
    /// Interval between checks of the catalogue version, in milliseconds
    #[arg(long, env = "GCM_RESPONSE_CACHE_CHECK_MS", default_value_t = 1_000)]
    pub response_cache_check_ms: u64,
    /// Failed authentications per minute per client address, then 429 (0: no budget)
    #[arg(long, env = "GCM_AUTH_FAILURES_PER_MINUTE", default_value_t = 20)]
    pub auth_failures_per_minute: u32,
    /// How long a verified API key is trusted before it is looked up again, in
    /// milliseconds: the longest a revoked key keeps working
    #[arg(long, env = "GCM_KEY_CACHE_MS", default_value_t = 5_000)]
    pub key_cache_ms: u64,
    /// Active subscriptions per WebSocket connection
    #[arg(long, env = "GCM_WS_MAX_SUBSCRIPTIONS", default_value_t = 20)]
    pub ws_max_subscriptions: usize,
    /// Messages per second a WebSocket connection may send (bursts of ten seconds' worth)
    #[arg(long, env = "GCM_WS_MESSAGES_PER_SECOND", default_value_t = 10)]
    pub ws_messages_per_second: u32,
}

impl Default for ApiConfig {
    fn default() -> Self {
        let limits = gcm_graphql::limits::Limits::default();
        Self {
            max_depth: limits.max_depth,
            max_complexity: limits.max_complexity,
            max_aliases: limits.max_aliases,
            max_root_fields: limits.max_root_fields,
            max_directives: limits.max_directives_per_field,
            max_tokens: limits.max_tokens,
            max_document_bytes: limits.max_document_bytes,
            max_variables_depth: limits.max_variables_depth,
            max_variables_values: limits.max_variables_values,
            max_body_bytes: 256 * 1024,
            max_batch: 0,
            request_timeout_ms: 15_000,
            statement_timeout_ms: 10_000,
            pool_size: 16,
            pool_timeout_ms: 3_000,
            introspection: true,
            cors_origins: String::new(),
            shutdown_grace_ms: 10_000,
            rate_limit_per_second: 50.0,
            rate_limit_burst: 500,
            trusted_proxy_header: String::new(),
            apq_cache_size: 1_000,
            trusted_documents: String::new(),
            cache_max_age: 60,
            response_cache_size: 0,
            response_cache_bytes: 64 * 1024 * 1024,
            response_cache_check_ms: 1_000,
            auth_failures_per_minute: 20,
            key_cache_ms: 5_000,
            ws_max_subscriptions: 20,
            ws_messages_per_second: 10,
        }
    }
}

impl ApiConfig {
    pub fn limits(&self) -> gcm_graphql::limits::Limits {
        gcm_graphql::limits::Limits {
            max_depth: self.max_depth,
            max_complexity: self.max_complexity,
            max_aliases: self.max_aliases,
            max_root_fields: self.max_root_fields,
            max_directives_per_field: self.max_directives,
            max_tokens: self.max_tokens,
            max_document_bytes: self.max_document_bytes,
            max_variables_depth: self.max_variables_depth,
            max_variables_values: self.max_variables_values,
        }
    }

    /// The pipeline's settings, with this deployment's curation.
    pub fn pipeline(&self, curation: gcm_graphql::Curation) -> gcm_graphql::pipeline::Settings {
        gcm_graphql::pipeline::Settings {
            limits: self.limits(),
            introspection: self.introspection,
            curation,
            apq_cache_size: self.apq_cache_size,
            trusted_documents: self.trusted_documents().map(std::path::Path::to_path_buf),
            cache_max_age: self.cache_max_age,
            response_cache_size: self.response_cache_size,
            response_cache_bytes: self.response_cache_bytes,
            response_cache_check: Duration::from_millis(self.response_cache_check_ms),
            rate_limit_per_second: self.rate_limit_per_second,
            rate_limit_burst: self.rate_limit_burst,
            auth_failures_per_minute: self.auth_failures_per_minute,
            key_cache: Duration::from_millis(self.key_cache_ms),
            ws_max_subscriptions: self.ws_max_subscriptions,
            ws_messages_per_second: self.ws_messages_per_second,
        }
    }

    pub fn pool(&self) -> gcm_store::PoolConfig {
        gcm_store::PoolConfig {
            max_connections: self.pool_size.max(1),
            acquire_timeout: Duration::from_millis(self.pool_timeout_ms),
            statement_timeout: Duration::from_millis(self.statement_timeout_ms),
        }
    }

    pub fn trusted_documents(&self) -> Option<&std::path::Path> {
        let path = self.trusted_documents.trim();
        (!path.is_empty()).then(|| std::path::Path::new(path))
    }

    /// The allowed CORS origins: `None` for no CORS, `Some([])` for any origin.
    pub fn cors_origins(&self) -> Option<Vec<String>> {
        let origins: Vec<String> = self
            .cors_origins
            .split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(str::to_owned)
            .collect();
        if origins.is_empty() {
            None
        } else if origins.iter().any(|origin| origin == "*") {
            Some(Vec::new())
        } else {
            Some(origins)
        }
    }
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
        }
    }
}
