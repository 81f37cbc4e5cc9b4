//! The root `Query`: one struct per domain, merged.

pub mod catalogue;
pub mod geography;
pub mod guidance;
pub mod items;
pub mod node;

use async_graphql::{Context, MergedObject};
use gcm_store::{Conn, Pool, StoreError};

use crate::error::{ApiResult, gql};

// Executed by the server: the reads plus the federation router's fields.
/// Everything a client can read.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct Query(
    catalogue::CatalogueQuery,
    geography::GeographyQuery,
    guidance::GuidanceQuery,
    items::ItemQuery,
    node::NodeQuery,
    crate::curation::query::CurationQuery,
    crate::federation::FederationQuery,
);

// The same reads with the entity-key declarations instead of the router fields: the
// schema the federation SDL is exported from, never executed.
/// Everything a client can read.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct KeyQuery(
    catalogue::CatalogueQuery,
    geography::GeographyQuery,
    guidance::GuidanceQuery,
    items::ItemQuery,
    node::NodeQuery,
    crate::curation::query::CurationQuery,
    crate::federation::EntityKeys,
);

// The reads as clients see them through a router: no federation fields. The schema the
// client-facing SDL (`schema.client.graphql`) is exported from, never executed.
/// Everything a client can read.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct ClientQuery(
    catalogue::CatalogueQuery,
    geography::GeographyQuery,
    guidance::GuidanceQuery,
    items::ItemQuery,
    node::NodeQuery,
    crate::curation::query::CurationQuery,
);

/// A pooled connection for a root field's own (unbatched) statement.
pub(crate) async fn conn(ctx: &Context<'_>) -> ApiResult<Conn> {
    let pool = ctx.data::<Pool>()?;
    pool.get().await.map_err(|e| gql(StoreError::from(e)))
}
