//! Publications across server processes: a publishing transaction sends
//! `NOTIFY gcm_item_published, '<item id>'` (delivered at commit, never for a rolled-back
//! change), and every process LISTENs on its own connection and fans the ids out to its
//! subscribers.

use std::time::Duration;

use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures::StreamExt;
use tokio::sync::broadcast;
use tokio_postgres::{AsyncMessage, NoTls};

use super::CurationResult;

pub const CHANNEL: &str = "gcm_item_published";

/// Announces a publication when (and only if) the current transaction commits.
pub async fn item_published(conn: &mut AsyncPgConnection, item_id: i32) -> CurationResult<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(item_id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Listens until the process ends, forwarding every published item id to `sender`;
/// reconnects after a lost connection (publications made meanwhile are not replayed).
pub async fn listen(database_url: String, sender: broadcast::Sender<i32>) {
    listen_to(database_url, CHANNEL, move |heard| {
        if let Heard::Notification(payload) = heard
            && let Ok(id) = payload.parse::<i32>()
        {
            // No receivers is fine: nobody subscribes right now.
            let _ = sender.send(id);
        }
    })
    .await
}

/// What a LISTEN connection reports to its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard<'a> {
    /// The LISTEN is in place (first or again after a lost connection): notifications sent
    /// while it was not may have been missed.
    Listening,
    Notification(&'a str),
}

/// LISTENs on `channel` on a connection of its own until the process ends, reconnecting
/// with a backoff after a lost connection, and hands every event to `on`.
pub async fn listen_to(
    database_url: String,
    channel: &'static str,
    mut on: impl FnMut(Heard<'_>) + Send,
) {
    let mut backoff = Duration::from_millis(200);
    loop {
        match listen_once(&database_url, channel, &mut on).await {
            Ok(()) => tracing::warn!(channel, "a LISTEN connection closed; reconnecting"),
            Err(e) => {
                tracing::warn!(channel, error = %e, "a LISTEN connection failed; reconnecting")
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

async fn listen_once(
    database_url: &str,
    channel: &str,
    on: &mut (impl FnMut(Heard<'_>) + Send),
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = tokio_postgres::connect(database_url, NoTls).await?;
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
    let statement = format!("LISTEN {channel}");
    let listen = client.batch_execute(&statement);
    // The connection must be polled for the LISTEN to complete.
    tokio::pin!(listen);
    loop {
        tokio::select! {
            done = &mut listen => { done?; break; }
            message = messages.next() => match message {
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            }
        }
    }
    tracing::debug!(channel, "listening");
    on(Heard::Listening);
    while let Some(message) = messages.next().await {
        if let AsyncMessage::Notification(n) = message? {
            on(Heard::Notification(n.payload()));
        }
    }
    Ok(())
}
