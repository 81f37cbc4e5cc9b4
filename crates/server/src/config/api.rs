//! The public API's settings: its limits, pool, caches, rate limits and timeouts.

use std::time::Duration;

/// The public API's limits and operational settings (each variable is in the table of `config`'s documentation).
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
    /// Requested cost from which an operation is heavy (the whole-catalogue walks; a page
    /// costs a few hundred)
    #[arg(long, env = "GCM_HEAVY_COST", default_value_t = 50_000)]
    pub heavy_cost: u64,
    /// Heavy operations run at once; the rest queue for up to two thirds of the request
    /// timeout, then get SERVICE_UNAVAILABLE with Retry-After (0: no cap)
    #[arg(long, env = "GCM_MAX_HEAVY_IN_FLIGHT", default_value_t = 4)]
    pub max_heavy_in_flight: usize,
    /// The most items a connection's `count` counts one by one; above it, `count` answers
    /// this limit as a lower bound (precision AT_LEAST)
    #[arg(long, env = "GCM_EXACT_COUNT_LIMIT", default_value_t = gcm_graphql::types::connection::ExactCountLimit::DEFAULT, value_parser = clap::value_parser!(i64).range(1..=1_000_000_000))]
    pub exact_count_limit: i64,
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
            heavy_cost: 50_000,
            max_heavy_in_flight: 4,
            exact_count_limit: gcm_graphql::types::connection::ExactCountLimit::DEFAULT,
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
            heavy_cost: self.heavy_cost,
            max_heavy_in_flight: self.max_heavy_in_flight,
            heavy_queue_wait: Duration::from_millis(self.request_timeout_ms * 2 / 3),
            exact_count_limit: self.exact_count_limit,
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
