//! A `graphql-transport-ws` client for the tests: connect, init, subscribe, read.

#![allow(dead_code)]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gcm_test_support::TestServer;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/graphql/ws` with `graphql-transport-ws` (and `authorization`, if given, on the
/// upgrade request).
pub async fn connect_with(
    server: &TestServer,
    authorization: Option<&str>,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let url = server.url("/graphql/ws").replacen("http://", "ws://", 1);
    let mut request = url.into_client_request().expect("a WebSocket request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().expect("header value"),
    );
    if let Some(authorization) = authorization {
        request.headers_mut().insert(
            "authorization",
            authorization.parse().expect("header value"),
        );
    }
    let (socket, response) = tokio_tungstenite::connect_async(request).await?;
    assert_eq!(
        response
            .headers()
            .get("sec-websocket-protocol")
            .map(|v| v.as_bytes()),
        Some(&b"graphql-transport-ws"[..])
    );
    Ok(socket)
}

pub async fn connect(server: &TestServer) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    connect_with(server, None).await
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("the socket takes the message");
}

/// What the server sent next: a JSON message (pings and pongs skipped), or its close.
#[derive(Debug)]
pub enum Received {
    Json(Value),
    Closed(Option<u16>, String),
}

pub async fn receive(socket: &mut Socket) -> Received {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("a message within 30 s");
        match message {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).expect("JSON");
                if value["type"] != "ping" && value["type"] != "pong" {
                    return Received::Json(value);
                }
            }
            Some(Ok(Message::Close(frame))) => {
                return Received::Closed(
                    frame.as_ref().map(|f| u16::from(f.code)),
                    frame.map(|f| f.reason.to_string()).unwrap_or_default(),
                );
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => return Received::Closed(None, error.to_string()),
            None => return Received::Closed(None, String::new()),
        }
    }
}

pub async fn next_json(socket: &mut Socket) -> Value {
    match receive(socket).await {
        Received::Json(value) => value,
        closed => panic!("the socket closed: {closed:?}"),
    }
}

/// `connection_init` (with `payload`) and its `connection_ack`.
pub async fn init(socket: &mut Socket, payload: Value) {
    send(
        socket,
        json!({ "type": "connection_init", "payload": payload }),
    )
    .await;
    assert_eq!(next_json(socket).await["type"], "connection_ack");
}

pub async fn subscribe(socket: &mut Socket, id: &str, payload: Value) {
    send(
        socket,
        json!({ "id": id, "type": "subscribe", "payload": payload }),
    )
    .await;
}

/// The `extensions.code` of an `error` message's first error, or of a `next` payload's.
pub fn code_of(message: &Value) -> Option<&str> {
    match message["type"].as_str() {
        Some("error") => message["payload"][0]["extensions"]["code"].as_str(),
        Some("next") => message["payload"]["errors"][0]["extensions"]["code"].as_str(),
        _ => None,
    }
}
