//! Helpers for the end-to-end tests of the operations side of the binary: one-shot
//! commands with a clean environment, and `serve` as [`Server`] (the one process harness,
//! `gcm_test_support::TestServer`, with the logs at `info` and the addressing these tests
//! use). Databases come from `gcm_test_support::TestDatabase`; everything is unique per
//! test, so the tests run in parallel.

#![allow(dead_code)] // each test crate uses a different part

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use gcm_test_support::{SERVICE_VARIABLES_FOR_COMMANDS as SERVICE_VARIABLES, TestServer};
use tokio::process::Command;

#[allow(unused_imports)] // each test crate uses a different part
pub use gcm_test_support::{STARTUP_TIMEOUT, ScratchDir, unique_name};

pub const BINARY: &str = env!("CARGO_BIN_EXE_gcm-catalogue");
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

/// `gcm-catalogue serve` with its logs at `info` (these tests read them).
pub struct Server(TestServer);

impl Server {
    /// Starts `serve` and waits for its `listening on http://ADDR` line.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        Self::try_start(env)
            .await
            .unwrap_or_else(|log| panic!("serve did not start; its log:\n{log}"))
    }

    /// Starts `serve`; `Err` carries its log when it exits or stalls before listening.
    pub async fn try_start(env: &[(&str, &str)]) -> Result<Self, String> {
        let mut env = env.to_vec();
        if !env.iter().any(|(key, _)| *key == "RUST_LOG") {
            env.push(("RUST_LOG", "info"));
        }
        TestServer::try_start(BINARY, &env).await.map(Self)
    }

    pub fn url(&self, path: &str) -> String {
        self.0.url(path)
    }

    pub fn log(&self) -> String {
        self.0.log()
    }

    pub fn pid(&self) -> i32 {
        self.0
            .pid()
            .and_then(|id| i32::try_from(id).ok())
            .expect("server is running")
    }

    /// Sends SIGTERM and waits for the process to end.
    pub async fn terminate(self) -> (ExitStatus, String) {
        self.0.stop().await
    }
}

pub fn signal(pid: i32, signal: nix::sys::signal::Signal) {
    gcm_test_support::signal(u32::try_from(pid).expect("a pid"), signal);
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
