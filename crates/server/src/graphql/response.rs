//! The pipeline's answers and refusals as HTTP: status, media type, `Cache-Control`,
//! `ETag`/304 for GET, `Retry-After`, `Vary`, and the request metrics.

use std::time::Instant;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gcm_graphql::error::ErrorCode;
use gcm_graphql::pipeline::execution::{encode, etag_of};
use gcm_graphql::pipeline::{Answer, Refusal};

/// Which media type the client reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    GraphQlResponse,
    Json,
}

impl Media {
    /// The JSON media type the client reads (JSON when its `Accept` names none).
    pub fn from_headers(headers: &HeaderMap) -> Self {
        super::accept::negotiate(headers).map_or(Media::Json, |accepted| accepted.refusal_media())
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Media::GraphQlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        })
    }
}

/// A refusal: its status, its one error, and the headers its code calls for.
pub fn refused(media: Media, refusal: &Refusal) -> Response {
    let status = StatusCode::from_u16(refusal.http_status(media == Media::GraphQlResponse))
        .unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = with_headers(media, (status, encode(&refusal.body())).into_response());
    let headers = response.headers_mut();
    match refusal.code {
        ErrorCode::RateLimited => {
            if let Some(value) = refusal
                .extension("retryAfter")
                .and_then(|seconds| HeaderValue::from_str(&seconds.to_string()).ok())
            {
                headers.insert(header::RETRY_AFTER, value);
            }
        }
        ErrorCode::MethodNotAllowed => {
            headers.insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        ErrorCode::Unauthenticated => {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        // The rest of the body is not read: the connection cannot serve another request.
        ErrorCode::MaxBodySizeExceeded => {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        _ => {}
    }
    response
}

/// The response header saying which catalogue version an answer is at least as new as.
pub const CATALOGUE_VERSION_HEADER: &str = "gcm-catalogue-version";

/// One answer; for GET, `if_none_match` is `Some` (holding the client's `If-None-Match`)
/// and a cacheable answer gets an `ETag`, or a 304 when the client has it.
pub fn answered(
    media: Media,
    answer: Answer,
    if_none_match: Option<Option<HeaderValue>>,
) -> Response {
    let status = if answer.request_error && media == Media::GraphQlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let etag = match (&answer.cache_control, &if_none_match) {
        (Some(_), Some(_)) if status == StatusCode::OK => Some(
            answer
                .etag
                .as_deref()
                .map_or_else(|| etag_of(&answer.body), str::to_owned),
        ),
        _ => None,
    };
    let not_modified = etag.as_ref().is_some_and(|etag| {
        if_none_match
            .flatten()
            .and_then(|value| value.to_str().ok().map(str::to_owned))
            .is_some_and(|value| {
                value
                    .split(',')
                    .any(|candidate| candidate.trim() == etag || candidate.trim() == "*")
            })
    });
    let recorded = super::route::Recorded(answer.operation.clone(), answer.outcome);
    let mut response = if not_modified {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        vary(response.headers_mut());
        response
    } else {
        with_headers(media, (status, answer.body).into_response())
    };
    let headers = response.headers_mut();
    if let Some(value) = answer
        .cache_control
        .as_deref()
        .and_then(|value| HeaderValue::from_str(value).ok())
    {
        headers.insert(header::CACHE_CONTROL, value);
    }
    if let Some(etag) = etag.and_then(|etag| HeaderValue::from_str(&etag).ok()) {
        headers.insert(header::ETAG, etag);
    }
    if let Some(version) = answer.catalogue_version {
        headers.insert(
            header::HeaderName::from_static(CATALOGUE_VERSION_HEADER),
            HeaderValue::from(version),
        );
    }
    response.extensions_mut().insert(recorded);
    response
}

/// A batch: one JSON array of the members' answers, in order, always 200.
pub fn batch(media: Media, answers: Vec<Result<Answer, Refusal>>, started: Instant) -> Response {
    let mut array = vec![b'['];
    for (index, answered) in answers.into_iter().enumerate() {
        if index > 0 {
            array.push(b',');
        }
        match answered {
            Ok(answer) => {
                record(&answer.operation, answer.outcome, started);
                array.extend_from_slice(&answer.body);
            }
            Err(refusal) => array.extend_from_slice(&encode(&refusal.body())),
        }
    }
    array.push(b']');
    with_headers(media, (StatusCode::OK, Bytes::from(array)).into_response())
}

/// Content type, `no-store` (an answer that may be cached says so itself) and `Vary`.
fn with_headers(media: Media, mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.content_type());
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    vary(headers);
    response
}

/// Answers differ by media type and credentials.
pub(super) fn vary(headers: &mut HeaderMap) {
    headers.insert(
        header::VARY,
        // A client that asks for a newer catalogue may get another answer.
        HeaderValue::from_static("accept, authorization, gcm-min-catalogue-version"),
    );
}

pub fn record(operation: &str, outcome: &'static str, started: Instant) {
    metrics::counter!(
        "gcm_graphql_requests_total",
        "operation" => operation.to_owned(),
        "outcome" => outcome
    )
    .increment(1);
    metrics::histogram!("gcm_graphql_request_duration_seconds")
        .record(started.elapsed().as_secs_f64());
}
