//! `/graphql` read as a stream (POST, or GET for graphql-sse clients that subscribe so), for routers and browsers that do not speak WebSocket:
//! Apollo's multipart HTTP subscriptions (`multipart/mixed;subscriptionSpec=1.0`, each
//! event `{"payload": …}`, a `{}` heartbeat part at once and every [`HEARTBEAT`]) and
//! graphql-sse's distinct connections mode (`event: next` per event, `event: complete` at
//! the end, a comment as heartbeat). The request passes the same pipeline as any other;
//! a subscription holds one of the server's subscription slots (shared with `/graphql/ws`)
//! while it streams, and gives it back the moment the client goes away.
//!
//! async-graphql's own `create_multipart_mixed_stream` writes bare responses, without the
//! `payload` envelope the protocol asks for, so the parts are written here.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use futures::stream::BoxStream;
use gcm_graphql::error::ErrorCode;
use gcm_graphql::loaders::scheduler::Batches;
use gcm_graphql::pipeline::execution::Context;
use gcm_graphql::pipeline::streaming::Streamed;
use gcm_graphql::pipeline::{GraphQlRequest, Refusal, Transport};
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use super::accept::{Accepted, StreamProtocol};
use super::response;
use super::route::Recorded;
use crate::AppState;

/// How often an idle stream says it is alive.
pub const HEARTBEAT: Duration = Duration::from_secs(5);
/// Events written ahead of a slow reader before the stream waits for it.
const BUFFERED_EVENTS: usize = 16;

impl StreamProtocol {
    fn content_type(self) -> &'static str {
        match self {
            StreamProtocol::Multipart => {
                "multipart/mixed;boundary=\"graphql\";subscriptionSpec=\"1.0\""
            }
            StreamProtocol::Sse => "text/event-stream; charset=utf-8",
        }
    }

    /// One event: a GraphQL response as the client's protocol frames it.
    fn event(self, response: &[u8]) -> Bytes {
        let (before, after): (&[u8], &[u8]) = match self {
            StreamProtocol::Multipart => (
                b"--graphql\r\ncontent-type: application/json\r\n\r\n{\"payload\":",
                b"}\r\n",
            ),
            StreamProtocol::Sse => (b"event: next\ndata: ", b"\n\n"),
        };
        Bytes::from([before, response, after].concat())
    }

    fn heartbeat(self) -> Bytes {
        Bytes::from_static(match self {
            StreamProtocol::Multipart => {
                b"--graphql\r\ncontent-type: application/json\r\n\r\n{}\r\n"
            }
            StreamProtocol::Sse => b":\n\n",
        })
    }

    fn end(self) -> Bytes {
        Bytes::from_static(match self {
            StreamProtocol::Multipart => b"--graphql--\r\n",
            StreamProtocol::Sse => b"event: complete\ndata:\n\n",
        })
    }
}

/// Runs `request` for a client that reads `protocol`; `accepted.answer` is how a query's
/// answer or a refusal is written when the client also takes JSON.
pub async fn run(
    state: &AppState,
    request: GraphQlRequest,
    transport: Transport,
    context: &Context,
    protocol: StreamProtocol,
    accepted: Accepted,
) -> Result<Response, Refusal> {
    let batches = Batches::default();
    match state
        .pipeline
        .run_streaming(request, transport, context, &batches)
        .await?
    {
        Streamed::Answer(answer) => Ok(match accepted.answer {
            Some(media) => response::answered(media, answer, None),
            None => {
                let mut body = protocol.event(&answer.body).to_vec();
                body.extend_from_slice(&protocol.end());
                let recorded = Recorded(answer.operation, answer.outcome);
                streaming_response(protocol, Body::from(body), recorded)
            }
        }),
        Streamed::Events(events) => {
            // The slot is held for the stream's life; none left means refuse at once.
            let Ok(slot) = state.subscriptions.clone().try_acquire_owned() else {
                return Err(Refusal::new(
                    ErrorCode::ServiceUnavailable,
                    "too many subscriptions open; retry later",
                ));
            };
            let (events_out, events_in) = mpsc::channel::<Bytes>(BUFFERED_EVENTS);
            // The loaders' batches run whenever the stream is idle.
            tokio::spawn(
                batches
                    .clone()
                    .drive(pump(events, events_out, protocol, slot)),
            );
            let body = futures::stream::unfold(events_in, |mut events_in| async move {
                let chunk = events_in.recv().await?;
                Some((Ok::<_, std::convert::Infallible>(chunk), events_in))
            });
            let recorded = Recorded("subscription".to_owned(), "ok");
            Ok(streaming_response(
                protocol,
                Body::from_stream(body),
                recorded,
            ))
        }
    }
}

/// Writes the events, heartbeats while idle, and the end; stops the moment the client is
/// gone (the body, and with it the receiver, dropped), which frees `slot`.
async fn pump(
    mut events: BoxStream<'static, async_graphql::Response>,
    out: mpsc::Sender<Bytes>,
    protocol: StreamProtocol,
    slot: OwnedSemaphorePermit,
) {
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let chunk = tokio::select! {
            biased;
            () = out.closed() => break,
            event = events.next() => match event {
                Some(event) => match serde_json::to_vec(&event) {
                    Ok(body) => protocol.event(&body),
                    Err(error) => {
                        tracing::error!(%error, "cannot encode a subscription event");
                        continue;
                    }
                },
                None => {
                    let _ = out.send(protocol.end()).await;
                    break;
                }
            },
            // The first tick is at once: the client learns the subscription is live.
            _ = heartbeat.tick() => protocol.heartbeat(),
        };
        if out.send(chunk).await.is_err() {
            break;
        }
    }
    drop(slot);
}

/// The stream's response; `recorded` labels its request metrics (recorded as it starts).
fn streaming_response(protocol: StreamProtocol, body: Body, recorded: Recorded) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(protocol.content_type()),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response::vary(headers);
    // Proxies such as nginx must pass each event on as it comes.
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response.extensions_mut().insert(recorded);
    response
}
