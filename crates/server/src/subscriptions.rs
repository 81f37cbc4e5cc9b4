//! `/graphql/ws`: GraphQL subscriptions over WebSocket (`graphql-transport-ws`, and the
//! older `graphql-ws`), limited to a number of open connections.

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::{State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub const PATH: &str = "/graphql/ws";
pub const DEFAULT_MAX_CONNECTIONS: usize = 1000;

pub async fn upgrade(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    // The permit is held for the connection's lifetime; none left means refuse at once.
    let Ok(permit) = state.subscriptions.clone().try_acquire_owned() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "too many subscription connections; retry later",
        )
            .into_response();
    };
    let schema = state.schema.clone();
    let batches = gcm_graphql::loaders::scheduler::Batches::default();
    let data = gcm_graphql::subscription_data(&state.pool, &batches);
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            // The loaders' batches run whenever the connection is idle.
            let connection = GraphQLWebSocket::new(socket, schema, protocol)
                .with_data(data)
                .serve();
            batches.drive(connection).await;
            drop(permit);
        })
}
