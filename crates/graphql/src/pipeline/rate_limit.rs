//! Token buckets per client, in a bounded map: the request rate limit (per verified key,
//! else per address) and the stricter budget of failed authentications per address.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Clients tracked at once; beyond it, full buckets are dropped first (they hold nothing).
const MAX_CLIENTS: usize = 10_000;
/// Longer client names are cut: a name is an identity, not a way to grow the map.
const MAX_CLIENT_BYTES: usize = 128;

#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// `None` when `per_second` is 0 (limiting off).
    pub fn new(per_second: f64, burst: u32) -> Option<Self> {
        (per_second > 0.0).then(|| Self {
            per_second,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        })
    }

    /// Takes a token for `client`; `Err(seconds)` to wait when there is none.
    pub fn take(&self, client: &str) -> Result<(), u64> {
        self.with_bucket(client, |bucket, per_second| {
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                Ok(())
            } else {
                Err(wait(bucket.tokens, per_second))
            }
        })
    }

    /// Whether `client` has a token left, without taking it; `Err(seconds)` when not.
    pub fn check(&self, client: &str) -> Result<(), u64> {
        self.with_bucket(client, |bucket, per_second| {
            if bucket.tokens >= 1.0 {
                Ok(())
            } else {
                Err(wait(bucket.tokens, per_second))
            }
        })
    }

    fn with_bucket(
        &self,
        client: &str,
        decide: impl FnOnce(&mut Bucket, f64) -> Result<(), u64>,
    ) -> Result<(), u64> {
        let client = truncate(client);
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(client) {
            let (rate, burst) = (self.per_second, self.burst);
            buckets.retain(|_, bucket| {
                bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * rate < burst
            });
            if buckets.len() >= MAX_CLIENTS {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(client.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.updated = now;
        decide(bucket, self.per_second)
    }
}

fn wait(tokens: f64, per_second: f64) -> u64 {
    ((1.0 - tokens) / per_second).ceil().max(1.0) as u64
}

/// `text` cut to the longest client name kept (at a character boundary).
pub fn truncate(text: &str) -> &str {
    let mut end = text.len().min(MAX_CLIENT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_asks_to_wait() {
        let limiter = RateLimiter::new(1.0, 3).expect("on");
        for _ in 0..3 {
            assert_eq!(limiter.check("a"), Ok(()));
            assert_eq!(limiter.take("a"), Ok(()));
        }
        assert_eq!(limiter.check("a"), Err(1));
        assert_eq!(limiter.take("a"), Err(1));
        assert_eq!(limiter.take("b"), Ok(()), "clients are separate");
    }
}
