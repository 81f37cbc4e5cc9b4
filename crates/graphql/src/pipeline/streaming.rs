//! A request whose client reads a stream (`POST /graphql` with `Accept:
//! multipart/mixed;subscriptionSpec=1.0` or `text/event-stream`): every stage of any
//! request (the caller's was the transport's), then a subscription streams its events from
//! the executor the WebSocket path uses, and anything else is its one answer.

use std::sync::Arc;

use async_graphql::Executor;
use async_graphql::parser::types::OperationType;
use futures::stream::BoxStream;

use super::execution::{Answer, Context, into_request};
use super::subscriptions::SubscriptionExecutor;
use super::{GraphQlRequest, Pipeline, Refusal, Transport};
use crate::loaders::scheduler::Batches;

/// What a streaming client gets.
pub enum Streamed {
    /// A query or mutation: one answer, as `POST` gives it.
    Answer(Answer),
    /// A subscription: its events, each a complete GraphQL response.
    Events(BoxStream<'static, async_graphql::Response>),
}

impl Pipeline {
    /// Runs `request` for a streaming transport (`HttpStream` or `HttpGetStream`). A
    /// subscription reads through loaders of its own ([`crate::subscription_data`]) whose
    /// batches queue on `batches`, which the transport drives.
    pub async fn run_streaming(
        &self,
        request: GraphQlRequest,
        transport: Transport,
        context: &Context,
        batches: &Batches,
    ) -> Result<Streamed, Refusal> {
        let admitted = self.admit(request, transport).await?;
        if admitted.operation_type != OperationType::Subscription {
            return self
                .run_admitted(admitted, context)
                .await
                .map(Streamed::Answer);
        }
        let request = into_request(admitted).data(context.caller.clone());
        let data = crate::subscription_data(&self.pool, batches);
        Ok(Streamed::Events(
            SubscriptionExecutor::new(self).execute_stream(request, Some(Arc::new(data))),
        ))
    }
}
