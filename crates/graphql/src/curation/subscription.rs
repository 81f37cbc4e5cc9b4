//! `itemPublished`: live publications, fanned out from PostgreSQL LISTEN/NOTIFY (see
//! `gcm_store::curation::notify`) through a bounded broadcast channel. Each subscriber
//! reads at its own pace; one that falls more than the channel's capacity behind skips
//! the publications it missed instead of holding back the others.

use async_graphql::{Context, Subscription};
use futures::Stream;
use gcm_store::Pool;
use gcm_store::models::item_pages::{ItemFilter as StoreFilter, published_matching};
use tokio::sync::broadcast;

use crate::error::gql;
use crate::types::filter::ItemFilter;
use crate::types::item::CatalogueItem;

/// Publications buffered per subscriber before the slowest skip ahead.
pub const PUBLICATION_BUFFER: usize = 256;

/// The in-process end of the publication fan-out.
#[derive(Clone)]
pub struct Publications(broadcast::Sender<i32>);

impl Default for Publications {
    fn default() -> Self {
        Self(broadcast::channel(PUBLICATION_BUFFER).0)
    }
}

impl Publications {
    /// Where the listener delivers the ids of published items.
    pub fn sender(&self) -> broadcast::Sender<i32> {
        self.0.clone()
    }
}

#[derive(Default)]
pub struct Subscription;

/// Live updates, over WebSocket at `/graphql/ws` (`graphql-transport-ws`); no key needed.
#[Subscription]
impl Subscription {
    /// Every item published from now on (by review or restored by an admin), on any server
    /// process, that matches `filter`.
    async fn item_published(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only publications matching this filter (all when omitted).")]
        filter: Option<ItemFilter>,
    ) -> async_graphql::Result<impl Stream<Item = CatalogueItem> + use<>> {
        let filter = filter.unwrap_or_default().to_store(None).map_err(gql)?;
        let pool = ctx.data::<Pool>()?.clone();
        let receiver = ctx.data::<Publications>()?.0.subscribe();
        Ok(futures::stream::unfold(
            (receiver, pool, filter),
            |(mut receiver, pool, filter)| async move {
                loop {
                    match receiver.recv().await {
                        Ok(id) => {
                            if let Some(item) = matching(&pool, &filter, id).await {
                                return Some((item, (receiver, pool, filter)));
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(skipped)) => {
                            tracing::warn!(skipped, "a slow subscriber skipped publications");
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            },
        ))
    }
}

/// The item when it is (still) published and matches; failures skip it, logged.
async fn matching(pool: &Pool, filter: &StoreFilter, id: i32) -> Option<CatalogueItem> {
    let mut conn = pool
        .get()
        .await
        .map_err(|e| tracing::warn!(error = %e, "no connection for a publication"))
        .ok()?;
    let row = published_matching(&mut conn, filter, id)
        .await
        .map_err(|e| tracing::warn!(error = %e, "cannot read a published item"))
        .ok()??;
    CatalogueItem::from_row(row).ok()
}
