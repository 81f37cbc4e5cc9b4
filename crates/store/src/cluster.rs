//! The embedded default: a private PostgreSQL cluster that `serve` creates and owns
//! under the data directory when no `DATABASE_URL` is given.

use std::path::{Path, PathBuf};

/// Why the embedded cluster could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("{0}")]
    Failed(String),
}

/// A cluster directory under the data directory; `start` creates it on first use.
#[derive(Debug, Clone)]
pub struct EmbeddedCluster {
    data_dir: PathBuf,
}

/// A running cluster; `stop` shuts it down when this process started it.
#[derive(Debug)]
pub struct RunningCluster {
    database_url: String,
}

impl EmbeddedCluster {
    pub fn new(data_dir: &Path) -> Self {
        Self {
            data_dir: data_dir.to_owned(),
        }
    }

    /// Creates (first time), starts (or reuses a running) cluster and its `gcm` database.
    pub async fn start(&self) -> Result<RunningCluster, ClusterError> {
        Err(ClusterError::Failed(format!(
            "not implemented yet ({})",
            self.data_dir.display()
        )))
    }
}

impl RunningCluster {
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// Stops the cluster if this process started it (fast shutdown: sessions are ended).
    pub async fn stop(self) -> Result<(), ClusterError> {
        Ok(())
    }
}
