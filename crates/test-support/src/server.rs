//! Runs the real `gcm-catalogue` binary as a child process and talks to it over HTTP.

use std::process::Stdio;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A server process of the test's own; killed when dropped.
pub struct TestServer {
    child: Child,
    base_url: String,
    http: reqwest::Client,
}

impl TestServer {
    /// Starts `serve` on `database_url` on a free port. `binary` is
    /// `env!("CARGO_BIN_EXE_gcm-catalogue")` in the calling test.
    pub async fn start(binary: &str, database_url: &str) -> Self {
        Self::start_with_env(binary, &[("DATABASE_URL", database_url)]).await
    }

    /// Starts `serve` with these environment variables (on top of a free port and quiet logs).
    pub async fn start_with_env(binary: &str, env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(binary);
        command
            .arg("serve")
            .env("GCM_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawning the server");
        let stdout = child.stdout.take().expect("server stdout is piped");
        let mut lines = BufReader::new(stdout).lines();
        let base_url = tokio::time::timeout(Duration::from_secs(120), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("listening on ") {
                    return Some(url.trim().to_owned());
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .expect("the server did not print `listening on URL`");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            child,
            base_url,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
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
    pub async fn terminate(mut self) -> std::process::ExitStatus {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .arg("-TERM")
                .arg(pid.to_string())
                .status();
        }
        tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("the server did not exit within 60 s of SIGTERM")
            .expect("waiting for the server")
    }
}
