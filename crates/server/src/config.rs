//! Everything the service reads from its environment, in one place. Each setting is a flag
//! and an environment variable (the flag wins):
//!
//! | variable         | flag            | default          | meaning |
//! |------------------|-----------------|------------------|---------|
//! | `DATABASE_URL`   | `--database-url`| (none)           | PostgreSQL to use, e.g. `postgres://user@host:5432/gcm`. Without it, the commands run on the embedded cluster under `GCM_DATA_DIR`. |
//! | `GCM_LISTEN`     | `--listen`      | `127.0.0.1:8080` | Address `serve` binds. Port `0` picks a free port; the bound address is printed as `listening on http://ADDR`. |
//! | `GCM_DATA_DIR`   | `--data-dir`    | `./.gcm-data`    | Where the embedded PostgreSQL cluster lives (`GCM_DATA_DIR/postgres`). Unused with `DATABASE_URL`. |
//! | `GCM_REVIEW_INTERNAL` | `--review-internal` | `1` | Internal (UN) approvals that publish a submission. |
//! | `GCM_REVIEW_EXTERNAL` | `--review-external` | `2` | External approvals that publish a submission. |
//! | `GCM_MAX_SUBSCRIBERS` | `--max-subscribers` | `1000` | Most open WebSocket connections at `/graphql/ws`. |
//! | `GCM_PG_BIN_DIR` | `--pg-bin-dir`  | (search)         | Directory holding `initdb`, `pg_ctl` and `postgres` for the embedded cluster. Without it they are looked for on `PATH`, then in `/usr/lib/postgresql/*/bin` (newest first). |
//! | `RUST_LOG`       | `--log`         | `info`           | Log filter ([`tracing_subscriber::EnvFilter`] syntax, e.g. `info,gcm_store=debug`). Logs go to stderr. |
//!
//! No setting downloads anything: the embedded cluster uses the PostgreSQL installed on the
//! machine.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The service's settings; see the module documentation for each variable.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// PostgreSQL database to use [default: an embedded cluster under GCM_DATA_DIR]
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<String>,

    /// Address `serve` listens on (port 0: any free port; the bound one is printed)
    #[arg(
        long,
        env = "GCM_LISTEN",
        global = true,
        default_value = "127.0.0.1:8080",
        value_name = "ADDR"
    )]
    pub listen: SocketAddr,

    /// Directory of the embedded PostgreSQL cluster (used when DATABASE_URL is absent)
    #[arg(
        long,
        env = "GCM_DATA_DIR",
        global = true,
        default_value = "./.gcm-data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,

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

    /// Internal (UN) approvals a submission needs before it is published
    #[arg(
        long,
        env = "GCM_REVIEW_INTERNAL",
        global = true,
        default_value_t = 1,
        value_name = "N"
    )]
    pub review_internal: usize,

    /// External approvals a submission needs before it is published
    #[arg(
        long,
        env = "GCM_REVIEW_EXTERNAL",
        global = true,
        default_value_t = 2,
        value_name = "N"
    )]
    pub review_external: usize,

    /// Most WebSocket connections at /graphql/ws at once; more are refused with 503
    #[arg(long, env = "GCM_MAX_SUBSCRIBERS", global = true, default_value_t = crate::subscriptions::DEFAULT_MAX_CONNECTIONS, value_name = "N")]
    pub max_subscribers: usize,
}

impl Config {
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
            data_dir: PathBuf::from("./.gcm-data"),
            pg_bin_dir: None,
            log_filter: "info".to_owned(),
            review_internal: 1,
            review_external: 2,
            max_subscribers: crate::subscriptions::DEFAULT_MAX_CONNECTIONS,
        }
    }
}
