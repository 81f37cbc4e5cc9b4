//! The command line a newcomer meets: short help that explains the configuration,
//! `--version` with its commit, `doctor`, `schema` without a database, and `migrate`
//! against a real PostgreSQL.

mod ops_support;

use gcm_test_support::TestDatabase;
use ops_support::{ScratchDir, command};

/// Every command that opens a database takes these (they are global flags).
const COMMON_VARIABLES: [&str; 5] = [
    "DATABASE_URL",
    "GCM_DATA_DIR",
    "GCM_PG_BIN_DIR",
    "RUST_LOG",
    "GCM_LOG_FORMAT",
];

/// Where every help's footer sends a reader for the whole table.
const README_SECTION: &str = "README.md, section \"Configuration\"";

/// The help of every command and subcommand.
const HELPS: [&[&str]; 13] = [
    &["--help"],
    &["serve", "--help"],
    &["migrate", "--help"],
    &["import", "--help"],
    &["export", "--help"],
    &["generate", "--help"],
    &["keys", "--help"],
    &["keys", "create", "--help"],
    &["keys", "list", "--help"],
    &["keys", "revoke", "--help"],
    &["schema", "--help"],
    &["doctor", "--help"],
    &["help"],
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
    for args in HELPS {
        let (status, stdout, stderr) = run(args, &[]).await;
        assert!(status.success(), "{args:?} failed: {stderr}");
        for variable in COMMON_VARIABLES {
            assert!(
                stdout.contains(variable),
                "{args:?} does not mention {variable}:\n{stdout}"
            );
        }
        assert!(
            stdout.contains(README_SECTION),
            "{args:?} does not point to the README's table:\n{stdout}"
        );
        if args.len() > 1 && args[0] != "keys" {
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
        "doctor",
        "apt-get install postgresql",
    ] {
        assert!(
            top.contains(name),
            "top-level help does not mention {name}:\n{top}"
        );
    }
}

#[tokio::test]
async fn each_command_lists_only_its_own_flags() {
    let (_, top, _) = run(&["--help"], &[]).await;
    for flag in [
        "--max-complexity",
        "--listen",
        "--max-subscribers",
        "--review-internal",
    ] {
        assert!(!top.contains(flag), "top-level help lists {flag}:\n{top}");
    }
    assert!(
        top.lines().count() < 80,
        "top-level help is {} lines:\n{top}",
        top.lines().count()
    );

    let (status, serve, _) = run(&["serve", "--help"], &[]).await;
    assert!(status.success());
    for flag in [
        "--max-complexity",
        "--listen",
        "--max-subscribers",
        "--review-internal",
        "--review-external",
        "--database-url",
        "Public API:",
    ] {
        assert!(serve.contains(flag), "serve --help lacks {flag}:\n{serve}");
    }

    for args in [
        &["migrate", "--help"][..],
        &["schema", "--help"],
        &["keys", "list", "--help"],
    ] {
        let (_, help, _) = run(args, &[]).await;
        for flag in [
            "--max-complexity",
            "--listen",
            "--max-subscribers",
            "Public API",
        ] {
            assert!(!help.contains(flag), "{args:?} lists {flag}:\n{help}");
        }
    }
    let (_, revoke, _) = run(&["keys", "revoke", "--help"], &[]).await;
    assert!(revoke.contains("--review-internal"), "{revoke}");
    let (_, doctor, _) = run(&["doctor", "--help"], &[]).await;
    assert!(doctor.contains("--listen"), "{doctor}");
    assert!(!doctor.contains("--max-complexity"), "{doctor}");

    // Serve-only flags still work after `serve` (and the global ones before the command).
    let (status, _, stderr) = run(&["migrate", "--max-complexity", "5"], &[]).await;
    assert!(!status.success(), "migrate accepted --max-complexity");
    assert!(stderr.contains("--max-complexity"), "{stderr}");
}

#[tokio::test]
async fn no_help_shows_an_empty_default() {
    for args in HELPS
        .iter()
        .copied()
        .chain([&["-h"][..], &["serve", "-h"], &["doctor", "-h"]])
    {
        let (status, stdout, stderr) = run(args, &[]).await;
        assert!(status.success(), "{args:?} failed: {stderr}");
        assert!(
            !stdout.contains("[default: \"\"]") && !stdout.contains("[default: ]"),
            "{args:?} shows an empty default:\n{stdout}"
        );
    }
}

#[tokio::test]
async fn version_names_the_commit() {
    let (status, stdout, stderr) = run(&["--version"], &[]).await;
    assert!(status.success(), "--version failed: {stderr}");
    assert!(
        stdout.starts_with(&format!(
            "gcm-catalogue {} (commit ",
            env!("CARGO_PKG_VERSION")
        )),
        "unexpected --version: {stdout}"
    );
    let git = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match git {
        Ok(output) if output.status.success() => {
            let commit = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            assert!(
                stdout.contains(&format!("(commit {commit})")),
                "--version does not name HEAD ({commit}): {stdout}"
            );
        }
        // No git or no repository (a tarball): the build script says so.
        _ => assert!(stdout.contains("(commit unknown)"), "{stdout}"),
    }
}

#[tokio::test]
async fn doctor_passes_on_a_migrated_database() {
    let database = TestDatabase::migrated().await;
    let scratch = ScratchDir::new("cli_doctor_ok");
    let data_dir = scratch.path().join("data");
    let data_dir = data_dir.to_str().expect("utf-8 path");
    let env = [
        ("DATABASE_URL", database.url()),
        ("GCM_DATA_DIR", data_dir),
        ("GCM_LISTEN", "127.0.0.1:0"),
    ];
    let (status, stdout, stderr) = run(&["doctor"], &env).await;
    assert_eq!(status.code(), Some(0), "stdout: {stdout}\nstderr: {stderr}");
    let line = stdout
        .lines()
        .find(|line| line.contains("DATABASE_URL:"))
        .unwrap_or_else(|| panic!("no DATABASE_URL line:\n{stdout}"));
    assert!(line.starts_with("OK"), "{line}");
    assert!(line.contains("migrated"), "{line}");
    for check in ["PostgreSQL programs", "data directory", "listen address"] {
        assert!(stdout.contains(check), "no {check} line:\n{stdout}");
    }
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[tokio::test]
async fn doctor_reports_a_blank_database_as_not_migrated() {
    let database = TestDatabase::blank().await;
    let env = [
        ("DATABASE_URL", database.url()),
        ("GCM_LISTEN", "127.0.0.1:0"),
    ];
    let (status, stdout, stderr) = run(&["doctor"], &env).await;
    assert_eq!(status.code(), Some(0), "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout.contains("WARN  DATABASE_URL:") && stdout.contains("not migrated"),
        "{stdout}"
    );
    assert!(stdout.contains("gcm-catalogue migrate"), "{stdout}");
    // Nothing was applied.
    let (_, again, _) = run(&["doctor"], &env).await;
    assert!(again.contains("not migrated"), "{again}");
}

#[tokio::test]
async fn doctor_fails_on_a_database_it_cannot_reach_and_changes_nothing() {
    let scratch = ScratchDir::new("cli_doctor_fail");
    let data_dir = scratch.path().join("must-not-be-created");
    let data_dir = data_dir.to_str().expect("utf-8 path");
    let env = [
        (
            "DATABASE_URL",
            "postgres://postgres:s3cret@127.0.0.1:1/nothing",
        ),
        ("GCM_DATA_DIR", data_dir),
        ("GCM_LISTEN", "127.0.0.1:0"),
    ];
    let (status, stdout, stderr) = run(&["doctor"], &env).await;
    assert_eq!(status.code(), Some(1), "stdout: {stdout}\nstderr: {stderr}");
    assert!(
        stdout
            .lines()
            .any(|line| line.starts_with("FAIL") && line.contains("DATABASE_URL")),
        "no FAIL line naming DATABASE_URL:\n{stdout}"
    );
    assert!(
        !stdout.contains("s3cret"),
        "doctor printed the password:\n{stdout}"
    );
    assert!(
        !std::path::Path::new(data_dir).exists(),
        "doctor created GCM_DATA_DIR"
    );

    // Without DATABASE_URL the embedded cluster is checked, still without creating it.
    let env = [("GCM_DATA_DIR", data_dir), ("GCM_LISTEN", "127.0.0.1:0")];
    let (_, stdout, stderr) = run(&["doctor"], &env).await;
    assert!(
        stdout.contains("does not exist yet"),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        !std::path::Path::new(data_dir).exists(),
        "doctor created GCM_DATA_DIR"
    );
}

#[tokio::test]
async fn doctor_fails_when_the_listen_address_is_taken() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a port");
    let address = taken.local_addr().expect("local address").to_string();
    let scratch = ScratchDir::new("cli_doctor_port");
    let data_dir = scratch.path().join("data");
    let data_dir = data_dir.to_str().expect("utf-8 path");
    let (status, stdout, _) = run(
        &["doctor", "--listen", &address],
        &[("GCM_DATA_DIR", data_dir)],
    )
    .await;
    assert_eq!(status.code(), Some(1), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|line| line.starts_with("FAIL") && line.contains(&address)),
        "{stdout}"
    );
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

/// `GCM_EXACT_COUNT_LIMIT` (and its flag) outside 1 to 1,000,000,000, or not a number,
/// stops `serve` before it touches a database, naming the setting and the value.
#[tokio::test]
async fn serve_refuses_an_exact_count_limit_out_of_range() {
    for (value, reason) in [
        ("0", "0 is not in 1..=1000000000"),
        ("-5", "-5 is not in 1..=1000000000"),
        ("lots", "invalid digit found in string"),
    ] {
        let (status, stdout, stderr) = run(&["serve"], &[("GCM_EXACT_COUNT_LIMIT", value)]).await;
        assert_eq!(status.code(), Some(2), "{value}: {stdout}\n{stderr}");
        assert!(
            stderr.contains(&format!(
                "invalid value '{value}' for '--exact-count-limit <EXACT_COUNT_LIMIT>': {reason}"
            )),
            "{value}: {stderr}"
        );
    }
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

#[tokio::test]
async fn doctor_as_root_says_when_postgres_cannot_reach_the_data_dir() {
    if !nix::unistd::Uid::effective().is_root() {
        eprintln!("skipped: only root hands the cluster to the postgres user");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let scratch = ScratchDir::new("cli_doctor_closed");
    let closed = scratch.path().join("closed");
    std::fs::create_dir(&closed).expect("create a directory");
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o700)).expect("chmod 700");
    let data_dir = closed.join("data");
    let data_dir_text = data_dir.to_str().expect("utf-8 path");
    let env = [
        ("GCM_DATA_DIR", data_dir_text),
        ("GCM_LISTEN", "127.0.0.1:0"),
    ];
    let (status, stdout, _) = run(&["doctor"], &env).await;
    assert_eq!(status.code(), Some(1), "{stdout}");
    let line = stdout
        .lines()
        .find(|line| line.starts_with("FAIL  data directory"))
        .unwrap_or_else(|| panic!("no failed data directory line:\n{stdout}"));
    assert!(
        line.contains(&format!("chmod o+x {}", closed.display())),
        "{line}"
    );
    assert!(!data_dir.exists(), "doctor created GCM_DATA_DIR");
}
