//! `/graphql` as the GraphQL-over-HTTP specification has it. HTTP only: decoding
//! ([`params`]), the caller and its rate ([`client`]), and the answer as HTTP
//! ([`response`]); every GraphQL stage is [`gcm_graphql::pipeline`]'s.
//!
//! - POST with `application/json` (a JSON array is a batch: refused unless `GCM_MAX_BATCH`
//!   allows it); GET with `query`, `operationName`, `variables`, `extensions` in the URL
//!   (only queries: anything else is 405); GraphiQL for a browser's GET.
//! - The response is `application/graphql-response+json` when the client accepts it, and
//!   then a request that cannot run (unparseable, invalid, refused by a limit) is a 400 with
//!   no `data`; otherwise `application/json`, 200 for every well-formed request except
//!   limit breaches (400), as the specification allows. Every response reports
//!   `extensions.cost = { requested, actual }`.
//! - A POST whose `Accept` takes `multipart/mixed;subscriptionSpec=1.0` or
//!   `text/event-stream` may run a subscription: its events stream back ([`stream`]).
//!   An `Accept` with nothing this server writes is 406 ([`accept`]).

pub mod accept;
pub mod client;
pub mod graphiql;
pub mod params;
pub mod response;
pub mod route;
pub mod stream;

use std::time::Duration;

pub use route::{get, post};

pub const PATH: &str = "/graphql";

/// The HTTP settings of `/graphql` (the GraphQL ones are the pipeline's).
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub max_body_bytes: usize,
    /// 0: batching off.
    pub max_batch: usize,
    pub request_timeout: Duration,
}
