//! Helpers for the end-to-end tests of the operations side of the binary: scratch
//! directories, and a real `gcm-catalogue` process whose logs the tests can read (databases
//! come from `gcm_test_support::TestDatabase`). Everything is unique per test, so the tests
//! run in parallel.

#![allow(dead_code)] // each test crate uses a different part

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const BINARY: &str = env!("CARGO_BIN_EXE_gcm-catalogue");
/// initdb plus the first start can be slow on a busy 2-core machine.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
/// Every variable the binary reads, removed from a child's environment unless a test sets it.
const SERVICE_VARIABLES: [&str; 5] = [
    "DATABASE_URL",
    "GCM_LISTEN",
    "GCM_DATA_DIR",
    "GCM_PG_BIN_DIR",
    "RUST_LOG",
];

pub use gcm_test_support::unique_name;

/// A fresh directory under the system's temporary directory, mode 0755, removed when
/// dropped. Not under the clone: a clone in root's mode-700 home is out of reach of the
/// unprivileged `postgres` user that runs a test's cluster; `/tmp` is not.
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    pub fn new(prefix: &str) -> Self {
        let root = std::env::temp_dir().join("gcm-catalogue-tests");
        fs::create_dir_all(&root).expect("create the scratch root");
        // Best effort: another user may own it, already traversable.
        let _ = fs::set_permissions(&root, fs::Permissions::from_mode(0o755));
        let path = root.join(unique_name(prefix));
        fs::create_dir_all(&path).expect("create scratch dir");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod scratch dir");
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    /// Also stops a cluster a failed test left running in `data/` (fast shutdown), so a
    /// failure does not leak PostgreSQL servers.
    fn drop(&mut self) {
        let pid_file = self.path.join("data/postgres/data/postmaster.pid");
        let pid = fs::read_to_string(&pid_file)
            .ok()
            .and_then(|text| text.lines().next()?.trim().parse::<i32>().ok());
        if let Some(pid) = pid {
            let pid = nix::unistd::Pid::from_raw(pid);
            if nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).is_ok() {
                let deadline = Instant::now() + Duration::from_secs(10);
                while nix::sys::signal::kill(pid, None).is_ok() && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        let _ = fs::remove_dir_all(&self.path);
    }
}

pub async fn connect(config: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(config, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// A `gcm-catalogue` command with a clean environment: only what the test sets.
pub fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BINARY);
    command.args(args).stdin(Stdio::null()).kill_on_drop(true);
    for var in SERVICE_VARIABLES {
        command.env_remove(var);
    }
    command.env("RUST_LOG", "info");
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

/// A `gcm-catalogue serve` process; its stderr (the logs) goes to a file.
pub struct Server {
    child: Child,
    address: String,
    log: PathBuf,
    _log_dir: ScratchDir,
}

impl Server {
    /// Starts `serve` and waits for its `listening on http://ADDR` line.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        Self::try_start(env)
            .await
            .unwrap_or_else(|log| panic!("serve did not start; its log:\n{log}"))
    }

    /// Starts `serve`; `Err` carries its log when it exits or stalls before listening.
    pub async fn try_start(env: &[(&str, &str)]) -> Result<Self, String> {
        let log_dir = ScratchDir::new("serve_log");
        let log = log_dir.path().join("stderr.log");
        let mut env = env.to_vec();
        if !env.iter().any(|(key, _)| *key == "GCM_LISTEN") {
            env.push(("GCM_LISTEN", "127.0.0.1:0"));
        }
        let mut child = command(&["serve"], &env)
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&log).expect("create log file"))
            .spawn()
            .expect("spawn gcm-catalogue serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let listening = tokio::time::timeout(STARTUP_TIMEOUT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(address) = line.strip_prefix("listening on http://") {
                    return Some(address.to_owned());
                }
            }
            None
        })
        .await;
        let read_log = || fs::read_to_string(&log).unwrap_or_default();
        let Ok(Some(address)) = listening else {
            let _ = child.start_kill();
            let _ = child.wait().await;
            return Err(read_log());
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            child,
            address,
            log,
            _log_dir: log_dir,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> i32 {
        self.child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .expect("server is running")
    }

    /// Sends SIGTERM and waits for the process to end.
    pub async fn terminate(mut self) -> (ExitStatus, String) {
        signal(self.pid(), nix::sys::signal::Signal::SIGTERM);
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .unwrap_or_else(|_| {
                panic!("serve did not stop after SIGTERM; its log:\n{}", self.log())
            })
            .expect("wait for serve");
        let log = self.log();
        (status, log)
    }
}

impl Drop for Server {
    /// A test that failed midway still stops its server in order (and so its cluster).
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            if let Some(pid) = self.child.id().and_then(|id| i32::try_from(id).ok()) {
                signal(pid, nix::sys::signal::Signal::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(15);
            while Instant::now() < deadline {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

pub fn signal(pid: i32, signal: nix::sys::signal::Signal) {
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).expect("send signal");
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .expect("http client")
}

/// POSTs a GraphQL query and returns the whole JSON response.
pub async fn graphql(server: &Server, query: &str) -> serde_json::Value {
    let response = http()
        .post(server.url("/graphql"))
        .json(&serde_json::json!({ "query": query }))
        .send()
        .await
        .expect("POST /graphql");
    assert_eq!(response.status(), 200, "POST /graphql status");
    response.json().await.expect("GraphQL JSON")
}
