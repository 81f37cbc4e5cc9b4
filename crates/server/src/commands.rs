//! The one-shot commands: `migrate`, `import`, `export`, `generate`, `keys` and `schema`. Those that need a
//! database open it like `serve` does (embedded cluster when `DATABASE_URL` is absent) and
//! close it afterwards; SIGINT/SIGTERM abandons the work (an import's transaction rolls
//! back) and still stops the cluster.

use std::future::Future;
use std::path::Path;

use anyhow::Context;
use gcm_store::catalogue::{self, ImportSummary};
use gcm_store::{Pool, PoolConfig, build_pool, curation, migrations};

use crate::Config;
use crate::database::{Database, Sharing};
use crate::shutdown::Shutdown;

/// `migrate`: applies pending migrations; returns the versions applied.
pub async fn migrate(config: &Config) -> anyhow::Result<Vec<String>> {
    with_database(config, |url, _pool| async move {
        migrations::run_pending(&url)
            .await
            .context("cannot migrate the database")
    })
    .await
}

/// `import DIR`: migrates, then validates and imports the catalogue in `dir` all-or-nothing.
/// A refusal is an [`catalogue::ImportError::Invalid`] carrying every problem.
pub async fn import(config: &Config, dir: &Path) -> anyhow::Result<ImportSummary> {
    let dir = dir.to_owned();
    with_database(config, |url, pool| async move {
        migrations::run_pending(&url)
            .await
            .context("cannot migrate the database")?;
        Ok(catalogue::import_directory(&pool, &dir).await?)
    })
    .await
}

/// `export DIR`: writes the stored catalogue to `dir` in the import format.
pub async fn export(config: &Config, dir: &Path) -> anyhow::Result<()> {
    let dir = dir.to_owned();
    with_database(config, |_url, pool| async move {
        catalogue::export_directory(&pool, &dir)
            .await
            .with_context(|| format!("cannot export to {}", dir.display()))
    })
    .await
}

/// `generate`: migrates, imports the bundled catalogue if the database holds none, then
/// adds the labelled synthetic catalogue; returns how long the generation itself took.
pub async fn generate(
    config: &Config,
    size: gcm_store::synthetic::SyntheticSize,
    seed: i64,
) -> anyhow::Result<std::time::Duration> {
    with_database(config, |url, pool| async move {
        migrations::run_pending(&url)
            .await
            .context("cannot migrate the database")?;
        if !catalogue::has_catalogue(&pool).await? {
            catalogue::import_bundled(&pool).await?;
        }
        let mut conn = pool.get().await.context("cannot connect")?;
        let started = std::time::Instant::now();
        gcm_store::synthetic::generate(&mut conn, size, seed)
            .await
            .context("cannot generate the synthetic catalogue")?;
        Ok(started.elapsed())
    })
    .await
}

/// `keys create`: a new key and its secret (migrates first, so it works on a fresh database).
pub async fn keys_create(
    config: &Config,
    name: &str,
    role: curation::Role,
    affiliation: curation::Affiliation,
    public: bool,
) -> anyhow::Result<curation::keys::CreatedKey> {
    let name = name.to_owned();
    with_database(config, |url, pool| async move {
        migrations::run_pending(&url)
            .await
            .context("cannot migrate the database")?;
        let mut conn = pool.get().await?;
        Ok(curation::keys::create(&mut conn, &name, role, affiliation, public).await?)
    })
    .await
}

/// `keys list`
pub async fn keys_list(config: &Config) -> anyhow::Result<Vec<curation::ApiKeyRow>> {
    with_database(config, |_url, pool| async move {
        let mut conn = pool.get().await?;
        Ok(curation::keys::list(&mut conn).await?)
    })
    .await
}

/// `keys revoke NAME`: also withdraws the key's pending approvals, decided again under the
/// configured review thresholds.
pub async fn keys_revoke(config: &Config, name: &str) -> anyhow::Result<()> {
    let name = name.to_owned();
    let policy = config.review_policy();
    with_database(config, |_url, pool| async move {
        let mut conn = pool.get().await?;
        curation::keys::revoke(&mut conn, &name, policy).await?;
        Ok(())
    })
    .await
}

/// `schema`: the SDL the server serves at `_service { sdl }`. Needs no database.
pub fn schema(client: bool) -> anyhow::Result<String> {
    Ok(match client {
        true => gcm_graphql::client_sdl(),
        false => gcm_graphql::sdl(),
    })
}

async fn with_database<T, F, Fut>(config: &Config, work: F) -> anyhow::Result<T>
where
    F: FnOnce(String, Pool) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let shutdown = Shutdown::listen().context("cannot listen for signals")?;
    let database = Database::open(config, Sharing::JoinOwner).await?;
    let result = match build_pool(database.url(), &PoolConfig::default()) {
        Ok(pool) => {
            let outcome = tokio::select! {
                outcome = work(database.url().to_owned(), pool.clone()) => outcome,
                signal = shutdown.wait() => Err(anyhow::anyhow!("interrupted by {signal}")),
            };
            pool.close();
            outcome
        }
        Err(e) => Err(e.into()),
    };
    let closed = database.close().await;
    let value = result?;
    closed?;
    Ok(value)
}
