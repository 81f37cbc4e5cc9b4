//! The gate of one WebSocket connection: every message it sends is counted against the
//! connection's message rate, `connection_init` authenticates like a bearer header, and
//! each `subscribe` passes the pipeline (rate limit, persisted documents, every limit,
//! subscriptions only) and the connection's cap on active subscriptions before the
//! executor sees it. The executor keeps no state between events (see
//! [`crate::subscription_data`]).

use std::collections::HashSet;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::BoxStream;
use serde_json::Value;

use super::rate_limit::RateLimiter;
use super::response_order::ResponseOrder;
use super::{GraphQlRequest, Pipeline, Refusal, Transport, callers};
use crate::CatalogueSchema;
use crate::curation::Caller;
use crate::error::ErrorCode;

/// One connection's view of the gate.
pub struct Connection {
    pipeline: Arc<Pipeline>,
    address: String,
    caller: Caller,
    active: HashSet<String>,
    messages: Option<RateLimiter>,
}

impl Connection {
    /// `caller` is who the upgrade request's own `Authorization` header identified.
    pub fn new(pipeline: Arc<Pipeline>, address: String, caller: Caller) -> Self {
        let rate = pipeline.ws_messages_per_second;
        Self {
            messages: RateLimiter::new(f64::from(rate), rate.saturating_mul(10)),
            pipeline,
            address,
            caller,
            active: HashSet::new(),
        }
    }

    /// Any message: within the connection's rate, or the connection closes.
    pub fn message(&self) -> Result<(), Refusal> {
        match &self.messages {
            Some(messages) => messages.take("connection").map_err(|retry_after| {
                metrics::counter!("gcm_limit_breaches_total", "limit" => "WS_MESSAGE_RATE")
                    .increment(1);
                Refusal::new(
                    ErrorCode::RateLimited,
                    format!(
                        "Too many messages on this connection (more than {} per second)",
                        self.pipeline.ws_messages_per_second
                    ),
                )
                .with("retryAfter", retry_after)
            }),
            None => Ok(()),
        }
    }

    /// `connection_init`: a credential in its payload (`Authorization`, `authorization`,
    /// or either under `headers`) is checked as a bearer header would be.
    pub async fn init(&mut self, payload: &Value) -> Result<(), Refusal> {
        let Some(authorization) = authorization_of(payload) else {
            return Ok(());
        };
        self.caller = self
            .pipeline
            .admit_client(Some(authorization.as_bytes()), &self.address)
            .await?;
        Ok(())
    }

    /// `subscribe`: the executor's request (holding the gate's parse), or the refusal the
    /// client gets for `id`.
    pub async fn subscribe(
        &mut self,
        id: &str,
        payload: Value,
    ) -> Result<async_graphql::Request, Refusal> {
        self.pipeline
            .take_token(&callers::client_bucket(&self.caller, &self.address))
            .await?;
        let max = self.pipeline.ws_max_subscriptions;
        if self.active.len() >= max {
            metrics::counter!("gcm_limit_breaches_total", "limit" => ErrorCode::MaxSubscriptionsExceeded.as_str())
                .increment(1);
            return Err(Refusal::new(
                ErrorCode::MaxSubscriptionsExceeded,
                format!(
                    "This connection holds {max} active subscriptions, the most it may; complete one first"
                ),
            )
            .with("limit", max as u64)
            .with("value", max as u64 + 1));
        }
        let request = GraphQlRequest::from_json(payload)?;
        let admitted = self.pipeline.admit(request, Transport::WebSocket).await?;
        self.active.insert(id.to_owned());
        let caller = self.caller.clone();
        Ok(super::execution::into_request(admitted).data(caller))
    }

    pub fn is_active(&self, id: &str) -> bool {
        self.active.contains(id)
    }

    /// A subscription that ended (completed by either side, or failed).
    pub fn ended(&mut self, id: &str) {
        self.active.remove(id);
    }
}

fn authorization_of(payload: &Value) -> Option<String> {
    let find = |object: &Value| {
        ["Authorization", "authorization"]
            .iter()
            .find_map(|name| object.get(*name)?.as_str().map(str::to_owned))
    };
    find(payload).or_else(|| find(payload.get("headers")?))
}

/// The executor the WebSocket protocol drives: the schema, with request errors coded as
/// they are over HTTP.
#[derive(Clone)]
pub struct SubscriptionExecutor {
    schema: CatalogueSchema,
}

impl SubscriptionExecutor {
    pub fn new(pipeline: &Pipeline) -> Self {
        Self {
            schema: pipeline.schema().clone(),
        }
    }
}

impl async_graphql::Executor for SubscriptionExecutor {
    async fn execute(&self, request: async_graphql::Request) -> async_graphql::Response {
        // Never reached: the gate lets only subscriptions through, which stream.
        let mut response = self.schema.execute(request).await;
        super::execution::mark_request_errors(&mut response);
        response
    }

    fn execute_stream(
        &self,
        mut request: async_graphql::Request,
        session_data: Option<Arc<async_graphql::Data>>,
    ) -> BoxStream<'static, async_graphql::Response> {
        let operation_name = request.operation_name.clone();
        let order = request
            .parsed_query()
            .ok()
            .and_then(|document| ResponseOrder::of(document, operation_name.as_deref()));
        self.schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
            .map(move |mut response| {
                super::execution::mark_request_errors(&mut response);
                if let Some(order) = &order {
                    order.apply(&mut response.data);
                }
                response
            })
            .boxed()
    }
}
