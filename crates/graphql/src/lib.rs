//! The GraphQL API of the GCM catalogue.
//!
//! Request → `query/` (root fields, one module per domain) → `types/` (objects that wrap
//! the store's rows) → `loaders/` (one batched statement per relation and level) →
//! `gcm_store::models` (SQL) and back.

pub mod error;
pub mod federation;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod query;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use gcm_store::Pool;

pub use query::Query;

pub type CatalogueSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Deepest selection accepted by default (the full objective → … → countries walk is 8
/// deep); the server checks its configured depth itself, see [`limits`].
pub const MAX_DEPTH: usize = 16;

/// How the server wants the schema built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaOptions {
    /// Partners need introspection; a deployment may switch it off.
    pub introspection: bool,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        Self {
            introspection: true,
        }
    }
}

/// Builds the schema once at start-up; [`execute`] runs requests with their own loaders.
pub fn build_schema(pool: Pool) -> CatalogueSchema {
    build_schema_with(pool, SchemaOptions::default())
}

/// [`build_schema`] with options.
pub fn build_schema_with(pool: Pool, options: SchemaOptions) -> CatalogueSchema {
    schema_builder(pool, options).finish()
}

/// The same schema with federated tracing: serve with it the requests whose router asks
/// for a trace (header `apollo-federation-include-trace: ftv1`), so others pay nothing.
pub fn build_traced_schema(pool: Pool) -> CatalogueSchema {
    build_traced_schema_with(pool, SchemaOptions::default())
}

/// [`build_traced_schema`] with options.
pub fn build_traced_schema_with(pool: Pool, options: SchemaOptions) -> CatalogueSchema {
    schema_builder(pool, options)
        .extension(federation::ftv1::FederatedTracing)
        .finish()
}

fn schema_builder(
    pool: Pool,
    options: SchemaOptions,
) -> async_graphql::SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    let builder = Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .data(pool)
        // The depth the server configures is checked before execution (`limits`); this
        // is the backstop for callers that execute directly.
        .limit_depth(4 * MAX_DEPTH)
        .limit_recursive_depth(limits::PARSER_NESTING_GUARD);
    if options.introspection {
        builder
    } else {
        builder.disable_introspection()
    }
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
