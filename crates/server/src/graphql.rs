//! `/graphql`: POST and GET queries, and GraphiQL for a browser (GET with `Accept: text/html`).
//! Every request runs through [`gcm_graphql::execute`], which gives it its own dataloaders.

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{FromRequest, Request, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;

pub const PATH: &str = "/graphql";

pub async fn post(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    execute(&state, &headers, request).await
}

pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    if wants_html(&request) {
        return Html(GraphiQLSource::build().endpoint(PATH).finish()).into_response();
    }
    let headers = request.headers().clone();
    match GraphQLRequest::from_request(request, &state).await {
        Ok(request) => execute(&state, &headers, request).await.into_response(),
        Err(rejection) => rejection.into_response(),
    }
}

async fn execute(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let traced = wants_trace(headers);
    let caller = match crate::auth::caller(&state.pool, headers).await {
        Ok(caller) => caller,
        Err(error) => {
            return async_graphql::Response::from_errors(vec![
                error.into_server_error(async_graphql::Pos::default()),
            ])
            .into();
        }
    };
    // A federation router asking for a trace gets the traced twin of the schema; other
    // requests do not pay for per-field timing.
    let schema = if traced {
        &state.traced_schema
    } else {
        &state.schema
    };
    gcm_graphql::execute_as(schema, request.into_inner(), &state.pool, caller)
        .await
        .into()
}

/// `apollo-federation-include-trace: ftv1`, sent by a router that wants field timings.
fn wants_trace(headers: &axum::http::HeaderMap) -> bool {
    use gcm_graphql::federation::ftv1::{INCLUDE_TRACE_HEADER, INCLUDE_TRACE_VALUE};
    headers.get(INCLUDE_TRACE_HEADER).is_some_and(|value| {
        value
            .as_bytes()
            .eq_ignore_ascii_case(INCLUDE_TRACE_VALUE.as_bytes())
    })
}

/// A browser navigating to the endpoint, rather than a client sending a query.
fn wants_html(request: &Request) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}
