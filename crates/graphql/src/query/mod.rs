//! The root `Query`: one struct per domain, merged.

mod catalogue;
mod geography;
mod guidance;
mod items;
pub mod node;

use async_graphql::{Context, MergedObject};
use gcm_store::{Conn, Pool, StoreError};

use crate::error::{ApiResult, gql};

/// Everything a client can read.
#[derive(MergedObject, Default)]
pub struct Query(
    catalogue::CatalogueQuery,
    geography::GeographyQuery,
    guidance::GuidanceQuery,
    items::ItemQuery,
    node::NodeQuery,
);

/// A pooled connection for a root field's own (unbatched) statement.
pub(crate) async fn conn(ctx: &Context<'_>) -> ApiResult<Conn> {
    let pool = ctx.data::<Pool>()?;
    pool.get().await.map_err(|e| gql(StoreError::from(e)))
}
