//! Several server processes on a primary, a streaming standby and Redis, all real: a
//! throwaway primary and its standby (`pg_basebackup -R`, run as the unprivileged user as
//! the embedded default is), the machine's `redis-server` on a port of the test's own,
//! and two `gcm-catalogue serve` processes sharing them (README: "Running several
//! replicas"). The queries are the client corpus's.

mod curation_support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use curation_support::{BIN, call, data, resource_input};
use gcm_embedded_postgres::{EmbeddedCluster, RunningCluster};
use gcm_test_support::{ScratchDir, TestDatabase, TestRedis, TestServer, codes, workspace_root};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A primary and its streaming standby, made for the test.
struct Clusters {
    scratch: ScratchDir,
    primary: RunningCluster,
    standby: Option<RunningCluster>,
}

impl Clusters {
    async fn start() -> Self {
        let scratch = ScratchDir::new("replicas");
        let primary = EmbeddedCluster::new(&scratch.path().join("primary"))
            .start()
            .await
            .expect("the primary starts");
        let mut clusters = Self {
            scratch,
            primary,
            standby: None,
        };
        clusters.start_standby().await;
        clusters
    }

    fn standby_dir(&self) -> PathBuf {
        self.scratch.path().join("standby")
    }

    /// Makes the standby the first time, starts it again (same port) afterwards.
    async fn start_standby(&mut self) {
        let standby = EmbeddedCluster::new(&self.standby_dir())
            .start_standby_of(&self.primary)
            .await
            .expect("the standby starts");
        self.standby = Some(standby);
    }

    async fn stop_standby(&mut self) {
        if let Some(standby) = self.standby.take() {
            standby.stop().await.expect("the standby stops");
        }
    }

    fn primary_url(&self) -> &str {
        self.primary.database_url()
    }

    fn standby_url(&self) -> String {
        self.standby
            .as_ref()
            .expect("the standby runs")
            .database_url()
            .to_owned()
    }

    /// How the standby is named in `/metrics` and `/readyz`.
    fn standby_name(&self) -> String {
        gcm_store::replicas::database_name(&self.standby_url())
    }

    /// The standby applies each commit only 3 s after the primary made it: a read
    /// there cannot see a write made just before it, so read-your-writes has to route.
    async fn delay_standby(&self) {
        let client = connect(&self.standby_url()).await;
        for statement in [
            "ALTER SYSTEM SET recovery_min_apply_delay = '3s'",
            "SELECT pg_reload_conf()",
        ] {
            client
                .batch_execute(statement)
                .await
                .expect("the standby takes an apply delay");
        }
    }
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connects");
    tokio::spawn(connection);
    client
}

/// `serve` on the primary with the standby for reads (and Redis when given).
async fn replica(
    clusters: &Clusters,
    redis: Option<&TestRedis>,
    extra: &[(&str, &str)],
) -> TestServer {
    let standby = clusters.standby_url();
    let redis_url = redis.map(TestRedis::url);
    let mut env = vec![
        ("DATABASE_URL", clusters.primary_url()),
        ("DATABASE_READ_URLS", standby.as_str()),
        ("GCM_MAX_REPLICA_LAG_MS", "5000"),
        ("GCM_POOL_TIMEOUT_MS", "1000"),
        ("GCM_REVIEW_INTERNAL", "1"),
        ("GCM_REVIEW_EXTERNAL", "0"),
    ];
    if let Some(url) = &redis_url {
        env.push(("GCM_REDIS_URL", url.as_str()));
    }
    env.extend_from_slice(extra);
    TestServer::start_with_env(BIN, &env).await
}

/// Waits until `/readyz` shows the standby in rotation at the primary's catalogue version.
async fn until_standby_in_rotation(server: &TestServer) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready = server.get_json("/readyz").await;
        let databases = ready["databases"].as_array().cloned().unwrap_or_default();
        let primary = databases.iter().find(|d| d["role"] == "primary");
        let standby = databases.iter().find(|d| d["role"] == "standby");
        if let (Some(primary), Some(standby)) = (primary, standby)
            && standby["status"] == "ok"
            && standby["catalogueVersion"] == primary["catalogueVersion"]
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the standby never joined the rotation: {ready:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A key made with the real CLI on the primary; its secret.
fn create_key(database_url: &str, name: &str, role: &str, affiliation: &str) -> String {
    let output = Command::new(BIN)
        .args(["keys", "create", "--name", name, "--role", role])
        .args(["--affiliation", affiliation])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("keys create runs");
    assert!(
        output.status.success(),
        "keys create: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .last()
        .expect("the secret")
        .to_owned()
}

/// A query of the client corpus with its variables.
fn corpus(name: &str) -> (String, Value) {
    let dir = workspace_root().join("tests/clients");
    let query = std::fs::read_to_string(dir.join(format!("{name}.graphql"))).expect("query");
    let variables = std::fs::read_to_string(dir.join(format!("{name}.variables.json")))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_else(|| json!({}));
    (query, variables)
}

const SUBMIT: &str = "mutation($input: SubmitResourceInput!) { submitResource(input: $input) { id revision item { id } } }";
const APPROVE: &str = "mutation($id: ID!, $revision: Int!) { reviewSubmission(id: $id, revision: $revision, decision: APPROVE) { status } }";
const NODE: &str = "query($id: ID!) { node(id: $id) { id ... on Resource { title } } }";

/// POSTs as a client would, returning the status, the catalogue-version header and the body.
async fn post(
    server: &TestServer,
    key: Option<&str>,
    min_version: Option<&str>,
    body: &Value,
) -> (u16, Option<String>, Value) {
    let mut request = server.http().post(server.url("/graphql")).json(body);
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    if let Some(version) = min_version {
        request = request.header("gcm-min-catalogue-version", version);
    }
    let response = request.send().await.expect("POST /graphql");
    let status = response.status().as_u16();
    let version = response
        .headers()
        .get("gcm-catalogue-version")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    (status, version, response.json().await.expect("JSON"))
}

/// Submits a resource as `contributor` and has `reviewer` publish it through `server`;
/// the item's id and the catalogue version the approval's answer carries (with standbys).
async fn publish(
    server: &TestServer,
    contributor: &str,
    reviewer: &str,
    title: &str,
) -> (String, Option<String>) {
    let submitted = data(
        server,
        Some(contributor),
        SUBMIT,
        json!({ "input": resource_input(title) }),
    )
    .await;
    let id = submitted["submitResource"]["id"].clone();
    let item = submitted["submitResource"]["item"]["id"]
        .as_str()
        .expect("the item's id")
        .to_owned();
    let (status, version, body) = post(
        server,
        Some(reviewer),
        None,
        &json!({ "query": APPROVE, "variables": { "id": id, "revision": 1 } }),
    )
    .await;
    assert_eq!(status, 200, "{body:#}");
    assert_eq!(
        body["data"]["reviewSubmission"]["status"], "PUBLISHED",
        "{body:#}"
    );
    (item, version)
}

#[tokio::test]
async fn reads_go_to_the_standby_and_a_writer_reads_its_write_through_the_other_replica() {
    let clusters = Clusters::start().await;
    // The standby runs 3 s behind on purpose (below): room enough that a busy machine
    // does not push it out of the rotation.
    let lag = [("GCM_MAX_REPLICA_LAG_MS", "8000")];
    let a = replica(&clusters, None, &lag).await;
    until_standby_in_rotation(&a).await;
    let b = replica(&clusters, None, &lag).await;
    until_standby_in_rotation(&b).await;
    let standby_reads = format!(
        "gcm_database_reads_total{{database=\"{}\"}}",
        clusters.standby_name()
    );

    // The same page through either replica, read on the standby.
    let (query, variables) = corpus("objective_page");
    let through_a = a.data(&query, variables.clone()).await;
    let through_b = b.data(&query, variables).await;
    assert_eq!(through_a, through_b);
    assert!(a.metric(&standby_reads).await >= 1.0);
    assert!(b.metric(&standby_reads).await >= 1.0);

    // A reviewer publishes through A while the standby applies commits a second late.
    clusters.delay_standby().await;
    let contributor = create_key(clusters.primary_url(), "iom", "contributor", "external");
    let reviewer = create_key(
        clusters.primary_url(),
        "un-reviewer",
        "reviewer",
        "internal",
    );
    // The reviewer opens the new submission through B: curation reads, the item's tags
    // included, come from the primary (the standby has not applied the submission yet).
    let submitted = data(
        &a,
        Some(&contributor),
        SUBMIT,
        json!({ "input": resource_input("Queued handbook") }),
    )
    .await;
    let queued = data(
        &b,
        Some(&reviewer),
        "query($id: ID!) { submission(id: $id) { item { title objectives { number } countries { iso3 } } } }",
        json!({ "id": submitted["submitResource"]["id"] }),
    )
    .await;
    assert_eq!(
        queued["submission"]["item"]["objectives"],
        json!([{ "number": 6 }, { "number": 22 }]),
        "{queued:#}"
    );
    assert_eq!(queued["submission"]["item"]["title"], "Queued handbook");

    let (item, version) = publish(&a, &contributor, &reviewer, "Replicated handbook").await;
    let version =
        version.expect("with standbys, a mutation's answer carries the catalogue version");

    // Its author sees it through B at once: B sends the author's reads to the primary
    // until the standby has replayed the write.
    let mine = data(&b, Some(&reviewer), NODE, json!({ "id": item })).await;
    assert_eq!(mine["node"]["title"], "Replicated handbook", "{mine:#}");
    // So does an anonymous client that sends the version the write answered with: no
    // standby has it yet, so the read goes to the primary.
    let behind_before = b
        .metric("gcm_replica_fallbacks_total{reason=\"behind\"}")
        .await;
    let primary_reads_before = b
        .metric("gcm_database_reads_total{database=\"primary\"}")
        .await;
    let (_, seen, body) = post(
        &b,
        None,
        Some(&version),
        &json!({ "query": NODE, "variables": { "id": item } }),
    )
    .await;
    assert_eq!(
        body["data"]["node"]["title"], "Replicated handbook",
        "{body:#}"
    );
    assert_eq!(seen.as_deref(), Some(version.as_str()));
    assert_eq!(
        b.metric("gcm_replica_fallbacks_total{reason=\"behind\"}")
            .await,
        behind_before + 1.0,
        "the read no standby could give fell back as behind"
    );
    assert_eq!(
        b.metric("gcm_database_reads_total{database=\"primary\"}")
            .await,
        primary_reads_before + 1.0
    );
    // Everyone else, within the lag.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let anyone = call(&b, None, NODE, json!({ "id": item })).await;
        if anyone["data"]["node"]["title"] == "Replicated handbook" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the standby never showed the write: {anyone:#}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // /readyz names every database; a version that is not a number is refused.
    let ready = b.get_json("/readyz").await;
    assert_eq!(ready["status"], "ready");
    assert_eq!(
        ready["databases"][1]["name"],
        clusters.standby_name().as_str()
    );
    let (status, _, refused) = post(
        &b,
        None,
        Some("soon"),
        &json!({ "query": "{ objectives { number } }" }),
    )
    .await;
    assert_eq!(status, 400, "{refused:#}");
    assert_eq!(codes(&refused), ["BAD_REQUEST"]);
}

#[tokio::test]
async fn rate_limit_apq_and_response_cache_are_shared_through_redis() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let redis = TestRedis::start().await;
    let env = [
        ("DATABASE_URL", db.url()),
        ("GCM_REDIS_URL", &redis.url()),
        ("GCM_RATE_LIMIT_PER_SECOND", "0.01"),
        ("GCM_RATE_LIMIT_BURST", "20"),
        ("GCM_RESPONSE_CACHE_SIZE", "100"),
        ("GCM_RESPONSE_CACHE_CHECK_MS", "100"),
        ("GCM_REVIEW_INTERNAL", "1"),
        ("GCM_REVIEW_EXTERNAL", "0"),
        // Generous: a busy CI machine must not turn a slow Redis call into a fallback,
        // which would make the shared budget per process and this test flaky.
        ("GCM_REDIS_TIMEOUT_MS", "2000"),
    ];
    let a = TestServer::start_with_env(BIN, &env).await;
    let b = TestServer::start_with_env(BIN, &env).await;
    assert!(redis.command("PING").await.is_some());

    // One budget for a key across both replicas: 20 requests in all, then 429 from either.
    let partner = create_key(db.url(), "partner-portal", "contributor", "external");
    let menu = json!({ "query": "{ objectives { number } }" });
    for n in 0..20 {
        let server = if n % 2 == 0 { &a } else { &b };
        let (status, _, body) = post(server, Some(&partner), None, &menu).await;
        assert_eq!(status, 200, "request {n}: {body:#}");
    }
    for server in [&a, &b] {
        let (status, _, body) = post(server, Some(&partner), None, &menu).await;
        assert_eq!(status, 429, "{body:#}");
        assert_eq!(codes(&body), ["RATE_LIMITED"]);
    }

    // A hash registered through A runs through B.
    let (query, variables) = corpus("objective_page");
    let hash = hex(&Sha256::digest(query.as_bytes()));
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let (_, _, registered) = post(
        &a,
        None,
        None,
        &json!({ "query": query, "variables": variables, "extensions": persisted }),
    )
    .await;
    assert!(registered.get("errors").is_none(), "{registered:#}");
    let (_, _, by_hash) = post(
        &b,
        None,
        None,
        &json!({ "variables": variables, "extensions": persisted }),
    )
    .await;
    assert_eq!(by_hash["data"], registered["data"]);

    // A forged registration is refused by both, and registers nothing.
    let forged_hash = hex(&Sha256::digest(b"{ objectives { number } }"));
    let forged = json!({ "persistedQuery": { "version": 1, "sha256Hash": forged_hash } });
    for server in [&a, &b] {
        let (_, _, body) = post(
            server,
            None,
            None,
            &json!({ "query": "{ regions { name } }", "extensions": forged }),
        )
        .await;
        assert_eq!(codes(&body), ["PERSISTED_QUERY_HASH_MISMATCH"], "{body:#}");
    }
    let (_, _, unknown) = post(&b, None, None, &json!({ "extensions": forged })).await;
    assert_eq!(
        codes(&unknown),
        ["PERSISTED_QUERY_NOT_FOUND"],
        "{unknown:#}"
    );

    // An answer A cached is served by B; when A publishes, B's cache empties.
    let (search, _) = corpus("search_results");
    let find = json!({ "query": search, "variables": { "text": "Zanzibar cooperative handbook" } });
    let (_, _, before) = post(&a, None, None, &find).await;
    assert_eq!(before["data"]["search"]["count"]["count"], 0, "{before:#}");
    let (_, _, cached) = post(&b, None, None, &find).await;
    assert_eq!(cached, before);
    assert!(b.metric("gcm_response_cache_shared_hits_total").await >= 1.0);
    let contributor = create_key(db.url(), "iom", "contributor", "external");
    let reviewer = create_key(db.url(), "un-reviewer", "reviewer", "internal");
    publish(&a, &contributor, &reviewer, "Zanzibar cooperative handbook").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let (_, _, after) = post(&b, None, None, &find).await;
        if after["data"]["search"]["count"]["count"] == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "B kept serving the old answer: {after:#}"
        );
    }
    assert_eq!(b.metric("gcm_redis_up").await, 1.0);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Clients that never stop until told, counting what failed.
struct Load {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
    failures: Arc<std::sync::Mutex<Vec<String>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(servers: &[&TestServer]) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (query, variables) = corpus("objective_page");
        let mut tasks = Vec::new();
        for (index, server) in servers.iter().enumerate() {
            for client in 0..4 {
                let url = server.url("/graphql");
                let http = server.http().clone();
                let (stop, sent, failures) = (stop.clone(), sent.clone(), failures.clone());
                // Half the clients vary their variables (more combinations than the cache
                // keeps), so reads keep reaching the databases.
                let mut variables = variables.clone();
                let body_query = query.clone();
                tasks.push(tokio::spawn(async move {
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        if client % 2 == 1 {
                            variables["number"] = json!(1 + (n % 23));
                            variables["pageSize"] = json!(1 + (n / 23) % 50);
                        }
                        let response = http
                            .post(&url)
                            .json(&json!({ "query": body_query, "variables": variables }))
                            .send()
                            .await;
                        sent.fetch_add(1, Ordering::Relaxed);
                        let failure = match response {
                            Err(e) => Some(format!("server {index}: {e}")),
                            Ok(response) => {
                                let status = response.status();
                                match response.json::<Value>().await {
                                    Ok(body) if status == 200 && body.get("errors").is_none() => {
                                        None
                                    }
                                    Ok(body) => Some(format!("server {index}: {status} {body}")),
                                    Err(e) => Some(format!("server {index}: {status} {e}")),
                                }
                            }
                        };
                        if let Some(failure) = failure
                            && let Ok(mut failures) = failures.lock()
                        {
                            failures.push(failure);
                        }
                    }
                }));
            }
        }
        Self {
            stop,
            sent,
            failures,
            tasks,
        }
    }

    fn sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// Lets the load run until `more` requests went out.
    async fn run_for(&self, more: usize) {
        let target = self.sent() + more;
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.sent() < target {
            assert!(Instant::now() < deadline, "the load stalled");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn finish(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            let _ = task.await;
        }
        let failures = self.failures.lock().map(|f| f.clone()).unwrap_or_default();
        (self.sent.load(Ordering::Relaxed), failures)
    }
}

#[tokio::test]
async fn no_request_fails_while_the_standby_or_redis_is_down() {
    let mut clusters = Clusters::start().await;
    let mut redis = TestRedis::start().await;
    let extra = [
        ("GCM_RESPONSE_CACHE_SIZE", "100"),
        ("GCM_RATE_LIMIT_PER_SECOND", "100000"),
        ("GCM_RATE_LIMIT_BURST", "100000"),
        ("GCM_REDIS_TIMEOUT_MS", "50"),
    ];
    let a = replica(&clusters, Some(&redis), &extra).await;
    until_standby_in_rotation(&a).await;
    let b = replica(&clusters, Some(&redis), &extra).await;
    until_standby_in_rotation(&b).await;
    let (objectives, variables) = corpus("objective_page");
    let expected = a.data(&objectives, variables).await;
    let standby_reads = format!(
        "gcm_database_reads_total{{database=\"{}\"}}",
        clusters.standby_name()
    );

    let load = Load::start(&[&a, &b]);
    load.run_for(50).await;

    // The standby goes away under the load; reads move to the primary.
    clusters.stop_standby().await;
    load.run_for(100).await;
    for server in [&a, &b] {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = server.get_json("/readyz").await;
            assert_eq!(ready["status"], "ready", "{ready:#}");
            if ready["databases"][1]["status"] == "out_of_rotation" {
                break;
            }
            assert!(Instant::now() < deadline, "still in rotation: {ready:#}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert!(
        a.metric("gcm_replica_fallbacks_total{reason=\"unhealthy\"}")
            .await
            + b.metric("gcm_replica_fallbacks_total{reason=\"unhealthy\"}")
                .await
            > 0.0
    );
    // It comes back on its port and rejoins.
    clusters.start_standby().await;
    until_standby_in_rotation(&a).await;
    until_standby_in_rotation(&b).await;
    let standby_reads_now =
        || async { a.metric(&standby_reads).await + b.metric(&standby_reads).await };
    let rejoined = standby_reads_now().await;
    load.run_for(100).await;
    assert!(
        standby_reads_now().await > rejoined,
        "reads went back to the standby"
    );

    // Redis goes away under the load: each replica falls back to its own state.
    redis.stop().await;
    load.run_for(100).await;
    // Each replica notices at its first request after the outage (one may be slower to
    // get one than the other on a busy machine).
    for server in [&a, &b] {
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.metric("gcm_redis_up").await != 0.0
            || server
                .metric("gcm_redis_fallbacks_total{operation=\"rate_limit\"}")
                .await
                == 0.0
        {
            assert!(
                Instant::now() < deadline,
                "a replica never noticed the outage"
            );
            load.run_for(10).await;
        }
    }
    redis.resume().await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while a.metric("gcm_redis_up").await != 1.0 || b.metric("gcm_redis_up").await != 1.0 {
        assert!(
            Instant::now() < deadline,
            "the replicas never went back to Redis"
        );
        load.run_for(10).await;
    }

    let (sent, failures) = load.finish().await;
    assert!(
        failures.is_empty(),
        "{} of {sent} requests failed, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(
        b.data(&objectives, corpus("objective_page").1).await,
        expected
    );
    let log = a.log();
    assert!(
        log.contains("Redis unavailable"),
        "the outage is in the log:\n{log}"
    );
    assert!(log.contains("standby out of rotation"), "{log}");
    println!("{sent} requests through the outages, none failed; server A's log:\n{log}");
}

#[tokio::test]
async fn a_read_url_that_accepts_writes_or_a_malformed_redis_url_stops_the_start() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let writable = TestServer::try_start(
        BIN,
        &[("DATABASE_URL", db.url()), ("DATABASE_READ_URLS", db.url())],
    )
    .await
    .err()
    .expect("a primary as a read URL is refused");
    assert!(
        writable.contains("accepts writes") && writable.contains("DATABASE_READ_URLS"),
        "{writable}"
    );
    let malformed = TestServer::try_start(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("GCM_REDIS_URL", "redis//no-scheme"),
        ],
    )
    .await
    .err()
    .expect("a malformed Redis URL is refused");
    assert!(
        malformed.contains("GCM_REDIS_URL is not a Redis URL"),
        "{malformed}"
    );
}
