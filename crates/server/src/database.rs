//! Which PostgreSQL a command talks to: `DATABASE_URL` when given, otherwise the embedded
//! cluster under the data directory, started for the command and stopped after it (when
//! this process was the one that started it).
//!
//! One process owns a data directory at a time. `serve` must own it: a second `serve` on
//! the same GCM_DATA_DIR exits saying which PID has it. The one-shot commands (`migrate`,
//! `import`, `export`, `keys`, `generate`) own it when it is free and otherwise run against
//! the owner's cluster (so `keys create` works beside a running `serve`), leaving it to the
//! owner to stop.

use anyhow::Context;
use gcm_embedded_postgres::{EmbeddedCluster, RunningCluster};
use tracing::info;

use crate::Config;

/// How a command may use an embedded cluster another process owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// Own the data directory or fail (`serve`).
    Exclusive,
    /// Own it when free, else use the owner's running cluster (the one-shot commands).
    JoinOwner,
}

/// An open database: its URL, and the embedded cluster behind it if there is one.
#[derive(Debug)]
pub struct Database {
    url: String,
    cluster: Option<RunningCluster>,
}

impl Database {
    /// Uses `DATABASE_URL`, or starts (or reuses) the embedded cluster.
    pub async fn open(config: &Config, sharing: Sharing) -> anyhow::Result<Self> {
        if let Some(url) = config.database_url() {
            return Ok(Self {
                url: url.to_owned(),
                cluster: None,
            });
        }
        let data_dir = config.data_dir();
        info!(data_dir = %data_dir.display(), "no DATABASE_URL: using the embedded PostgreSQL");
        let cluster = EmbeddedCluster::new(&data_dir).with_bin_dir(config.pg_bin_dir());
        let cluster = match sharing {
            Sharing::Exclusive => cluster.start().await,
            Sharing::JoinOwner => cluster.start_or_join().await,
        }
        .context("cannot start the embedded PostgreSQL")?;
        info!(database_url = cluster.database_url(), "database url");
        Ok(Self {
            url: cluster.database_url().to_owned(),
            cluster: Some(cluster),
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the embedded cluster if this process started it; a no-op for `DATABASE_URL`.
    pub async fn close(self) -> anyhow::Result<()> {
        if let Some(cluster) = self.cluster {
            cluster
                .stop()
                .await
                .context("cannot stop the embedded PostgreSQL")?;
        }
        Ok(())
    }
}
