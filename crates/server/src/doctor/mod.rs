//! `gcm-catalogue doctor`: checks, changing nothing, what a first start needs, and prints
//! one line per check (`OK`, `WARN` or `FAIL`, what was found, what to do):
//!
//! - PostgreSQL's server programs: where, which version (the embedded cluster's own search,
//!   [`EmbeddedCluster::find_programs`]);
//! - the data directory: where, whether it exists, its owner, whether PostgreSQL can reach
//!   it (the embedded cluster's own checks, [`EmbeddedCluster::inspect_data_dir`]);
//! - the listen address: whether `serve` could bind it;
//! - `DATABASE_URL`, when given: whether it connects, whether it is migrated.
//!
//! With `DATABASE_URL` the embedded cluster is not used, so a problem with its programs or
//! its data directory is only a `WARN`. It never creates the data directory, starts
//! PostgreSQL or migrates anything.

use std::fmt;

use gcm_embedded_postgres::EmbeddedCluster;

use crate::Config;

mod checks;

use checks::{data_dir, database, listen, one_line, programs};

/// How a check went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Status::Ok => "OK",
            Status::Warn => "WARN",
            Status::Fail => "FAIL",
        })
    }
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct Check {
    pub status: Status,
    pub name: &'static str,
    /// What was found and, unless it is OK, what to do; one line.
    pub detail: String,
}

impl Check {
    fn new(status: Status, name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            name,
            detail: one_line(&detail.into()),
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<4}  {}: {}", self.status, self.name, self.detail)
    }
}

/// Runs every check, prints its line to stdout, and returns whether none failed.
pub async fn run(config: &Config) -> bool {
    let checks = checks(config).await;
    for check in &checks {
        println!("{check}");
    }
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    let warned = checks.iter().filter(|c| c.status == Status::Warn).count();
    match (failed, warned) {
        (0, 0) => println!("ready: nothing to fix before a first start"),
        (0, _) => println!("ready, with {warned} warning(s) above"),
        _ => println!("{failed} check(s) FAILED: fix them before a first start"),
    }
    failed == 0
}

/// Every check, in the order a first start meets them.
pub async fn checks(config: &Config) -> Vec<Check> {
    let embedded = config.database_url().is_none();
    let cluster = EmbeddedCluster::new(&config.data_dir()).with_bin_dir(config.pg_bin_dir());
    vec![
        programs(&cluster, embedded).await,
        data_dir(&cluster, embedded),
        listen(config.listen),
        database(
            config.database_url(),
            &config.data_dir().display().to_string(),
        )
        .await,
    ]
}
