//! The one process harness: the real `gcm-catalogue serve` as a child process with a clean
//! environment (only what the test sets), its logs in a file the test can read, talked to
//! over real HTTP; stopped in order (SIGTERM) when dropped, so its cluster stops too.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// initdb plus the first start can be slow on a busy 2-core machine.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
/// Every variable the binary reads for its place and database, removed from a child's
/// environment unless the test sets it.
pub const SERVICE_VARIABLES_FOR_COMMANDS: [&str; 7] = [
    "DATABASE_URL",
    "DATABASE_READ_URLS",
    "GCM_REDIS_URL",
    "GCM_LISTEN",
    "GCM_DATA_DIR",
    "GCM_PG_BIN_DIR",
    "RUST_LOG",
];

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
        let path = root.join(crate::unique_name(prefix));
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

/// A server process of the test's own.
pub struct TestServer {
    child: Child,
    base_url: String,
    http: reqwest::Client,
    log: PathBuf,
    _log_dir: ScratchDir,
}

impl TestServer {
    /// Starts `serve` on `database_url` on a free port. `binary` is
    /// `env!("CARGO_BIN_EXE_gcm-catalogue")` in the calling test.
    pub async fn start(binary: &str, database_url: &str) -> Self {
        Self::start_with_env(binary, &[("DATABASE_URL", database_url)]).await
    }

    /// Starts `serve` with these environment variables (on top of a free port and
    /// `RUST_LOG=warn`, unless they say otherwise).
    pub async fn start_with_env(binary: &str, env: &[(&str, &str)]) -> Self {
        Self::try_start(binary, env)
            .await
            .unwrap_or_else(|log| panic!("serve did not start; its log:\n{log}"))
    }

    /// Starts `serve`; `Err` carries its log when it exits or stalls before listening.
    pub async fn try_start(binary: &str, env: &[(&str, &str)]) -> Result<Self, String> {
        let log_dir = ScratchDir::new("serve_log");
        let log = log_dir.path().join("stderr.log");
        let mut command = Command::new(binary);
        command.arg("serve").stdin(Stdio::null());
        for var in SERVICE_VARIABLES_FOR_COMMANDS {
            command.env_remove(var);
        }
        command
            .env("GCM_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "warn");
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&log).expect("create log file"))
            .kill_on_drop(true)
            .spawn()
            .expect("spawning the server");
        let stdout = child.stdout.take().expect("server stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let listening = tokio::time::timeout(STARTUP_TIMEOUT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("listening on ") {
                    return Some(url.trim().to_owned());
                }
            }
            None
        })
        .await;
        let Ok(Some(base_url)) = listening else {
            let _ = child.start_kill();
            let _ = child.wait().await;
            return Err(fs::read_to_string(&log).unwrap_or_default());
        };
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            child,
            base_url,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
            log,
            _log_dir: log_dir,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// `POST /graphql` with `body`, from a client that reads `accept`.
    pub async fn post_accepting(&self, accept: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url("/graphql"))
            .header("accept", accept)
            .json(body)
            .send()
            .await
            .expect("POST /graphql")
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The process's resident memory (`VmRSS`), in KiB.
    pub fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS")
    }

    /// The process's peak resident memory so far (`VmHWM`), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        self.status_kib("VmHWM")
    }

    /// A `/proc/PID/status` field given in kB.
    fn status_kib(&self, field: &str) -> u64 {
        let pid = self.pid().expect("the server is running");
        fs::read_to_string(format!("/proc/{pid}/status"))
            .expect("proc status")
            .lines()
            .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
    }

    /// What the server logged so far (stderr).
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// POSTs a GraphQL request and returns the whole response body (`data`, `errors`, ...).
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .http
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        response.json().await.expect("a JSON GraphQL response")
    }

    /// Like [`graphql`](Self::graphql) but fails the test on any GraphQL error; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// The body of a GET of `path`, as text.
    pub async fn get_text(&self, path: &str) -> String {
        self.http
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: body: {e}"))
    }

    /// The body of a GET of `path`, as JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let text = self.get_text(path).await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {path}: {e}: {text}"))
    }

    /// The value of an unlabelled Prometheus counter or gauge in `/metrics` (0 when absent).
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self.get_text("/metrics").await;
        text.lines()
            .filter_map(|line| line.strip_prefix(name))
            .filter_map(|rest| rest.strip_prefix(' '))
            .filter_map(|value| value.trim().parse::<f64>().ok())
            .next()
            .unwrap_or(0.0)
    }

    /// Sends SIGTERM and waits for the process to exit; returns its exit status.
    pub async fn terminate(self) -> ExitStatus {
        self.stop().await.0
    }

    /// Sends SIGTERM, waits for the process to exit, and returns its status and its log.
    pub async fn stop(mut self) -> (ExitStatus, String) {
        if let Some(pid) = self.pid() {
            signal(pid, nix::sys::signal::Signal::SIGTERM);
        }
        let status = tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .unwrap_or_else(|_| {
                panic!("serve did not stop after SIGTERM; its log:\n{}", self.log())
            })
            .expect("waiting for the server");
        let log = self.log();
        (status, log)
    }
}

impl Drop for TestServer {
    /// A test that failed midway still stops its server in order (and so its cluster).
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            if let Some(pid) = self.child.id() {
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

/// Sends `signal` to `pid` (a test's own process).
pub fn signal(pid: u32, signal: nix::sys::signal::Signal) {
    let pid = i32::try_from(pid).expect("a pid");
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal).expect("send signal");
}

/// A response's `Content-Type` ("" when it has none).
pub fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
