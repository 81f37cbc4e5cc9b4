//! Records the commit the binary is built from, for `gcm-catalogue --version`:
//! `GCM_GIT_COMMIT` is `git rev-parse --short HEAD`, or `unknown` without git or a `.git`
//! (a build from a tarball). Cargo reruns this when HEAD moves: when `.git/HEAD` changes
//! (another branch checked out) or the ref it points to does (a new commit).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = git(&manifest_dir, &["rev-parse", "--short", "HEAD"]);
    if commit.is_some() {
        for path in watched_paths(&manifest_dir) {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    println!(
        "cargo:rustc-env=GCM_GIT_COMMIT={}",
        commit.as_deref().unwrap_or("unknown")
    );
}

/// The output of a git command run in `dir`, if git ran and succeeded.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// HEAD, the ref it points to, and packed-refs (where a ref lives once packed). Asked of
/// git rather than assumed under `.git/`, so a worktree (whose `.git` is a file) works too.
/// Only files that exist: cargo treats a missing one as always changed.
fn watched_paths(dir: &Path) -> Vec<PathBuf> {
    let mut names = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    if let Some(reference) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        names.push(reference);
    }
    names
        .iter()
        .filter_map(|name| git(dir, &["rev-parse", "--git-path", name]))
        .map(|path| dir.join(path))
        .filter(|path| path.exists())
        .collect()
}
