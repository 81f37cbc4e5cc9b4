//! The largest list each relation holds now (`list_sizes`, kept exact by triggers in
//! every writing transaction; `migrations/2026-12-01-000005_list_sizes`). The cost of an
//! unpaginated list is read from here, so it grows and shrinks with the catalogue.
//!
//! A server keeps a copy ([`LiveListSizes`]) that it reads at start and again whenever a
//! commit changes the table (`NOTIFY gcm_list_sizes`), so a request costs no statement.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use diesel::QueryableByName;
use diesel::sql_types::{Integer, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::curation::notify::{Heard, listen_to};
use crate::{Pool, StoreError, StoreResult};

/// The channel the table's trigger announces changes on.
pub const CHANNEL: &str = "gcm_list_sizes";

/// Relation (`table.column` or `table`) → its largest list.
pub type ListSizes = HashMap<String, u64>;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    relation: String,
    #[diesel(sql_type = Integer)]
    max_size: i32,
}

/// Reads the whole table (a few dozen rows).
pub async fn load(conn: &mut AsyncPgConnection) -> StoreResult<ListSizes> {
    sizes(conn, "SELECT relation, max_size FROM list_sizes").await
}

/// Counts every relation from scratch, as the triggers would have kept it: what a check
/// compares the kept figures with.
pub async fn recount(conn: &mut AsyncPgConnection) -> StoreResult<ListSizes> {
    sizes(
        conn,
        "SELECT relation, list_sizes_count(relation) AS max_size FROM list_sizes",
    )
    .await
}

async fn sizes(conn: &mut AsyncPgConnection, sql: &'static str) -> StoreResult<ListSizes> {
    let rows: Vec<Row> = diesel::sql_query(sql).load(conn).await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.relation, u64::try_from(row.max_size).unwrap_or(0)))
        .collect())
}

/// A process's copy of the table, shared by every request's cost analysis.
#[derive(Debug, Clone, Default)]
pub struct LiveListSizes(Arc<RwLock<ListSizes>>);

impl LiveListSizes {
    /// The relation's largest list; `None` before the first load or for an unknown name.
    pub fn get(&self, relation: &str) -> Option<u64> {
        self.0.read().ok()?.get(relation).copied()
    }

    pub fn snapshot(&self) -> ListSizes {
        self.0.read().map(|sizes| sizes.clone()).unwrap_or_default()
    }

    pub fn replace(&self, sizes: ListSizes) {
        if let Ok(mut held) = self.0.write() {
            *held = sizes;
        }
    }

    /// Loads the table through `pool` into this copy.
    pub async fn refresh(&self, pool: &Pool) -> StoreResult<()> {
        let mut conn = pool.get().await.map_err(StoreError::from)?;
        self.replace(load(&mut conn).await?);
        Ok(())
    }

    /// Keeps this copy current until the process ends. LISTENs first, then reads the table
    /// (so no change can fall between the two) and fires `ready`; then re-reads it after
    /// every announced change and every reconnection, and calls `changed`.
    pub async fn follow(
        self,
        database_url: String,
        pool: Pool,
        ready: tokio::sync::oneshot::Sender<()>,
        mut changed: impl FnMut(&ListSizes) + Send,
    ) {
        let wake = Arc::new(tokio::sync::Notify::new());
        let listener = tokio::spawn(listen_to(database_url, CHANNEL, {
            let wake = wake.clone();
            move |_: Heard<'_>| wake.notify_one()
        }));
        // Stopping the follower (its task aborted) closes its LISTEN connection too.
        let _listening = AbortOnDrop(listener.abort_handle());
        let mut ready = Some(ready);
        loop {
            wake.notified().await;
            match self.refresh(&pool).await {
                Ok(()) => {
                    if let Some(ready) = ready.take() {
                        let _ = ready.send(());
                    }
                    changed(&self.snapshot());
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot re-read the list sizes; keeping the last ones");
                    // Try again shortly rather than wait for the next change.
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    wake.notify_one();
                }
            }
            if listener.is_finished() {
                break;
            }
        }
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
