//! `/graphql/ws`: GraphQL subscriptions over WebSocket (`graphql-transport-ws`, and the
//! older `graphql-ws`), limited to a number of open connections.
//!
//! Each client message passes the connection's gate
//! ([`gcm_graphql::pipeline::subscriptions::Connection`]) before async-graphql's protocol
//! sees it: a `subscribe` that the pipeline refuses gets the protocol's `error` message for
//! its id; a connection over its message rate is closed with 4429, one whose
//! `connection_init` credential is refused with 4403, a duplicate id with 4409; a message
//! larger than the body limit closes it (1009).

use async_graphql::http::{
    ALL_WEBSOCKET_PROTOCOLS, ClientMessage, WebSocketProtocols as Protocols, WsMessage,
};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use axum::extract::{Extension, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use gcm_graphql::error::ErrorCode;
use gcm_graphql::pipeline::Refusal;
use gcm_graphql::pipeline::subscriptions::{Connection, SubscriptionExecutor};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::AppState;
use crate::graphql::client::Client;

pub const PATH: &str = "/graphql/ws";
pub const DEFAULT_MAX_CONNECTIONS: usize = 1000;

pub async fn upgrade(
    State(state): State<AppState>,
    Extension(client): Extension<Client>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let Some(protocol) = protocol_of(&headers) else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "errors": [{
                "message": "Sec-WebSocket-Protocol must be graphql-transport-ws or graphql-ws",
                "extensions": { "code": ErrorCode::BadRequest.as_str() },
            }]})),
        )
            .into_response();
    };
    // The permit is held for the connection's lifetime; none left means refuse at once.
    let Ok(permit) = state.subscriptions.clone().try_acquire_owned() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(json!({ "errors": [{
                "message": "too many subscription connections; retry later",
                "extensions": { "code": ErrorCode::ServiceUnavailable.as_str() },
            }]})),
        )
            .into_response();
    };
    let max_message = state.http.max_body_bytes;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| async move {
            let batches = gcm_graphql::loaders::scheduler::Batches::default();
            // The loaders' batches run whenever the connection is idle.
            batches
                .clone()
                .drive(serve(state, client, protocol, socket, &batches))
                .await;
            drop(permit);
        })
}

/// The first GraphQL protocol the client offers.
fn protocol_of(headers: &HeaderMap) -> Option<Protocols> {
    headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)?
        .to_str()
        .ok()?
        .split(',')
        .find_map(|offered| offered.trim().parse().ok())
}

/// What the gate decided about one client message.
enum Gated {
    Forward(Box<ClientMessage>),
    Reply(Message),
    Close(u16, String),
}

async fn serve(
    state: AppState,
    client: Client,
    protocol: Protocols,
    socket: WebSocket,
    batches: &gcm_graphql::loaders::scheduler::Batches,
) {
    let (mut sink, incoming) = socket.split();
    let (replies, mut replies_out) = mpsc::unbounded_channel::<Message>();
    let (ended, ended_in) = mpsc::unbounded_channel::<String>();
    let gate = Gate {
        incoming,
        connection: Connection::new(state.pipeline.clone(), client.address, client.caller),
        protocol,
        replies,
        ended: ended_in,
    };
    let input = futures::stream::unfold(gate, |mut gate| async move {
        let item = gate.next().await?;
        Some((item, gate))
    });
    let data = gcm_graphql::subscription_data(&state.pool, batches);
    let protocol_stream = async_graphql::http::WebSocket::from_message_stream(
        SubscriptionExecutor::new(&state.pipeline),
        input,
        protocol,
    )
    // The gate authenticated `connection_init` before forwarding it; each admitted
    // operation carries the caller as its own data, which wins over the connection's.
    .connection_data(data);
    futures::pin_mut!(protocol_stream);
    let mut gate_open = true;
    loop {
        let message = tokio::select! {
            biased;
            reply = replies_out.recv(), if gate_open => match reply {
                Some(reply) => reply,
                None => {
                    gate_open = false;
                    continue;
                }
            },
            out = protocol_stream.next() => match out {
                Some(WsMessage::Text(text)) => {
                    if let Some(id) = completed_id(&text) {
                        let _ = ended.send(id);
                    }
                    Message::Text(text.into())
                }
                Some(WsMessage::Close(code, reason)) => Message::Close(Some(CloseFrame {
                    code,
                    reason: reason.into(),
                })),
                None => break,
            },
        };
        let closing = matches!(message, Message::Close(_));
        if sink.send(message).await.is_err() || closing {
            return;
        }
    }
    // The protocol ended (the gate stopped reading): say why, if the gate did.
    while let Ok(reply) = replies_out.try_recv() {
        if sink.send(reply).await.is_err() {
            return;
        }
    }
}

/// The reading side of a connection: what it lets through is the protocol's input.
struct Gate {
    incoming: futures::stream::SplitStream<WebSocket>,
    connection: Connection,
    protocol: Protocols,
    /// Errors and closes the gate answers itself.
    replies: mpsc::UnboundedSender<Message>,
    /// Ids of the subscriptions the server completed.
    ended: mpsc::UnboundedReceiver<String>,
}

impl Gate {
    /// The next admitted message; `None` once the connection is to end.
    async fn next(&mut self) -> Option<serde_json::Result<ClientMessage>> {
        loop {
            let message = match self.incoming.next().await {
                Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
                Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => return None,
                Some(Ok(_)) => continue,
            };
            while let Ok(id) = self.ended.try_recv() {
                self.connection.ended(&id);
            }
            match gate(&mut self.connection, self.protocol, &message).await {
                Gated::Forward(message) => return Some(Ok(*message)),
                Gated::Reply(reply) => {
                    let _ = self.replies.send(reply);
                }
                Gated::Close(code, reason) => {
                    let _ = self.replies.send(Message::Close(Some(CloseFrame {
                        code,
                        reason: reason.into(),
                    })));
                    return None;
                }
            }
        }
    }
}

/// Decides one client message.
async fn gate(connection: &mut Connection, protocol: Protocols, message: &[u8]) -> Gated {
    if let Err(refusal) = connection.message() {
        return Gated::Close(4429, refusal.message);
    }
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(message) else {
        // Not JSON: the protocol closes the connection as it should (4400).
        return forward(message);
    };
    let kind = object.get("type").and_then(Value::as_str).unwrap_or("");
    match kind {
        "connection_init" => {
            let payload = object.remove("payload").unwrap_or(Value::Null);
            match connection.init(&payload).await {
                Ok(()) => Gated::Forward(Box::new(ClientMessage::ConnectionInit {
                    payload: Some(payload),
                })),
                Err(refusal) if refusal.code == ErrorCode::RateLimited => {
                    Gated::Close(4429, refusal.message)
                }
                Err(refusal) => Gated::Close(4403, refusal.message),
            }
        }
        "subscribe" | "start" => {
            let Some(id) = object.get("id").and_then(Value::as_str).map(str::to_owned) else {
                return forward(message);
            };
            if connection.is_active(&id) {
                return Gated::Close(4409, format!("Subscriber for {id} already exists"));
            }
            let payload = object.remove("payload").unwrap_or(Value::Null);
            match connection.subscribe(&id, payload).await {
                Ok(request) => Gated::Forward(Box::new(ClientMessage::Start {
                    id,
                    payload: request,
                })),
                Err(refusal) => Gated::Reply(error_message(protocol, &id, &refusal)),
            }
        }
        "complete" | "stop" => {
            if let Some(id) = object.get("id").and_then(Value::as_str) {
                connection.ended(id);
            }
            forward(message)
        }
        _ => forward(message),
    }
}

fn forward(message: &[u8]) -> Gated {
    match ClientMessage::from_bytes(message) {
        Ok(message) => Gated::Forward(Box::new(message)),
        Err(_) => Gated::Close(4400, "Invalid message received".to_owned()),
    }
}

/// The protocol's `error` message for a refused operation: a list of errors under
/// `graphql-transport-ws`, one error under the older `graphql-ws`.
fn error_message(protocol: Protocols, id: &str, refusal: &Refusal) -> Message {
    let payload = match protocol {
        Protocols::GraphQLWS => json!([refusal.error()]),
        Protocols::SubscriptionsTransportWS => refusal.error(),
    };
    Message::Text(
        json!({ "id": id, "type": "error", "payload": payload })
            .to_string()
            .into(),
    )
}

/// The id of a server `complete` message (async-graphql writes `type` first).
fn completed_id(text: &str) -> Option<String> {
    if !text.starts_with(r#"{"type":"complete""#) {
        return None;
    }
    serde_json::from_str::<Value>(text)
        .ok()?
        .get("id")?
        .as_str()
        .map(str::to_owned)
}
