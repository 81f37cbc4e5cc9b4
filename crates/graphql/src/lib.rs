//! The GraphQL API of the GCM catalogue.
//!
//! Request → `query/` (root fields, one module per domain) → `types/` (objects that wrap
//! the store's rows) → `loaders/` (one batched statement per relation and level) →
//! `gcm_store::models` (SQL) and back.

pub mod curation;
pub mod error;
pub mod federation;
pub mod ids;
pub mod loaders;
pub mod query;
pub mod types;

use async_graphql::{EmptySubscription, Schema};
use gcm_store::Pool;

pub use curation::mutation::Mutation;
pub use curation::{Caller, ReviewPolicy};
pub use query::Query;

pub type CatalogueSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deepest selection accepted (the full objective → … → countries walk is 8 deep).
pub const MAX_DEPTH: usize = 16;

/// Builds the schema once at start-up; per-request state is added by [`prepare_request`].
pub fn build_schema(pool: Pool) -> CatalogueSchema {
    schema_builder(pool, ReviewPolicy::default()).finish()
}

/// [`build_schema`] with the review thresholds of this deployment.
pub fn build_schema_with(pool: Pool, policy: ReviewPolicy) -> CatalogueSchema {
    schema_builder(pool, policy).finish()
}

/// The same schema with federated tracing: serve with it the requests whose router asks
/// for a trace (header `apollo-federation-include-trace: ftv1`), so others pay nothing.
pub fn build_traced_schema(pool: Pool) -> CatalogueSchema {
    build_traced_schema_with(pool, ReviewPolicy::default())
}

/// [`build_traced_schema`] with the review thresholds of this deployment.
pub fn build_traced_schema_with(pool: Pool, policy: ReviewPolicy) -> CatalogueSchema {
    schema_builder(pool, policy)
        .extension(federation::ftv1::FederatedTracing)
        .finish()
}

fn schema_builder(
    pool: Pool,
    policy: ReviewPolicy,
) -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation, EmptySubscription)
        .data(pool)
        .data(policy)
        .limit_depth(MAX_DEPTH)
        .limit_recursive_depth(32)
}

/// Attaches what must not outlive one request: the dataloaders and their cache.
pub fn prepare_request(request: async_graphql::Request, pool: &Pool) -> async_graphql::Request {
    prepare_request_as(request, pool, Caller::Anonymous)
}

/// [`prepare_request`] for a caller the server identified from its API key.
pub fn prepare_request_as(
    request: async_graphql::Request,
    pool: &Pool,
    caller: Caller,
) -> async_graphql::Request {
    request
        .data(loaders::per_request(pool.clone()))
        .data(caller)
}

/// The SDL the server serves at `_service { sdl }` (federation directives included):
/// what `schema.graphql` holds.
pub fn sdl() -> String {
    federation::federation_sdl()
}
