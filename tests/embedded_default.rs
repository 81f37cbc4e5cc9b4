//! The embedded default: without DATABASE_URL, `serve` (and the other commands) run on a
//! private PostgreSQL cluster under GCM_DATA_DIR — created on first start, reused later,
//! stopped on SIGTERM — and say exactly what to install when PostgreSQL is missing.

mod ops_support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::unistd::Pid;
use ops_support::{ScratchDir, Server, command, connect, graphql, http};

fn pid_file(data_dir: &Path) -> PathBuf {
    data_dir.join("postgres/data/postmaster.pid")
}

/// The postmaster's pid and port, from the cluster's postmaster.pid.
fn postmaster(data_dir: &Path) -> (i32, u16) {
    let text = fs::read_to_string(pid_file(data_dir)).expect("postmaster.pid of a running cluster");
    let lines: Vec<&str> = text.lines().collect();
    (
        lines[0].trim().parse().expect("pid"),
        lines[3].trim().parse().expect("port"),
    )
}

/// Running (a zombie waiting for a reaper counts as gone).
fn is_alive(pid: i32) -> bool {
    if matches!(
        nix::sys::signal::kill(Pid::from_raw(pid), None),
        Err(Errno::ESRCH)
    ) {
        return false;
    }
    let state = fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(')')?.1.trim_start().chars().next());
    state != Some('Z')
}

async fn assert_stopped(data_dir: &Path, pid: i32) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while is_alive(pid) {
        assert!(
            Instant::now() < deadline,
            "the postmaster {pid} still runs after serve stopped"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!pid_file(data_dir).exists(), "postmaster.pid left behind");
}

async fn cluster_sql(port: u16, database: &str) -> tokio_postgres::Client {
    connect(&format!(
        "host=127.0.0.1 port={port} user=postgres dbname={database}"
    ))
    .await
    .expect("connect to the embedded cluster")
}

fn embedded_env(data_dir: &Path) -> Vec<(&'static str, String)> {
    vec![(
        "GCM_DATA_DIR",
        data_dir.to_str().expect("utf-8 path").to_owned(),
    )]
}

fn as_refs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter()
        .map(|(key, value)| (*key, value.as_str()))
        .collect()
}

async fn assert_ready(server: &Server) {
    let response = http()
        .get(server.url("/readyz"))
        .send()
        .await
        .expect("GET /readyz");
    assert_eq!(
        response.status(),
        200,
        "{}",
        response.text().await.unwrap_or_default()
    );
    let body = graphql(server, "{ __typename }").await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");
}

/// What a newcomer must see from an empty directory: the bundled catalogue, over GraphQL.
async fn assert_bundled_catalogue(server: &Server) {
    let body = graphql(
        server,
        "{ objectives { number shortName title } principles { slug } regions { slug } countries { iso3 }
           objective(number: 22) { commitment actions { code } guidanceSources { slug } }
           resources { totalCount } events { totalCount } projects { totalCount } }",
    )
    .await;
    let data = &body["data"];
    let count = |v: &serde_json::Value| v.as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(count(&data["objectives"]), 23, "{body}");
    assert_eq!(data["objectives"][21]["shortName"], "Social protection");
    assert_eq!(
        data["objectives"][0]["title"],
        "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies"
    );
    assert_eq!(count(&data["principles"]), 10);
    assert_eq!(count(&data["regions"]), 5);
    assert_eq!(count(&data["countries"]), 195);
    assert!(
        data["objective"]["commitment"]
            .as_str()
            .is_some_and(|c| c.starts_with("We commit"))
    );
    assert_eq!(count(&data["objective"]["actions"]), 3);
    assert_eq!(count(&data["objective"]["guidanceSources"]), 4);
    let items = data["resources"]["totalCount"].as_i64().unwrap_or(0)
        + data["events"]["totalCount"].as_i64().unwrap_or(0)
        + data["projects"]["totalCount"].as_i64().unwrap_or(0);
    assert_eq!(items, 10);
}

#[tokio::test]
async fn serve_creates_its_cluster_stops_it_on_sigterm_and_reuses_it() {
    let scratch = ScratchDir::new("embedded_default");
    let data_dir = scratch.path().join("data");
    let env = embedded_env(&data_dir);

    // First start: initdb, start, migrate.
    let server = Server::start(&as_refs(&env)).await;
    assert_ready(&server).await;
    let (pid, port) = postmaster(&data_dir);
    let log = server.log();
    assert!(
        log.contains("initdb"),
        "no sign of initdb in the log:\n{log}"
    );
    assert!(
        log.contains(&format!("postgres://postgres@127.0.0.1:{port}/gcm")),
        "the database url is not logged:\n{log}"
    );
    let admin = cluster_sql(port, "gcm").await;
    assert_bundled_catalogue(&server).await;
    assert!(log.contains("imported the bundled catalogue"), "{log}");
    let listen: String = admin
        .query_one("SELECT current_setting('listen_addresses')", &[])
        .await
        .expect("setting")
        .get(0);
    assert_eq!(
        listen, "127.0.0.1",
        "the cluster must listen on loopback only"
    );
    // Something the second start must find again.
    admin
        .batch_execute("CREATE DATABASE reuse_marker")
        .await
        .expect("create marker");
    drop(admin);

    let (status, log) = server.terminate().await;
    assert_eq!(
        status.code(),
        Some(0),
        "serve must exit 0 on SIGTERM; log:\n{log}"
    );
    assert_stopped(&data_dir, pid).await;

    // Second start: the same cluster, started again, nothing created.
    let server = Server::start(&as_refs(&env)).await;
    assert_ready(&server).await;
    let log = server.log();
    assert!(log.contains("starting the existing cluster"), "{log}");
    assert!(
        !log.contains("initdb"),
        "the second start ran initdb again:\n{log}"
    );
    let (pid, port) = postmaster(&data_dir);
    let admin = cluster_sql(port, "postgres").await;
    let marker = admin
        .query_opt(
            "SELECT 1 FROM pg_database WHERE datname = 'reuse_marker'",
            &[],
        )
        .await
        .expect("query");
    assert!(
        marker.is_some(),
        "the second start did not reuse the cluster"
    );
    drop(admin);
    // The catalogue is still there and was not imported twice.
    assert_bundled_catalogue(&server).await;
    assert!(!log.contains("imported the bundled catalogue"), "{log}");

    let (status, log) = server.terminate().await;
    assert_eq!(status.code(), Some(0), "log:\n{log}");
    assert_stopped(&data_dir, pid).await;
}

/// One `serve` per data directory: a second one exits naming the first one's PID (and
/// GCM_DATA_DIR) instead of sharing its cluster; a one-shot command beside it runs on that
/// cluster and leaves it running; once the first stops, a new `serve` starts as usual.
#[tokio::test]
async fn a_second_serve_on_a_data_directory_in_use_says_which_pid_has_it() {
    let scratch = ScratchDir::new("embedded_in_use");
    let data_dir = scratch.path().join("data");
    let env = embedded_env(&data_dir);
    let first = Server::start(&as_refs(&env)).await;
    assert_ready(&first).await;
    let (postmaster_pid, _) = postmaster(&data_dir);
    assert_eq!(
        fs::read_to_string(data_dir.join("owner.lock"))
            .expect("owner.lock")
            .trim(),
        first.pid().to_string(),
        "owner.lock names the owner"
    );

    let started = Instant::now();
    let log = Server::try_start(&as_refs(&env))
        .await
        .err()
        .expect("a second serve on the same data directory must not start");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "refusing took {:?}",
        started.elapsed()
    );
    for needle in [
        format!("in use by PID {}", first.pid()),
        "GCM_DATA_DIR".to_owned(),
        fs::canonicalize(&data_dir)
            .expect("data dir")
            .display()
            .to_string(),
    ] {
        assert!(log.contains(&needle), "the error lacks {needle:?}:\n{log}");
    }
    assert!(
        !log.contains("reusing the cluster"),
        "the second serve shared the cluster:\n{log}"
    );

    // `migrate` on the same data dir runs on the owner's cluster and must not stop it.
    let output = command(&["migrate"], &as_refs(&env))
        .output()
        .await
        .expect("run migrate");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "migrate failed:\n{stderr}");
    assert!(stderr.contains("already running"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("no pending migrations"));
    assert!(
        is_alive(postmaster_pid),
        "migrate stopped a cluster it did not start"
    );
    assert_ready(&first).await;

    let (status, log) = first.terminate().await;
    assert_eq!(status.code(), Some(0), "log:\n{log}");
    assert_stopped(&data_dir, postmaster_pid).await;

    // The directory is free again: the next serve owns it and runs as usual.
    let next = Server::start(&as_refs(&env)).await;
    assert_ready(&next).await;
    let (next_postmaster, _) = postmaster(&data_dir);
    let (status, log) = next.terminate().await;
    assert_eq!(status.code(), Some(0), "log:\n{log}");
    assert_stopped(&data_dir, next_postmaster).await;
}

/// The lock is the kernel's: a `serve` killed outright leaves no stale lock behind, and the
/// next one starts (reusing the server the killed one left running, as before).
#[tokio::test]
async fn a_killed_owner_leaves_no_stale_lock() {
    let scratch = ScratchDir::new("embedded_killed_owner");
    let data_dir = scratch.path().join("data");
    let env = embedded_env(&data_dir);
    let first = Server::start(&as_refs(&env)).await;
    assert_ready(&first).await;
    let first_pid = first.pid();
    ops_support::signal(first_pid, nix::sys::signal::Signal::SIGKILL);
    let deadline = Instant::now() + Duration::from_secs(10);
    while is_alive(first_pid) {
        assert!(Instant::now() < deadline, "serve survived SIGKILL");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(first);

    let next = Server::start(&as_refs(&env)).await;
    assert_ready(&next).await;
    assert!(
        next.log().contains("reusing the cluster already running"),
        "{}",
        next.log()
    );
    let (postmaster_pid, _) = postmaster(&data_dir);
    let (status, log) = next.terminate().await;
    assert_eq!(status.code(), Some(0), "log:\n{log}");
    // It did not start that server, so it leaves it running; the scratch dir stops it.
    assert!(is_alive(postmaster_pid));
}

#[tokio::test]
async fn one_shot_commands_start_and_stop_the_cluster_and_clear_a_stale_pid_file() {
    let scratch = ScratchDir::new("embedded_oneshot");
    let data_dir = scratch.path().join("data");
    let env = embedded_env(&data_dir);

    let output = command(&["migrate"], &as_refs(&env))
        .output()
        .await
        .expect("run migrate");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "migrate failed:\n{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    for version in gcm_store::migrations::embedded_versions() {
        assert!(stdout.contains(&format!("applied {version}")), "{stdout}");
    }
    assert!(
        !pid_file(&data_dir).exists(),
        "migrate left its cluster running"
    );

    // A crash leaves postmaster.pid naming a process that is gone.
    let gone = std::process::Command::new("true").spawn().expect("spawn");
    let gone_pid = gone.id();
    let mut gone = gone;
    gone.wait().expect("wait");
    fs::write(
        pid_file(&data_dir),
        format!("{gone_pid}\n/x\n0\n5999\n\n127.0.0.1\n0\nready\n"),
    )
    .expect("write a stale postmaster.pid");

    let output = command(&["migrate"], &as_refs(&env))
        .output()
        .await
        .expect("run migrate");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "migrate after a crash failed:\n{stderr}"
    );
    assert!(stderr.contains("stale postmaster.pid"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("no pending migrations"));
    assert!(
        !pid_file(&data_dir).exists(),
        "migrate left its cluster running"
    );
}

#[tokio::test]
async fn missing_postgres_programs_are_named_with_what_to_install() {
    let scratch = ScratchDir::new("embedded_no_binaries");
    let empty_bin = scratch.path().join("bin");
    fs::create_dir(&empty_bin).expect("mkdir");
    let data_dir = scratch.path().join("data");
    let mut env = embedded_env(&data_dir);
    env.push((
        "GCM_PG_BIN_DIR",
        empty_bin.to_str().expect("utf-8").to_owned(),
    ));

    let started = Instant::now();
    let log = Server::try_start(&as_refs(&env))
        .await
        .err()
        .expect("serve must fail without PostgreSQL");
    assert!(
        // A hang guard, not a time budget.
        started.elapsed() < Duration::from_secs(120),
        "failing took {:?}",
        started.elapsed()
    );
    for needle in [
        "apt-get install postgresql",
        "initdb, pg_ctl, postgres",
        "GCM_PG_BIN_DIR",
        empty_bin.to_str().expect("utf-8"),
        "DATABASE_URL",
    ] {
        assert!(
            log.contains(needle),
            "the error does not mention {needle:?}:\n{log}"
        );
    }
    assert!(
        !data_dir.join("postgres").exists(),
        "a cluster dir was created without PostgreSQL"
    );

    // The one-shot commands say the same, with a failing exit status.
    let output = command(&["migrate"], &as_refs(&env))
        .output()
        .await
        .expect("run migrate");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("apt-get install postgresql"));
}

/// True as root; otherwise says why the calling test is skipped.
fn running_as_root(why: &str) -> bool {
    let root = nix::unistd::Uid::effective().is_root();
    if !root {
        eprintln!("skipped: {why}");
    }
    root
}

/// A directory of `scratch` that only its owner may enter, as root's home is.
fn mode_700_dir(scratch: &ScratchDir, name: &str) -> PathBuf {
    let dir = scratch.path().join(name);
    fs::create_dir(&dir).expect("mkdir");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod 700");
    dir
}

#[tokio::test]
async fn root_is_told_when_postgres_cannot_reach_the_data_dir() {
    if !running_as_root("only root hands the cluster to the postgres user") {
        return;
    }
    let scratch = ScratchDir::new("embedded_closed");
    let closed = mode_700_dir(&scratch, "closed");
    let data_dir = closed.join("data");

    let output = command(&["migrate"], &as_refs(&embedded_env(&data_dir)))
        .output()
        .await
        .expect("run migrate");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot enter"), "{stderr}");
    assert!(
        stderr.contains(&format!("chmod o+x {}", closed.display())),
        "{stderr}"
    );
}

/// With no GCM_DATA_DIR, root's cluster lives under /var/lib/gcm-catalogue, which the
/// `postgres` user can reach from any working directory, even one in root's mode-700 home.
#[tokio::test]
async fn as_root_the_default_data_dir_works_from_a_mode_700_directory() {
    if !running_as_root("this test is about running as root (CI runs it as root)") {
        return;
    }
    let scratch = ScratchDir::new("embedded_root_home");
    let home = mode_700_dir(&scratch, "home");
    let output = command(&["migrate"], &[])
        .current_dir(&home)
        .output()
        .await
        .expect("run migrate");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "migrate failed:\n{stderr}");
    assert!(
        stderr.contains(&format!(
            "data_dir={}",
            gcm_embedded_postgres::ROOT_DATA_DIR
        )),
        "the first line says where the cluster is:\n{stderr}"
    );
    assert!(
        !home.join(".gcm-data").exists(),
        "nothing is written into the mode-700 directory"
    );
    assert!(
        !pid_file(Path::new(gcm_embedded_postgres::ROOT_DATA_DIR)).exists()
            || stderr.contains("already running"),
        "migrate left the cluster it started running:\n{stderr}"
    );
}
