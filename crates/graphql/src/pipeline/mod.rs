//! One GraphQL request, whatever carried it (HTTP GET, POST, a batch's member, a WebSocket
//! `subscribe`): the only gate into the executor. In order:
//!
//! (A subscription over HTTP runs the same stages, then streams: [`streaming`].)
//!
//! 1. [`callers`]: who is asking (a verified key, or an address), and the rate limit
//!    ([`rate_limit`]) of that client;
//! 2. [`persisted`]: the document a hash names, or only trusted documents;
//! 3. [`admission`]: the document's size, tokens and nesting and the variables' shape on
//!    the text; then the parse, the operation the transport may run, depth, cost, aliases,
//!    root fields, directives ([`crate::limits`]) and the introspection switch;
//! 4. [`response_cache`]: anonymous queries answered from a cache keyed by document hash,
//!    operation name and variables (looked up before the parse: a hit parses nothing);
//! 5. [`execution`]: the executor with the request's own loaders, then the answer's
//!    `extensions.cost`, its cache policy, and whether it is a request error.
//!
//! Anything refused on the way is a [`Refusal`] with its [`ErrorCode`].

pub mod admission;
pub mod callers;
pub mod execution;
mod heavy;
pub mod persisted;
pub mod rate_limit;
pub mod refusal;
pub mod request;
pub mod response_cache;
mod response_order;
pub mod shared;
pub mod streaming;
pub mod subscriptions;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gcm_store::Pool;
use gcm_store::list_sizes::LiveListSizes;
use gcm_store::replicas::Replicas;

use crate::curation::Caller;
use crate::error::ErrorCode;
use crate::limits::{CostModel, Limits};
use crate::{CatalogueSchema, SchemaOptions};

pub use execution::Answer;
pub use refusal::Refusal;
pub use request::GraphQlRequest;

/// What carried the request: it decides which operations may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Queries only (a GET must not change anything).
    HttpGet,
    HttpPost,
    /// Subscriptions only: queries and mutations go to `POST /graphql`, where their
    /// answers can be cached, traced and timed out.
    WebSocket,
    /// `POST /graphql` read as a stream (`multipart/mixed;subscriptionSpec=1.0` or
    /// `text/event-stream`): any operation; a subscription streams its events, anything
    /// else is one answer (see [`streaming`]).
    HttpStream,
    /// `GET /graphql` read as a stream (graphql-sse's distinct connections allow GET, and
    /// Hive Gateway subscribes to subgraphs so): queries and subscriptions, never mutations.
    HttpGetStream,
}

/// The deployment's settings of the pipeline (their defaults are the configuration's,
/// `gcm_server::config::ApiConfig`).
#[derive(Clone)]
pub struct Settings {
    pub limits: Limits,
    pub introspection: bool,
    pub curation: crate::Curation,
    /// Documents APQ keeps (0: APQ off).
    pub apq_cache_size: usize,
    /// `GCM_TRUSTED_DOCUMENTS`: only these documents run.
    pub trusted_documents: Option<PathBuf>,
    /// `max-age` of cacheable answers whose fields give no cache hint.
    pub cache_max_age: u32,
    /// Answers the response cache keeps (0: off), its bytes, and how often it checks the
    /// catalogue's version.
    pub response_cache_size: usize,
    pub response_cache_bytes: usize,
    pub response_cache_check: Duration,
    /// Requests per second and burst per client (0: no limit).
    pub rate_limit_per_second: f64,
    pub rate_limit_burst: u32,
    /// Failed authentications per minute per address (0: no budget).
    pub auth_failures_per_minute: u32,
    /// How long a verified key is trusted without asking the database again.
    pub key_cache: Duration,
    /// Active subscriptions one WebSocket connection may hold.
    pub ws_max_subscriptions: usize,
    /// Messages per second one WebSocket connection may send (burst: ten seconds' worth).
    pub ws_messages_per_second: u32,
    /// Requested cost from which an operation is heavy, heavy operations run at once
    /// (0: no cap), and the longest one waits for its turn.
    pub heavy_cost: u64,
    pub max_heavy_in_flight: usize,
    pub heavy_queue_wait: Duration,
    /// The most items a connection's `count` counts one by one.
    pub exact_count_limit: i64,
}

/// Distinct operation names kept as metric labels; later ones are counted as `other`, so a
/// client inventing names cannot grow the metrics without bound.
const MAX_OPERATION_LABELS: usize = 200;

/// The gate and the executor behind it, built once per process.
pub struct Pipeline {
    pub limits: Limits,
    pub cost_model: CostModel,
    introspection: bool,
    cache_max_age: u32,
    persisted: persisted::PersistedQueries,
    response_cache: Option<response_cache::ResponseCache>,
    authenticator: callers::Authenticator,
    rate_limiter: Option<rate_limit::RateLimiter>,
    schema: CatalogueSchema,
    /// The same schema with federated tracing, for routers that ask for `ftv1` traces:
    /// built on the first such request, so a process without a router builds one schema.
    traced_schema: std::sync::OnceLock<CatalogueSchema>,
    options: SchemaOptions,
    pool: Pool,
    operation_names: Mutex<HashSet<String>>,
    ws_max_subscriptions: usize,
    ws_messages_per_second: u32,
    heavy: Option<heavy::HeavyGate>,
    /// The standbys public reads go to (`DATABASE_READ_URLS`), when there are any.
    replicas: Option<Arc<Replicas>>,
    /// What the deployment's processes share through Redis (`GCM_REDIS_URL`).
    shared: Option<Arc<shared::SharedState>>,
    rate_limit_per_second: f64,
    rate_limit_burst: u32,
}

/// How a process shares the work of a deployment: its standbys and its Redis.
#[derive(Default, Clone)]
pub struct Scaling {
    pub replicas: Option<Arc<Replicas>>,
    pub shared: Option<Arc<shared::SharedState>>,
}

impl Pipeline {
    /// Builds the two schemas (plain and traced) once, and the cost model from the served
    /// SDL's `@listSize`, reading live list sizes from `list_sizes`.
    pub fn new(pool: Pool, settings: &Settings, list_sizes: LiveListSizes) -> Result<Self, String> {
        Self::scaled(pool, settings, list_sizes, Scaling::default())
    }

    /// [`Pipeline::new`] for a process that reads on standbys or shares state in Redis.
    pub fn scaled(
        pool: Pool,
        settings: &Settings,
        list_sizes: LiveListSizes,
        scaling: Scaling,
    ) -> Result<Self, String> {
        let cost_model = CostModel::from_sdl(&crate::sdl())
            .map_err(|e| format!("cannot read the schema for the cost model: {e}"))?
            .with_live(list_sizes);
        let options = SchemaOptions {
            introspection: settings.introspection,
            curation: settings.curation.clone(),
            exact_count_limit: crate::types::connection::ExactCountLimit(
                settings.exact_count_limit,
            ),
        };
        Ok(Self {
            limits: settings.limits.clone(),
            cost_model,
            introspection: settings.introspection,
            cache_max_age: settings.cache_max_age,
            persisted: persisted::PersistedQueries::new(
                settings.apq_cache_size,
                settings.trusted_documents.as_deref(),
            )?,
            response_cache: response_cache::ResponseCache::new(
                settings.response_cache_size,
                settings.response_cache_bytes,
                settings.response_cache_check,
            ),
            authenticator: callers::Authenticator::new(
                settings.auth_failures_per_minute,
                settings.key_cache,
            ),
            rate_limiter: rate_limit::RateLimiter::new(
                settings.rate_limit_per_second,
                settings.rate_limit_burst,
            ),
            schema: crate::build_schema_with(pool.clone(), &options),
            traced_schema: std::sync::OnceLock::new(),
            options,
            pool,
            operation_names: Mutex::new(HashSet::new()),
            ws_max_subscriptions: settings.ws_max_subscriptions,
            ws_messages_per_second: settings.ws_messages_per_second,
            heavy: heavy::HeavyGate::new(
                settings.heavy_cost,
                settings.max_heavy_in_flight,
                settings.heavy_queue_wait,
            ),
            replicas: scaling.replicas,
            shared: scaling.shared,
            rate_limit_per_second: settings.rate_limit_per_second,
            rate_limit_burst: settings.rate_limit_burst,
        })
    }

    pub fn schema(&self) -> &CatalogueSchema {
        &self.schema
    }

    pub(crate) fn traced_schema(&self) -> &CatalogueSchema {
        self.traced_schema
            .get_or_init(|| crate::build_traced_schema_with(self.pool.clone(), &self.options))
    }

    /// Stage 1: the caller behind `authorization` from `address`, within its rate.
    /// A refused credential still spends a token of its address, never one of its own.
    pub async fn admit_client(
        &self,
        authorization: Option<&[u8]>,
        address: &str,
    ) -> Result<Caller, Refusal> {
        let identified = self
            .authenticator
            .identify(&self.pool, authorization, address)
            .await;
        let bucket = match &identified {
            Ok(caller) => callers::client_bucket(caller, address),
            Err(_) => callers::client_bucket(&Caller::Anonymous, address),
        };
        self.take_token(&bucket).await?;
        identified
    }

    /// Takes one request's token from `bucket`: `RATE_LIMITED` with `retryAfter` when empty.
    /// With Redis the bucket is the deployment's, shared by every process; without it (or
    /// while it does not answer) it is this process's own.
    pub async fn take_token(&self, bucket: &str) -> Result<(), Refusal> {
        let Some(limiter) = &self.rate_limiter else {
            return Ok(());
        };
        let shared = match &self.shared {
            Some(shared) => {
                shared
                    .take_token(
                        rate_limit::truncate(bucket),
                        self.rate_limit_per_second,
                        self.rate_limit_burst,
                    )
                    .await
            }
            None => None,
        };
        let taken = match shared {
            Some(taken) => taken,
            None => limiter.take(bucket),
        };
        taken.map_err(|retry_after| {
            metrics::counter!("gcm_limit_breaches_total", "limit" => ErrorCode::RateLimited.as_str())
                .increment(1);
            Refusal::new(
                ErrorCode::RateLimited,
                format!("Too many requests: retry in {retry_after} s"),
            )
            .with("retryAfter", retry_after)
        })
    }

    fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "anonymous".to_owned();
        };
        let Ok(mut names) = self.operation_names.lock() else {
            return "other".to_owned();
        };
        if names.contains(name) || names.len() < MAX_OPERATION_LABELS {
            names.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }
}
