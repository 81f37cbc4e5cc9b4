//! The GraphQL API of the GCM catalogue.
//!
//! Request → `query/` (root fields, one module per domain) → `types/` (objects that wrap
//! the store's rows) → `loaders/` (one batched statement per relation and level) →
//! `gcm_store::models` (SQL) and back.

pub mod error;
pub mod ids;
pub mod loaders;
pub mod query;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use gcm_store::Pool;

pub use query::Query;

pub type CatalogueSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Deepest selection accepted (the full objective → … → countries walk is 8 deep).
pub const MAX_DEPTH: usize = 16;

/// Builds the schema once at start-up; per-request state is added by [`prepare_request`].
pub fn build_schema(pool: Pool) -> CatalogueSchema {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .data(pool)
        .limit_depth(MAX_DEPTH)
        .limit_recursive_depth(32)
        .enable_federation()
        .finish()
}

/// Attaches what must not outlive one request: the dataloaders and their cache.
pub fn prepare_request(request: async_graphql::Request, pool: &Pool) -> async_graphql::Request {
    request.data(loaders::per_request(pool.clone()))
}

/// The SDL the server serves (federation directives included): what `schema.graphql` holds.
pub fn sdl(schema: &CatalogueSchema) -> String {
    schema.sdl_with_options(async_graphql::SDLExportOptions::new().federation())
}
