//! The flags of the commands, grouped by which commands take them.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::ApiConfig;
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

    #[command(flatten)]
    pub replicas: ReplicaArgs,
}

/// How the processes of one deployment share its work: standbys for public reads, Redis
/// for the rate limit, the APQ registry and the response cache (README: "Running several
/// replicas").
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Several replicas")]
pub struct ReplicaArgs {
    /// Streaming standbys of DATABASE_URL that serve public reads, comma-separated (writes,
    /// curation and LISTEN stay on DATABASE_URL)
    #[arg(
        long,
        env = "DATABASE_READ_URLS",
        value_delimiter = ',',
        hide_env_values = true,
        value_name = "URLS"
    )]
    pub database_read_urls: Vec<String>,

    /// A standby further behind the primary than this leaves the rotation until it catches up
    #[arg(
        long,
        env = "GCM_MAX_REPLICA_LAG_MS",
        default_value_t = 5_000,
        value_name = "MS"
    )]
    pub max_replica_lag_ms: u64,

    /// Redis shared by every server process (rate limit, APQ registry, response cache)
    /// [default: each process keeps its own]
    #[arg(
        long,
        env = "GCM_REDIS_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub redis_url: Option<String>,

    /// The longest a request waits for Redis before it uses the process's own state
    #[arg(
        long,
        env = "GCM_REDIS_TIMEOUT_MS",
        default_value_t = 50,
        value_parser = clap::value_parser!(u64).range(1..=10_000),
        value_name = "MS"
    )]
    pub redis_timeout_ms: u64,
}

impl ReplicaArgs {
    /// The standbys' URLs, without empty entries.
    pub fn read_urls(&self) -> Vec<String> {
        self.database_read_urls
            .iter()
            .map(|url| url.trim())
            .filter(|url| !url.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The Redis URL, when one is set.
    pub fn redis_url(&self) -> Option<&str> {
        self.redis_url
            .as_deref()
            .map(str::trim)
            .filter(|url| !url.is_empty())
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}
