//! `src/schema.rs` is exactly what `diesel print-schema` (with the workspace's diesel.toml)
//! makes of a freshly migrated database, so the schema diesel checks queries against is
//! the one the migrations create.
//!
//! Needs the diesel CLI; without it the test fails and says how to install it.

use std::io::ErrorKind;
use std::path::Path;
use std::process::Command;

use gcm_test_support::{TestDatabase, workspace_root};

const INSTALL: &str = "cargo install diesel_cli --no-default-features --features postgres --locked \
     (it links libpq: apt-get install libpq-dev on Debian/Ubuntu)";

const SCHEMA_RS: &str = "crates/store/src/schema.rs";

fn print_schema(root: &Path, database_url: &str) -> String {
    let output = Command::new("diesel")
        .arg("print-schema")
        .arg("--config-file")
        .arg(root.join("diesel.toml"))
        .arg("--database-url")
        .arg(database_url)
        .current_dir(root)
        .env_remove("DATABASE_URL")
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) if e.kind() == ErrorKind::NotFound => panic!(
            "the diesel CLI is not installed (or not on PATH), and this test needs it to check \
             {SCHEMA_RS}.\nInstall it with:\n  {INSTALL}"
        ),
        Err(e) => panic!("cannot run `diesel print-schema`: {e}"),
    };
    assert!(
        output.status.success(),
        "`diesel print-schema` failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("print-schema writes UTF-8")
}

/// The lines that differ, `-` for the committed file and `+` for print-schema's output, each
/// with a line of context either side (a longest-common-subsequence diff: the files are
/// small).
fn diff(committed: &str, generated: &str) -> String {
    let old: Vec<&str> = committed.lines().collect();
    let new: Vec<&str> = generated.lines().collect();
    let mut lcs = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            lcs[i][j] = if old[i] == new[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    // (tag, the committed file's line number unless added, text)
    let mut lines: Vec<(char, Option<usize>, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            lines.push((' ', Some(i + 1), old[i]));
            i += 1;
            j += 1;
        } else if i < old.len() && (j == new.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', Some(i + 1), old[i]));
            i += 1;
        } else {
            lines.push(('+', None, new[j]));
            j += 1;
        }
    }
    let changed = |k: usize| lines.get(k).is_some_and(|(tag, _, _)| *tag != ' ');
    let mut out = String::new();
    for (k, (tag, line, text)) in lines.iter().enumerate() {
        let line = line.map(|n| n.to_string()).unwrap_or_default();
        if changed(k) || (k > 0 && changed(k - 1)) || changed(k + 1) {
            out.push_str(&format!("{line:>4} {tag} {text}\n"));
        } else if k > 1 && changed(k - 2) {
            out.push_str("   …\n");
        }
    }
    out
}

#[tokio::test]
async fn schema_rs_is_what_diesel_print_schema_makes_of_the_migrations() {
    let database = TestDatabase::migrated().await;
    let root = workspace_root();
    let generated = {
        let root = root.clone();
        let url = database.url().to_owned();
        tokio::task::spawn_blocking(move || print_schema(&root, &url))
            .await
            .expect("print-schema task")
    };
    let committed = std::fs::read_to_string(root.join(SCHEMA_RS)).expect("read schema.rs");
    assert!(
        generated.contains("diesel::table! {") && generated.contains("items (id)"),
        "print-schema printed no tables; is it reading the right database?\n{generated}"
    );
    if committed != generated {
        panic!(
            "{SCHEMA_RS} is not what `diesel print-schema` makes of the migrations \
             (- committed, + generated; line numbers are the committed file's):\n{}\n\
             Regenerate it from a migrated database (diesel.toml sets the options):\n  \
             diesel print-schema --database-url postgres://…/a_migrated_database > {SCHEMA_RS}\n\
             then adapt the code to it, not it to the code.",
            diff(&committed, &generated)
        );
    }
}

#[test]
fn the_diff_shows_changed_lines_with_context() {
    let shown = diff("a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nD\ne\nf\ng\nh\nI\n");
    assert_eq!(
        shown,
        "   3   c\n   4 - d\n     + D\n   5   e\n   …\n   8   h\n     + I\n"
    );
}
