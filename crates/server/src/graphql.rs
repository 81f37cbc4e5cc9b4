//! `/graphql`: POST and GET queries, and GraphiQL for a browser (GET with `Accept: text/html`).
//! Every request gets its per-request state (the dataloaders) from
//! [`gcm_graphql::prepare_request`] before it runs.

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{FromRequest, Request, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;

pub const PATH: &str = "/graphql";

pub async fn post(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    execute(&state, request).await
}

pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    if wants_html(&request) {
        return Html(GraphiQLSource::build().endpoint(PATH).finish()).into_response();
    }
    match GraphQLRequest::from_request(request, &state).await {
        Ok(request) => execute(&state, request).await.into_response(),
        Err(rejection) => rejection.into_response(),
    }
}

async fn execute(state: &AppState, request: GraphQLRequest) -> GraphQLResponse {
    let request = gcm_graphql::prepare_request(request.into_inner(), &state.pool);
    state.schema.execute(request).await.into()
}

/// A browser navigating to the endpoint, rather than a client sending a query.
fn wants_html(request: &Request) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}
