//! Test harness shared by the crates' tests and the end-to-end tests in `tests/`.
//!
//! Every test gets a database of its own, cloned (`STRATEGY FILE_COPY`) from a template
//! that is migrated — and, for [`TestDatabase::with_bundled_catalogue`], loaded — once
//! per run, so tests run in parallel and never see each other's data. Templates are
//! named after a hash of the migrations and the catalogue, so a changed migration gets
//! a fresh template and an unchanged one is reused across runs.
//!
//! The server is `GCM_TEST_DATABASE_URL` (an admin URL, default
//! `postgres://postgres@127.0.0.1:5432/postgres`); if it does not answer, the harness
//! starts the machine's PostgreSQL cluster with `pg_ctlcluster`.

#[cfg(feature = "app")]
mod app;
mod redis;
mod server;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use gcm_store::synthetic::SyntheticSize;
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;
use tokio_postgres::NoTls;

#[cfg(feature = "app")]
pub use app::TestApp;
pub use redis::TestRedis;
pub use server::{
    SERVICE_VARIABLES_FOR_COMMANDS, STARTUP_TIMEOUT, ScratchDir, TestServer, content_type, signal,
};

/// The repository root (where `Cargo.toml`, `migrations/` and `data/` are).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

fn admin_url() -> String {
    std::env::var("GCM_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The same server as `admin_url`, another database.
fn url_for(database: &str) -> String {
    let admin = admin_url();
    match admin.rfind('/') {
        Some(i) if admin[..i].contains("://") && admin[..i].rfind('/') != Some(i - 1) => {
            let (base, rest) = admin.split_at(i);
            let query = rest.find('?').map(|q| &rest[q..]).unwrap_or("");
            format!("{base}/{database}{query}")
        }
        _ => format!("{admin}/{database}"),
    }
}

async fn admin_client() -> anyhow::Result<tokio_postgres::Client> {
    let (client, connection) = tokio_postgres::connect(&admin_url(), NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Connects, starting the machine's cluster once if nothing answers.
async fn ensure_server() -> anyhow::Result<()> {
    static UP: OnceCell<()> = OnceCell::const_new();
    UP.get_or_try_init(|| async {
        if admin_client().await.is_ok() {
            return Ok(());
        }
        let versions = std::fs::read_dir("/etc/postgresql")
            .context("PostgreSQL is not answering and /etc/postgresql does not exist: set GCM_TEST_DATABASE_URL")?;
        for version in versions.flatten() {
            let _ = std::process::Command::new("pg_ctlcluster")
                .args(["--skip-systemctl-redirect"])
                .arg(version.file_name())
                .args(["main", "start"])
                .status();
        }
        for _ in 0..60 {
            if admin_client().await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        bail!("PostgreSQL at {} does not answer, even after pg_ctlcluster start", admin_url())
    })
    .await
    .copied()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Template {
    Migrated,
    BundledCatalogue,
    /// The bundled catalogue plus generated items (synthetic data, labelled so), built once
    /// per size and seed: generating takes seconds, cloning a template milliseconds.
    Synthetic(SyntheticSize, i64),
}

fn hash_dir(hasher: &mut Sha256, dir: &Path) {
    let mut entries: Vec<PathBuf> = walk(dir);
    entries.sort();
    for path in entries {
        hasher.update(
            path.strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .as_bytes(),
        );
        hasher.update(std::fs::read(&path).unwrap_or_default());
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

/// What shapes the bundled catalogue's data: the files and the importer's code.
fn hash_bundled(hasher: &mut Sha256, root: &Path) {
    hash_dir(hasher, &root.join("data/catalogue"));
    hash_dir(hasher, &root.join("crates/store/src/catalogue"));
}

impl Template {
    fn database_name(self) -> String {
        let root = workspace_root();
        let mut hasher = Sha256::new();
        hash_dir(&mut hasher, &root.join("migrations"));
        let kind = match self {
            Template::Migrated => "migrated".to_owned(),
            Template::BundledCatalogue => {
                hash_bundled(&mut hasher, &root);
                "bundled".to_owned()
            }
            Template::Synthetic(size, seed) => {
                hash_bundled(&mut hasher, &root);
                hash_dir(&mut hasher, &root.join("crates/store/src/synthetic"));
                format!("synth{}_{}_{seed}", size.items, size.guidance_sources)
            }
        };
        let digest = hex::encode(hasher.finalize());
        format!("gcm_tpl_{kind}_{}", &digest[..16])
    }

    /// Builds the template once per server (an advisory lock serialises test processes).
    async fn ensure(self) -> anyhow::Result<String> {
        static MIGRATED: OnceCell<String> = OnceCell::const_new();
        static BUNDLED: OnceCell<String> = OnceCell::const_new();
        let cell = match self {
            Template::Migrated => &MIGRATED,
            Template::BundledCatalogue => &BUNDLED,
            // Few tests share one; the build finds it made under the lock.
            Template::Synthetic(..) => return self.build().await,
        };
        cell.get_or_try_init(|| self.build()).await.cloned()
    }

    async fn build(self) -> anyhow::Result<String> {
        ensure_server().await?;
        let name = self.database_name();
        let admin = admin_client().await?;
        admin
            .execute("SELECT pg_advisory_lock(727274)", &[])
            .await?;
        let result = self.build_locked(&admin, &name).await;
        admin
            .execute("SELECT pg_advisory_unlock(727274)", &[])
            .await?;
        result.map(|()| name)
    }

    async fn build_locked(self, admin: &tokio_postgres::Client, name: &str) -> anyhow::Result<()> {
        let exists = admin
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .await?
            .is_some();
        if exists {
            return Ok(());
        }
        let building = format!("{name}_build");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .await?;
        admin
            .batch_execute(&format!("CREATE DATABASE {building}"))
            .await?;
        let url = url_for(&building);
        gcm_store::migrations::run_pending(&url)
            .await
            .context("migrating the template")?;
        if self != Template::Migrated {
            let pool = gcm_store::build_pool(&url, &gcm_store::PoolConfig::default())?;
            gcm_store::catalogue::import_bundled(&pool)
                .await
                .map_err(|e| {
                    anyhow::anyhow!("importing the bundled catalogue into the template: {e:?}")
                })?;
            if let Template::Synthetic(size, seed) = self {
                let mut conn = pool.get().await?;
                gcm_store::synthetic::generate(&mut conn, size, seed)
                    .await
                    .context("generating the synthetic catalogue of the template")?;
            }
            pool.close();
        }
        admin
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&building],
            )
            .await?;
        admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await?;
        Ok(())
    }
}

/// A database of the test's own, dropped when the value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
}

impl TestDatabase {
    /// Migrated and empty.
    pub async fn migrated() -> Self {
        Self::clone_of(Template::Migrated).await
    }

    /// Migrated, with the bundled catalogue (`data/catalogue/`) imported.
    pub async fn with_bundled_catalogue() -> Self {
        Self::clone_of(Template::BundledCatalogue).await
    }

    /// The bundled catalogue plus `size` generated items and guidance (synthetic data,
    /// labelled so, for load-shaped tests), from the seed.
    pub async fn with_synthetic_catalogue(size: SyntheticSize, seed: i64) -> Self {
        Self::clone_of(Template::Synthetic(size, seed)).await
    }

    /// A fresh database with nothing in it, not even the migrations.
    pub async fn blank() -> Self {
        Self::create(None)
            .await
            .expect("creating a blank test database")
    }

    async fn clone_of(template: Template) -> Self {
        let result = async {
            let template = template.ensure().await?;
            Self::create(Some(&template)).await
        }
        .await;
        result.expect("creating a test database")
    }

    async fn create(template: Option<&str>) -> anyhow::Result<Self> {
        ensure_server().await?;
        let name = unique_name("gcm_test");
        let admin = admin_client().await?;
        let sql = match template {
            Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t} STRATEGY FILE_COPY"),
            None => format!("CREATE DATABASE {name}"),
        };
        admin
            .batch_execute(&sql)
            .await
            .with_context(|| sql.clone())?;
        Ok(Self {
            url: url_for(&name),
            name,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A pool on this database, configured as the service configures its own.
    pub fn pool(&self) -> gcm_store::Pool {
        gcm_store::build_pool(&self.url, &gcm_store::PoolConfig::default())
            .expect("building a pool")
    }

    /// The single value `sql` returns, for assertions written in SQL.
    pub async fn scalar<T: tokio_postgres::types::FromSqlOwned>(&self, sql: &str) -> T {
        self.client()
            .await
            .query_one(sql, &[])
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .get(0)
    }

    /// A plain client for assertions written in SQL.
    pub async fn client(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url, NoTls)
            .await
            .expect("connecting to the test database");
        tokio::spawn(async move {
            let _ = connection.await;
        });
        client
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread.
        let handle = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async {
                if let Ok(admin) = admin_client().await {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        });
        let _ = handle.join();
    }
}

/// The test's npm packages under `tests/<folder>`, installed from its lock file (`npm ci`)
/// when `marker` (a path inside `node_modules`) is missing. Each test binary installs once.
pub fn npm_tools(folder: &str, marker: &str) -> PathBuf {
    static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let dir = workspace_root().join("tests").join(folder);
    let _once = INSTALL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !dir.join("node_modules").join(marker).exists() {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .unwrap_or_else(|e| {
                panic!("npm must be installed to run the tests in tests/{folder}: {e}")
            });
        assert!(status.success(), "npm ci in tests/{folder} failed");
    }
    dir
}

/// The codes of the errors of a GraphQL response, in order.
pub fn codes(body: &serde_json::Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `node SCRIPT ARGS…` in `tests/FOLDER` (its npm packages installed first, see
/// [`npm_tools`]; `marker` is a package it needs) off the async runtime, and returns what
/// it printed.
pub async fn run_node(
    folder: &'static str,
    marker: &'static str,
    script: &'static str,
    args: Vec<String>,
) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        let tools = npm_tools(folder, marker);
        std::process::Command::new("node")
            .arg(script)
            .args(args)
            .current_dir(tools)
            .output()
            .unwrap_or_else(|e| panic!("node must be installed to run tests/{folder}: {e}"))
    })
    .await
    .expect("the node process")
}

/// As [`run_node`], for a script the test talks to while it runs: its stdout piped (read it
/// line by line), killed if the test drops it.
pub async fn spawn_node(
    folder: &'static str,
    marker: &'static str,
    script: &'static str,
    args: Vec<String>,
) -> tokio::process::Child {
    let tools = tokio::task::spawn_blocking(move || npm_tools(folder, marker))
        .await
        .expect("installing the npm packages");
    tokio::process::Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(tools)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("node must be installed to run tests/{folder}: {e}"))
}

/// A name no other test of this run (or an earlier run) uses: `PREFIX_pid_counter_nanos`.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default()
    )
}
