//! The GraphQL API of the GCM catalogue.
//!
//! Request → `query/` (root fields, one module per domain) → `types/` (objects that wrap
//! the store's rows) → `loaders/` (one batched statement per relation and level) →
//! `gcm_store::models` (SQL) and back.

pub mod error;
pub mod federation;
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

/// Builds the schema once at start-up; [`execute`] runs requests with their own loaders.
pub fn build_schema(pool: Pool) -> CatalogueSchema {
    schema_builder(pool).finish()
}

/// The same schema with federated tracing: serve with it the requests whose router asks
/// for a trace (header `apollo-federation-include-trace: ftv1`), so others pay nothing.
pub fn build_traced_schema(pool: Pool) -> CatalogueSchema {
    schema_builder(pool)
        .extension(federation::ftv1::FederatedTracing)
        .finish()
}

fn schema_builder(
    pool: Pool,
) -> async_graphql::SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .data(pool)
        .limit_depth(MAX_DEPTH)
        .limit_recursive_depth(32)
}

/// Runs one request with what must not outlive it: its dataloaders (and their cache),
/// whose batches run deterministically, one per relation and level.
pub async fn execute(
    schema: &CatalogueSchema,
    request: async_graphql::Request,
    pool: &Pool,
) -> async_graphql::Response {
    let batches = loaders::scheduler::Batches::default();
    let request = request.data(loaders::per_request(pool.clone(), &batches));
    batches.drive(schema.execute(request)).await
}

/// The SDL the server serves at `_service { sdl }` (federation directives included):
/// what `schema.graphql` holds.
pub fn sdl() -> String {
    federation::federation_sdl()
}
