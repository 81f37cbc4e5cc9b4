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
    let mut backoff = Duration::from_millis(200);
    loop {
        match listen_once(&database_url, &sender).await {
            Ok(()) => tracing::warn!("the publication listener's connection closed; reconnecting"),
            Err(e) => tracing::warn!(error = %e, "the publication listener failed; reconnecting"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}

async fn listen_once(
    database_url: &str,
    sender: &broadcast::Sender<i32>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = tokio_postgres::connect(database_url, NoTls).await?;
    let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
    let statement = format!("LISTEN {CHANNEL}");
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
    tracing::debug!("listening for publications");
    while let Some(message) = messages.next().await {
        if let AsyncMessage::Notification(n) = message?
            && let Ok(id) = n.payload().parse::<i32>()
        {
            // No receivers is fine: nobody subscribes right now.
            let _ = sender.send(id);
        }
    }
    Ok(())
}
