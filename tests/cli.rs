//! The command line a newcomer meets: help that explains the configuration, `schema`
//! without a database, and `migrate` against a real PostgreSQL.

mod ops_support;

use gcm_test_support::TestDatabase;
use ops_support::{ScratchDir, command};

const VARIABLES: [&str; 5] = [
    "DATABASE_URL",
    "GCM_LISTEN",
    "GCM_DATA_DIR",
    "GCM_PG_BIN_DIR",
    "RUST_LOG",
];

async fn run(args: &[&str], env: &[(&str, &str)]) -> (std::process::ExitStatus, String, String) {
    let output = command(args, env)
        .output()
        .await
        .expect("run gcm-catalogue");
    (
        output.status,
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn every_command_has_help_that_names_the_environment() {
    let commands: [&[&str]; 6] = [
        &["--help"],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["import", "--help"],
        &["export", "--help"],
        &["schema", "--help"],
    ];
    for args in commands {
        let (status, stdout, stderr) = run(args, &[]).await;
        assert!(status.success(), "{args:?} failed: {stderr}");
        for variable in VARIABLES {
            assert!(
                stdout.contains(variable),
                "{args:?} does not mention {variable}:\n{stdout}"
            );
        }
        if args.len() > 1 {
            assert!(
                stdout.contains("Examples:"),
                "{args:?} has no examples:\n{stdout}"
            );
        }
    }
    let (_, top, _) = run(&["--help"], &[]).await;
    for name in [
        "serve",
        "migrate",
        "import",
        "export",
        "schema",
        "apt-get install postgresql",
    ] {
        assert!(
            top.contains(name),
            "top-level help does not mention {name}:\n{top}"
        );
    }
}

#[tokio::test]
async fn help_does_not_print_the_database_url() {
    let secret = "postgres://gcm:s3cret@db.example/gcm";
    let (status, stdout, _) = run(&["serve", "--help"], &[("DATABASE_URL", secret)]).await;
    assert!(status.success());
    assert!(
        !stdout.contains("s3cret"),
        "help shows the DATABASE_URL password:\n{stdout}"
    );
}

#[tokio::test]
async fn schema_prints_the_sdl_without_a_database() {
    let scratch = ScratchDir::new("cli_schema");
    let data_dir = scratch.path().join("must-not-be-created");
    let data_dir = data_dir.to_str().expect("utf-8 path");
    // A database that does not exist and a data dir that must stay untouched.
    let env = [
        ("DATABASE_URL", "postgres://nobody@127.0.0.1:1/nothing"),
        ("GCM_DATA_DIR", data_dir),
    ];
    let (status, stdout, stderr) = run(&["schema"], &env).await;
    assert!(status.success(), "schema failed: {stderr}");
    assert!(stdout.contains("type Query"), "no SDL on stdout:\n{stdout}");
    assert!(!stdout.contains("INFO"), "logs leaked to stdout:\n{stdout}");
    assert!(
        !std::path::Path::new(data_dir).exists(),
        "schema touched GCM_DATA_DIR"
    );

    let (status, _, _) = run(&["schema"], &[]).await;
    assert!(status.success(), "schema needs no configuration at all");
}

#[tokio::test]
async fn migrate_applies_pending_migrations_then_has_nothing_to_do() {
    let database = TestDatabase::blank().await;
    let env = [("DATABASE_URL", database.url())];

    let (status, stdout, stderr) = run(&["migrate"], &env).await;
    assert!(status.success(), "migrate failed: {stderr}");
    for version in gcm_store::migrations::embedded_versions() {
        assert!(
            stdout.contains(&format!("applied {version}")),
            "{version} not reported:\n{stdout}"
        );
    }

    let (status, stdout, stderr) = run(&["migrate"], &env).await;
    assert!(status.success(), "second migrate failed: {stderr}");
    assert!(
        stdout.contains("no pending migrations"),
        "unexpected output:\n{stdout}"
    );
}

#[tokio::test]
async fn a_bad_database_url_fails_with_a_message_and_status_1() {
    let (status, stdout, stderr) = run(
        &["migrate"],
        &[("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nothing")],
    )
    .await;
    assert_eq!(status.code(), Some(1), "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stderr.contains("error: cannot migrate the database"),
        "stderr: {stderr}"
    );
}
