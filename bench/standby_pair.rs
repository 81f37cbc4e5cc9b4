//! A throwaway primary and its streaming standby for `bench/replicas.js`: both embedded
//! clusters under the directory given, made with the same code the tests use
//! (`EmbeddedCluster::start_standby_of`). Prints `primary URL` and `standby URL`, then
//! keeps both running until SIGTERM, SIGINT or the end of stdin, and stops them.

use anyhow::Context;
use gcm_embedded_postgres::EmbeddedCluster;
use tokio::io::AsyncReadExt;
use tokio::signal::unix::{SignalKind, signal};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .context("usage: standby-pair DIR (a directory the postgres user can enter)")?;
    let dir = std::path::PathBuf::from(dir);
    let primary = EmbeddedCluster::new(&dir.join("primary")).start().await?;
    let standby = EmbeddedCluster::new(&dir.join("standby"))
        .start_standby_of(&primary)
        .await?;
    println!("primary {}", primary.database_url());
    println!("standby {}", standby.database_url());
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut stdin = tokio::io::stdin();
    let mut sink = [0u8; 64];
    tokio::select! {
        _ = terminate.recv() => {}
        _ = interrupt.recv() => {}
        _ = async { while stdin.read(&mut sink).await.is_ok_and(|n| n > 0) {} } => {}
    }
    standby.stop().await?;
    primary.stop().await?;
    Ok(())
}
