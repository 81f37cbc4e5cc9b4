//! The handlers of `/graphql`: extractors → [`gcm_graphql::pipeline`] → [`super::response`].

use std::time::Instant;

use axum::extract::{Extension, Request, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use gcm_graphql::error::ErrorCode;
use gcm_graphql::pipeline::execution::Context;
use gcm_graphql::pipeline::{Refusal, Transport};

use super::accept;
use super::client::Client;
use super::params::{self, Decoded};
use super::response::{self, Media};
use super::stream;
use crate::AppState;

pub async fn post(
    State(state): State<AppState>,
    Extension(client): Extension<Client>,
    request: Request,
) -> Response {
    let started = Instant::now();
    let accepted = match accept::negotiate(request.headers()) {
        Ok(accepted) => accepted,
        Err(refusal) => return refused(refusal, started),
    };
    let media = accepted.refusal_media();
    let context = match context(&client, request.headers()) {
        Ok(context) => context,
        Err(refusal) => return refused(refusal, started),
    };
    let http = &state.http;
    let answered = tokio::time::timeout(http.request_timeout, async {
        match params::from_post(request, http.max_body_bytes, http.max_batch).await? {
            Decoded::Single(request) if let Some(protocol) = accepted.stream => {
                stream::run(
                    &state,
                    request,
                    Transport::HttpStream,
                    &context,
                    protocol,
                    accepted,
                )
                .await
            }
            Decoded::Single(request) => state
                .pipeline
                .run(request, Transport::HttpPost, &context)
                .await
                .map(|answer| response::answered(media, answer, None)),
            Decoded::Batch(requests) => {
                let mut answers = Vec::with_capacity(requests.len());
                for request in requests {
                    answers.push(match request {
                        Ok(request) => {
                            state
                                .pipeline
                                .run(request, Transport::HttpPost, &context)
                                .await
                        }
                        Err(refusal) => Err(refusal),
                    });
                }
                Ok(response::batch(media, answers, started))
            }
        }
    })
    .await;
    finish(&state, media, answered, started)
}

pub async fn get(
    State(state): State<AppState>,
    Extension(client): Extension<Client>,
    request: Request,
) -> Response {
    let started = Instant::now();
    if wants_html(&request) && request.uri().query().is_none_or(|q| !q.contains("query=")) {
        return super::graphiql::page();
    }
    let accepted = match accept::negotiate(request.headers()) {
        Ok(accepted) => accepted,
        Err(refusal) => return refused(refusal, started),
    };
    let media = accepted.refusal_media();
    let context = match context(&client, request.headers()) {
        Ok(context) => context,
        Err(refusal) => return refused(refusal, started),
    };
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let decoded = params::from_url(&request);
    drop(request);
    let answered = tokio::time::timeout(state.http.request_timeout, async {
        match accepted.stream {
            // graphql-sse's distinct connections may subscribe with GET (Hive Gateway does).
            Some(protocol) => {
                let transport = Transport::HttpGetStream;
                stream::run(&state, decoded?, transport, &context, protocol, accepted).await
            }
            None => {
                let answer = state
                    .pipeline
                    .run(decoded?, Transport::HttpGet, &context)
                    .await?;
                Ok(response::answered(media, answer, Some(if_none_match)))
            }
        }
    })
    .await;
    finish(&state, media, answered, started)
}

/// The request header a client sends the last `GCM-Catalogue-Version` it saw in: its
/// answer is then read where the catalogue is at least that new (the primary if no
/// standby is).
pub const MIN_CATALOGUE_VERSION_HEADER: &str = "gcm-min-catalogue-version";

fn context(client: &Client, headers: &HeaderMap) -> Result<Context, Refusal> {
    let min_catalogue_version = match headers.get(MIN_CATALOGUE_VERSION_HEADER) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|text| text.trim().parse::<i64>().ok())
                .filter(|version| *version >= 0)
                .ok_or_else(|| {
                    Refusal::bad_request(
                        "GCM-Min-Catalogue-Version must be a catalogue version (a whole number \
                         from a GCM-Catalogue-Version header)",
                    )
                })?,
        ),
    };
    Ok(Context {
        caller: client.caller.clone(),
        traced: wants_trace(headers),
        min_catalogue_version,
    })
}

/// The response of a handler's work, or of its refusal or timeout, with its metrics.
fn finish(
    state: &AppState,
    media: Media,
    answered: Result<Result<Response, Refusal>, tokio::time::error::Elapsed>,
    started: Instant,
) -> Response {
    let refusal = match answered {
        Ok(Ok(response)) => {
            let (operation, outcome) = response
                .extensions()
                .get::<Recorded>()
                .map_or(("batch", "batch"), |recorded| {
                    (recorded.0.as_str(), recorded.1)
                });
            response::record(operation, outcome, started);
            return response;
        }
        Ok(Err(refusal)) => refusal,
        Err(_) => {
            let limit = state.http.request_timeout.as_millis() as u64;
            metrics::counter!("gcm_limit_breaches_total", "limit" => ErrorCode::RequestTimeout.as_str())
                .increment(1);
            Refusal::new(
                ErrorCode::RequestTimeout,
                format!("The request took longer than the limit of {limit} ms"),
            )
            .with("limit", limit)
            .with("value", started.elapsed().as_millis() as u64)
        }
    };
    response::record("unknown", refusal.outcome(), started);
    response::refused(media, &refusal)
}

/// A refusal of the request's `Accept` (nothing it names can be served), in JSON.
fn refused(refusal: Refusal, started: Instant) -> Response {
    metrics::counter!("gcm_limit_breaches_total", "limit" => refusal.code.as_str()).increment(1);
    response::record("unknown", refusal.outcome(), started);
    response::refused(Media::Json, &refusal)
}

/// The metric labels of a single answer, carried on its response to [`finish`].
#[derive(Clone)]
pub(super) struct Recorded(pub String, pub &'static str);

/// `apollo-federation-include-trace: ftv1`, sent by a router that wants field timings.
fn wants_trace(headers: &HeaderMap) -> bool {
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
