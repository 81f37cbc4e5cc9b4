//! The GraphQL API of the GCM catalogue.
//!
//! A request enters through [`pipeline`] (who asks, persisted documents, limits, cost,
//! response cache, execution), whatever transport carried it; then
//! `query/` (root fields, one module per domain) → `types/` (objects that wrap
//! the store's rows) → `loaders/` (one batched statement per relation and level) →
//! `gcm_store::models` (SQL) and back.

pub mod curation;
pub mod error;
pub mod federation;
pub mod ids;
pub mod limits;
pub mod loaders;
pub mod pipeline;
pub mod query;
pub mod types;

use async_graphql::Schema;
use gcm_store::Pool;

pub use curation::mutation::Mutation;
pub use curation::subscription::{Publications, Subscription};
pub use curation::{Caller, ReviewPolicy};
pub use query::Query;

pub type CatalogueSchema = Schema<Query, Mutation, Subscription>;

/// Deepest selection accepted by default (the full objective → … → countries walk is 8
/// deep); the server checks its configured depth itself, see [`limits`].
pub const MAX_DEPTH: usize = 16;

/// How the server wants the schema built.
#[derive(Clone)]
pub struct SchemaOptions {
    /// Partners need introspection; a deployment may switch it off.
    pub introspection: bool,
    /// Review thresholds and the publication feed.
    pub curation: Curation,
    /// The most items a connection's `count` counts one by one.
    pub exact_count_limit: types::connection::ExactCountLimit,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        Self {
            introspection: true,
            curation: Curation::default(),
            exact_count_limit: Default::default(),
        }
    }
}

/// What curation needs from the deployment: review thresholds and the publication feed.
#[derive(Clone, Default)]
pub struct Curation {
    pub policy: ReviewPolicy,
    pub publications: Publications,
}

/// Builds the schema once at start-up; [`execute`] runs requests with their own loaders.
pub fn build_schema(pool: Pool) -> CatalogueSchema {
    build_schema_with(pool, &SchemaOptions::default())
}

/// [`build_schema`] with this deployment's options.
pub fn build_schema_with(pool: Pool, options: &SchemaOptions) -> CatalogueSchema {
    schema_builder(pool, options).finish()
}

/// The same schema with federated tracing: serve with it the requests whose router asks
/// for a trace (header `apollo-federation-include-trace: ftv1`), so others pay nothing.
pub fn build_traced_schema(pool: Pool) -> CatalogueSchema {
    build_traced_schema_with(pool, &SchemaOptions::default())
}

/// [`build_traced_schema`] with this deployment's options.
pub fn build_traced_schema_with(pool: Pool, options: &SchemaOptions) -> CatalogueSchema {
    schema_builder(pool, options)
        .extension(federation::ftv1::FederatedTracing)
        .finish()
}

fn schema_builder(
    pool: Pool,
    options: &SchemaOptions,
) -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    let builder = Schema::build(Query::default(), Mutation, Subscription)
        .data(query::Primary(pool.clone()))
        .data(pool)
        .data(options.curation.policy)
        .data(options.curation.publications.clone())
        .data(options.exact_count_limit)
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
    execute_as(schema, request, pool, Caller::Anonymous).await
}

/// [`execute`] for a caller the server identified from its API key. Its reads go to
/// `reads` (the primary, or a standby: the pipeline sends operations that select curation
/// fields to the primary); curation's resolvers write and read on the schema's own pool.
pub async fn execute_as(
    schema: &CatalogueSchema,
    request: async_graphql::Request,
    reads: &Pool,
    caller: Caller,
) -> async_graphql::Response {
    let batches = loaders::scheduler::Batches::default();
    let request = request
        .data(reads.clone())
        .data(loaders::per_request(reads.clone(), &batches))
        .data(caller);
    batches.drive(schema.execute(request)).await
}

/// The data of one WebSocket connection: its operations are anonymous unless the gate
/// gives them their caller (see [`pipeline::subscriptions`]), and share the connection's dataloaders, whose batches run when
/// the connection's future, driven by `batches`, is idle. The loaders keep no cache: a
/// connection lives for hours, and each event must read the catalogue as it is then (a
/// retracted item gone, new links seen), with memory that does not grow with the events.
/// Batching stays: the keys of one level of one event still share a statement.
pub fn subscription_data(
    pool: &Pool,
    batches: &loaders::scheduler::Batches,
) -> async_graphql::Data {
    let mut data = async_graphql::Data::default();
    let loaders = loaders::per_request(pool.clone(), batches);
    loaders.enable_all_cache(false);
    data.insert(loaders);
    data.insert(Caller::Anonymous);
    data
}

/// The SDL the server serves at `_service { sdl }` (federation directives included):
/// what `schema.graphql` holds.
pub fn sdl() -> String {
    federation::federation_sdl()
}

/// The client-facing SDL (`schema.client.graphql`): the API as a client sees it through a
/// router, for Relay and codegen tools: no `@link`, no federation directive, no
/// `_entities`/`_service`, no demand-control directives.
pub fn client_sdl() -> String {
    let exported =
        async_graphql::Schema::build(query::ClientQuery::default(), Mutation, Subscription)
            .finish()
            .sdl_with_options(async_graphql::SDLExportOptions::new());
    let mut out = String::with_capacity(exported.len());
    for line in exported.lines() {
        if federation::is_demand_control_definition(line) {
            continue;
        }
        out.push_str(&without_directive(
            &without_directive(line, "@listSize("),
            "@cost(",
        ));
        out.push('\n');
    }
    out
}

/// `line` without the applications of one directive (` @name(…)`; its arguments hold no
/// parentheses).
fn without_directive(line: &str, opening: &str) -> String {
    let mut rest = line;
    let mut out = String::with_capacity(line.len());
    while let Some(start) = rest.find(opening) {
        let end = rest[start..]
            .find(')')
            .map_or(rest.len(), |e| start + e + 1);
        out.push_str(rest[..start].trim_end());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
