//! When PostgreSQL goes away under the running server: requests get a typed
//! `SERVICE_UNAVAILABLE` fast, `/readyz` turns not ready, and the server recovers on its
//! own when the database comes back (same port), without a restart.

mod ops_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use gcm_embedded_postgres::EmbeddedCluster;
use gcm_test_support::TestServer;
use ops_support::ScratchDir;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");

/// `pg_ctl` on the throwaway cluster, as the unprivileged user PostgreSQL runs under.
fn pg_ctl(pgdata: &Path, args: &[&str]) {
    let bin = gcm_embedded_postgres::find_program("pg_ctl").expect("PostgreSQL is installed");
    let mut command = if nix::unistd::Uid::effective().is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(bin);
        command
    } else {
        Command::new(bin)
    };
    let status = command
        .arg("-D")
        .arg(pgdata)
        .args(args)
        .status()
        .expect("pg_ctl runs");
    assert!(status.success(), "pg_ctl {args:?} failed");
}

fn port_of(url: &str) -> String {
    url.rsplit(':')
        .next()
        .and_then(|rest| rest.split('/').next())
        .expect("a port in the URL")
        .to_owned()
}

#[tokio::test]
async fn a_database_outage_is_reported_fast_and_recovered_from_without_a_restart() {
    let scratch = ScratchDir::new("outage");
    let cluster = EmbeddedCluster::new(scratch.path())
        .start()
        .await
        .expect("the throwaway cluster starts");
    let url = cluster.database_url().to_owned();
    let port = port_of(&url);
    let pgdata = std::fs::canonicalize(scratch.path())
        .expect("scratch path")
        .join("postgres/data");
    let server = TestServer::start_with_env(
        BIN,
        &[("DATABASE_URL", &url), ("GCM_POOL_TIMEOUT_MS", "1000")],
    )
    .await;
    let query = "{ objectives { number } }";
    let data = server.data(query, json!({})).await;
    assert_eq!(data["objectives"].as_array().map(Vec::len), Some(23));

    pg_ctl(&pgdata, &["stop", "-m", "fast", "-w"]);

    // Every request is answered within a few seconds with a typed error; connections the
    // pool held are found dead and dropped, new ones time out.
    for attempt in 0..3 {
        let started = Instant::now();
        let body = server.graphql(query, json!({})).await;
        assert!(
            // A hang guard, not a time budget: the typed error is what the test is about.
            started.elapsed() < Duration::from_secs(60),
            "attempt {attempt} took {:?}",
            started.elapsed()
        );
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE",
            "attempt {attempt}: {body:#}"
        );
    }
    let ready = server
        .http()
        .get(server.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);
    let health = server
        .http()
        .get(server.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200, "the process itself is fine");

    // Back on the same port: the server recovers by itself.
    let log = pgdata.join("../restart.log");
    let log = log.to_string_lossy().into_owned();
    pg_ctl(
        &pgdata,
        &["start", "-w", "-l", &log, "-o", &format!("-p {port}")],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let body = server.graphql(query, json!({})).await;
        if body.get("errors").is_none() {
            assert_eq!(
                body["data"]["objectives"].as_array().map(Vec::len),
                Some(23)
            );
            break;
        }
        assert!(Instant::now() < deadline, "no recovery: {body:#}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ready = server
        .http()
        .get(server.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);

    drop(server);
    pg_ctl(&pgdata, &["stop", "-m", "fast", "-w"]);
    // The cluster is stopped already; `stop` says so and returns.
    let _ = cluster.stop().await;
}
