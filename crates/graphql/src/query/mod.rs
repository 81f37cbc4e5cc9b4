//! The root `Query`: one struct per domain, merged.

pub mod catalogue;
pub mod geography;
pub mod guidance;
pub mod items;
pub mod node;

use async_graphql::{Context, MergedObject};
use gcm_store::{Conn, Pool, StoreError};

use crate::error::{ApiResult, gql};

/// Declares a root `Query`: every domain's reads, then `$extra` (the federation parts).
/// The domains are listed once, so the three roots below cannot drift apart.
macro_rules! root_query {
    ($(#[$doc:meta])* $name:ident($($extra:ty),*)) => {
        $(#[$doc])*
        #[derive(MergedObject, Default)]
        #[graphql(name = "Query")]
        pub struct $name(
            catalogue::CatalogueQuery,
            geography::GeographyQuery,
            guidance::GuidanceQuery,
            items::ItemQuery,
            node::NodeQuery,
            crate::curation::query::CurationQuery,
            $($extra),*
        );
    };
}

root_query!(
    // Executed by the server: the reads plus the federation router's fields.
    /// Everything a client can read.
    Query(crate::federation::FederationQuery)
);

root_query!(
    // The same reads with the entity-key declarations instead of the router fields: the
    // schema the federation SDL is exported from, never executed.
    /// Everything a client can read.
    KeyQuery(crate::federation::EntityKeys)
);

root_query!(
    // The reads as clients see them through a router: no federation fields. The schema
    // the client-facing SDL (`schema.client.graphql`) is exported from, never executed.
    /// Everything a client can read.
    ClientQuery()
);

/// A pooled connection for a root field's own (unbatched) statement: on the database the
/// request reads from (a standby, when the server has them).
pub(crate) async fn conn(ctx: &Context<'_>) -> ApiResult<Conn> {
    let pool = ctx.data::<Pool>()?;
    pool.get().await.map_err(|e| gql(StoreError::from(e)))
}

/// The primary, whatever the request reads from: the pool the schema was built with.
/// Curation writes there and reads its own work there (submissions, reviews, the audit log).
#[derive(Clone)]
pub(crate) struct Primary(pub Pool);

/// A connection to the primary (curation's reads and writes).
pub(crate) async fn primary_conn(ctx: &Context<'_>) -> ApiResult<Conn> {
    let Primary(pool) = ctx.data::<Primary>()?;
    pool.get().await.map_err(|e| gql(StoreError::from(e)))
}
