//! GraphiQL in a real browser (Debian's headless Chromium, driven by playwright-core from
//! tests/browser) with no route to the internet: the page and its assets come from the
//! binary, it renders, runs a query and shows the answer, and its documentation explorer
//! reads the schema. The screenshot is kept under target/artifacts/.

use gcm_test_support::{TestDatabase, TestServer};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");

#[tokio::test]
async fn graphiql_renders_and_runs_a_query_offline_in_headless_chromium() {
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "Debian's chromium is needed: apt-get install -y chromium (.ci/run installs it)"
    );
    let artifacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/artifacts");
    std::fs::create_dir_all(&artifacts).expect("target/artifacts");
    let screenshot = artifacts.join("graphiql.png");
    let _ = std::fs::remove_file(&screenshot);
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;
    let origin = server.url("").trim_end_matches('/').to_owned();
    let shot = screenshot.display().to_string();
    let output = gcm_test_support::run_node(
        "browser",
        "playwright-core",
        "graphiql.mjs",
        vec![origin, shot],
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| {
            panic!(
                "no report: {stdout}\n{}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
    assert!(report.get("error").is_none(), "{report:#}");
    assert_eq!(
        report["external"],
        serde_json::json!([]),
        "requests left the server: {report:#}"
    );
    let objective = &report["answer"]["data"]["objective"];
    assert_eq!(
        objective["number"], 22,
        "the answer on the page: {report:#}"
    );
    assert!(
        objective["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{report:#}"
    );
    assert!(
        report["docs"]
            .as_str()
            .is_some_and(|docs| docs.contains("Query")),
        "{report:#}"
    );
    assert_eq!(report["headersEditor"], true, "{report:#}");
    assert_eq!(report["history"], true, "{report:#}");
    assert!(screenshot.exists(), "the screenshot is kept");
    eprintln!("screenshot: {}", screenshot.display());
}
