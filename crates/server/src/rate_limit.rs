//! Rate limiting per client on `/graphql`: a token bucket per client, in a bounded map.
//!
//! The client is its API key when it sends `Authorization: Bearer KEY`, else its address:
//! the TCP peer, or, behind a proxy the deployment trusts (`GCM_TRUSTED_PROXY_HEADER`,
//! e.g. `x-forwarded-for`), the last address that header lists (the one the proxy added).
//! Over the rate: 429 with `Retry-After` and a GraphQL error `RATE_LIMITED`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Clients tracked at once; beyond it, full buckets are dropped first (they hold nothing).
const MAX_CLIENTS: usize = 10_000;
/// Longer keys are cut: a key is an identity, not a way to grow the map.
const MAX_KEY_BYTES: usize = 128;

#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    trusted_header: Option<HeaderName>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// `None` when `per_second` is 0 (rate limiting off).
    pub fn new(per_second: f64, burst: u32, trusted_header: Option<HeaderName>) -> Option<Self> {
        (per_second > 0.0).then(|| Self {
            per_second,
            burst: f64::from(burst.max(1)),
            trusted_header,
            buckets: Mutex::new(HashMap::new()),
        })
    }

    /// Takes a token for `client`; `Err(seconds)` to wait when there is none.
    fn take(&self, client: String) -> Result<(), u64> {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&client) {
            let (rate, burst) = (self.per_second, self.burst);
            buckets.retain(|_, bucket| {
                bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * rate < burst
            });
            if buckets.len() >= MAX_CLIENTS {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            Err(wait.ceil().max(1.0) as u64)
        }
    }

    fn client(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|key| !key.is_empty());
        if let Some(key) = bearer {
            return format!("key:{}", truncate(key));
        }
        let forwarded = self.trusted_header.as_ref().and_then(|name| {
            headers
                .get(name)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.rsplit(',').next())
                .map(str::trim)
                .filter(|address| !address.is_empty())
        });
        match (forwarded, peer) {
            (Some(address), _) => format!("addr:{}", truncate(address)),
            (None, Some(peer)) => format!("addr:{}", peer.ip()),
            (None, None) => "addr:unknown".to_owned(),
        }
    }
}

fn truncate(text: &str) -> &str {
    let mut end = text.len().min(MAX_KEY_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The middleware: refuses a client over its rate before any work is done for it.
pub async fn limit(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let client = limiter.client(request.headers(), peer);
    match limiter.take(client) {
        Ok(()) => next.run(request).await,
        Err(retry_after) => {
            metrics::counter!("gcm_limit_breaches_total", "limit" => "RATE_LIMITED").increment(1);
            metrics::counter!(
                "gcm_graphql_requests_total",
                "operation" => "unknown",
                "outcome" => "rate_limited"
            )
            .increment(1);
            (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    (header::RETRY_AFTER, retry_after.to_string()),
                    (
                        header::CONTENT_TYPE,
                        "application/json; charset=utf-8".to_owned(),
                    ),
                ],
                json!({ "errors": [{
                    "message": format!("Too many requests: retry in {retry_after} s"),
                    "extensions": { "code": "RATE_LIMITED", "retryAfter": retry_after },
                }]})
                .to_string(),
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_asks_to_wait() {
        let limiter = RateLimiter::new(1.0, 3, None).expect("on");
        for _ in 0..3 {
            assert_eq!(limiter.take("a".into()), Ok(()));
        }
        assert_eq!(limiter.take("a".into()), Err(1));
        assert_eq!(limiter.take("b".into()), Ok(()), "clients are separate");
    }

    #[test]
    fn clients_are_keys_then_trusted_header_then_peer() {
        let limiter =
            RateLimiter::new(1.0, 1, Some(HeaderName::from_static("x-forwarded-for"))).expect("on");
        let peer = Some(SocketAddr::from(([10, 0, 0, 1], 9)));
        let mut headers = HeaderMap::new();
        assert_eq!(limiter.client(&headers, peer), "addr:10.0.0.1");
        headers.insert(
            "x-forwarded-for",
            "1.2.3.4, 5.6.7.8".parse().expect("value"),
        );
        assert_eq!(limiter.client(&headers, peer), "addr:5.6.7.8");
        headers.insert(header::AUTHORIZATION, "Bearer k1".parse().expect("value"));
        assert_eq!(limiter.client(&headers, peer), "key:k1");
    }
}
