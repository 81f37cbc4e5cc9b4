//! The GraphQL API of the GCM catalogue: types, queries and the loaders behind them.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
use gcm_store::Pool;

pub struct Query;

#[Object]
impl Query {
    /// Placeholder until the read API lands.
    async fn ping(&self) -> &str {
        "pong"
    }
}

pub type CatalogueSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Builds the schema once at start-up; per-request state is added by [`prepare_request`].
pub fn build_schema(pool: Pool) -> CatalogueSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .data(pool)
        .finish()
}

/// Attaches what must not outlive one request (the dataloaders) to a request.
pub fn prepare_request(request: async_graphql::Request, _pool: &Pool) -> async_graphql::Request {
    request
}

/// The SDL the server serves (federation directives included): what `schema.graphql` holds.
pub fn sdl(schema: &CatalogueSchema) -> String {
    schema.sdl_with_options(async_graphql::SDLExportOptions::new().federation())
}
