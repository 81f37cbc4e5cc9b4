//! The GraphQL request(s) in an HTTP request: a POST's JSON body (one object, or an array
//! for a batch) or a GET's URL parameters. Shape only; the pipeline does the rest.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, Request};
use axum::http::header;
use gcm_graphql::error::ErrorCode;
use gcm_graphql::pipeline::{GraphQlRequest, Refusal};
use serde_json::Value;

/// What a POST body holds.
pub enum Decoded {
    Single(GraphQlRequest),
    /// Each member decoded on its own: a bad member fails alone.
    Batch(Vec<Result<GraphQlRequest, Refusal>>),
}

/// A body past the limit is still read (and dropped), at most this much more and for at
/// most [`DRAIN_TIME`], so a client that writes its whole body before reading hears the
/// 413 instead of a reset; a slow or endless sender is cut off at either bound.
pub const DRAIN_BYTES: usize = 256 * 1024 * 1024;
pub const DRAIN_TIME: Duration = Duration::from_secs(10);

/// The GraphQL request(s) of a POST: `application/json` (utf-8) only.
pub async fn from_post(
    request: Request,
    max_body_bytes: usize,
    max_batch: usize,
) -> Result<Decoded, Refusal> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence != "application/json" {
        return Err(Refusal::new(
            ErrorCode::UnsupportedMediaType,
            "POST bodies must be `application/json`.",
        ));
    }
    if let Some(charset) = content_type
        .split(';')
        .skip(1)
        .find_map(|param| param.trim().strip_prefix("charset="))
        && !charset.trim_matches('"').eq_ignore_ascii_case("utf-8")
    {
        return Err(Refusal::new(
            ErrorCode::UnsupportedMediaType,
            "Only the utf-8 charset is accepted.",
        ));
    }
    let body = read_body(request.into_body(), max_body_bytes).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Refusal::bad_request("The request body is empty."));
    }
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| Refusal::bad_request(format!("The request body is not valid JSON: {e}")))?;
    match value {
        Value::Array(requests) => {
            if max_batch == 0 {
                return Err(Refusal::new(
                    ErrorCode::BatchingDisabled,
                    "Batched requests are not accepted: send one operation per request.",
                ));
            }
            if requests.len() > max_batch || requests.is_empty() {
                return Err(Refusal::limit(gcm_graphql::limits::LimitBreach {
                    code: ErrorCode::MaxBatchSizeExceeded,
                    limit: max_batch as u64,
                    value: requests.len() as u64,
                    message: format!(
                        "A batch holds 1 to {max_batch} operations; this one holds {}",
                        requests.len()
                    ),
                }));
            }
            Ok(Decoded::Batch(
                requests
                    .into_iter()
                    .map(GraphQlRequest::from_json)
                    .collect(),
            ))
        }
        value => GraphQlRequest::from_json(value).map(Decoded::Single),
    }
}

/// The GraphQL request of a GET's URL.
pub fn from_url(request: &Request) -> Result<GraphQlRequest, Refusal> {
    let Query(pairs) = Query::<HashMap<String, String>>::try_from_uri(request.uri())
        .map_err(|e| Refusal::bad_request(format!("Malformed query string: {e}")))?;
    GraphQlRequest::from_parameters(|name| pairs.get(name).cloned())
}

/// Reads at most `limit` bytes; a larger body is drained within [`DRAIN_BYTES`] and
/// [`DRAIN_TIME`], then refused with `MAX_BODY_SIZE_EXCEEDED`.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, Refusal> {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut collected = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| Refusal::bad_request(format!("cannot read the body: {e}")))?;
        if collected.len() + chunk.len() > limit {
            let mut drained = collected.len() + chunk.len();
            let _ = tokio::time::timeout(DRAIN_TIME, async {
                while drained <= limit.saturating_add(DRAIN_BYTES) {
                    match stream.next().await {
                        Some(Ok(chunk)) => drained += chunk.len(),
                        _ => break,
                    }
                }
            })
            .await;
            return Err(body_too_large(limit));
        }
        collected.extend_from_slice(&chunk);
    }
    Ok(Bytes::from(collected))
}

pub fn body_too_large(limit: usize) -> Refusal {
    metrics::counter!("gcm_limit_breaches_total", "limit" => ErrorCode::MaxBodySizeExceeded.as_str())
        .increment(1);
    Refusal::new(
        ErrorCode::MaxBodySizeExceeded,
        format!("The request body is larger than the limit of {limit} bytes"),
    )
    .with("limit", limit as u64)
}
