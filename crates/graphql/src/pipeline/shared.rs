//! What the server processes of one deployment share through Redis (`GCM_REDIS_URL`): the
//! rate limit's buckets, the APQ registry and the response cache.
//!
//! Redis is a help, never a dependency: every call is bounded by `GCM_REDIS_TIMEOUT_MS`,
//! and a call that fails or times out falls back to the process's own state (its local
//! buckets, registry and cache, which every stage keeps anyway). After a failure Redis is
//! left alone for [`RETRY_AFTER`], so an outage costs each request nothing; then the next
//! call tries again. The outage and the recovery are logged once each, and counted in
//! `gcm_redis_fallbacks_total{operation}` with `gcm_redis_up` saying which state holds.
//!
//! Keys (all under `gcm:`): `gcm:rate:<client>` (a hash: tokens, updated), `gcm:apq:<sha256>`
//! (the document; TTL [`APQ_TTL`]), `gcm:response:<catalogue version>:<sha256 of the cache
//! key>` (the answer; TTL [`RESPONSE_TTL`]). Every key has a TTL, so Redis's
//! `maxmemory-policy volatile-lru` (or `allkeys-lru`) bounds the memory they take.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::persisted::sha256_hex;
use super::response_cache::Cached;

/// How long Redis is left alone after a failed call.
pub const RETRY_AFTER: Duration = Duration::from_secs(1);
/// How long a registered APQ document lives in Redis without being registered again.
pub const APQ_TTL: Duration = Duration::from_secs(24 * 3600);
/// How long a cached answer lives in Redis (it is also unreachable once the version moves).
pub const RESPONSE_TTL: Duration = Duration::from_secs(600);

/// A token bucket, atomically: refill by the time since the last call (Redis's own clock,
/// so the replicas' clocks do not matter), take one token if there is one. Returns 0 when
/// a token was taken, else the seconds to wait.
const TAKE_TOKEN: &str = r"
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1]) or burst
local updated = tonumber(state[2]) or t
tokens = math.min(burst, tokens + math.max(0, t - updated) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.max(1, math.ceil((1 - tokens) / rate))
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(t))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 1)
return wait
";

/// The connection to Redis and whether it is usable now.
pub struct SharedState {
    redis: ConnectionManager,
    timeout: Duration,
    take_token: redis::Script,
    /// Milliseconds since `started` before which Redis is not asked (after a failure).
    resting_until: AtomicU64,
    started: Instant,
    up: AtomicBool,
}

impl std::fmt::Debug for SharedState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedState")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SharedState {
    /// Parses `url` (a malformed one is the error) and prepares a connection that is made
    /// on first use and remade after a failure: a Redis that is down at start is not an
    /// error, only a fallback until it answers.
    pub fn open(url: &str, timeout: Duration) -> Result<Self, String> {
        let client = redis::Client::open(url)
            .map_err(|e| format!("GCM_REDIS_URL is not a Redis URL ({e})"))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout.max(Duration::from_millis(100))))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1);
        let redis = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| format!("cannot prepare the Redis connection ({e})"))?;
        metrics::gauge!("gcm_redis_up").set(1.0);
        Ok(Self {
            redis,
            timeout,
            take_token: redis::Script::new(TAKE_TOKEN),
            resting_until: AtomicU64::new(0),
            started: Instant::now(),
            up: AtomicBool::new(true),
        })
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// Runs `call` on Redis within the timeout; `None` (the caller falls back) when Redis
    /// is resting, fails or is slow.
    async fn call<T, F, Fut>(&self, operation: &'static str, call: F) -> Option<T>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        if self.now_ms() < self.resting_until.load(Ordering::Relaxed) {
            metrics::counter!("gcm_redis_fallbacks_total", "operation" => operation).increment(1);
            return None;
        }
        let outcome = tokio::time::timeout(self.timeout, call(self.redis.clone())).await;
        match outcome {
            Ok(Ok(value)) => {
                if !self.up.swap(true, Ordering::Relaxed) {
                    tracing::info!("Redis answers again: shared limits, APQ and cache back on");
                    metrics::gauge!("gcm_redis_up").set(1.0);
                }
                Some(value)
            }
            failed => {
                let reason = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!("no answer within {} ms", self.timeout.as_millis()),
                };
                self.resting_until.store(
                    self.now_ms() + u64::try_from(RETRY_AFTER.as_millis()).unwrap_or(u64::MAX),
                    Ordering::Relaxed,
                );
                if self.up.swap(false, Ordering::Relaxed) {
                    tracing::warn!(%reason, operation, "Redis unavailable: falling back to this process's own limits, APQ registry and cache");
                    metrics::gauge!("gcm_redis_up").set(0.0);
                }
                metrics::counter!("gcm_redis_fallbacks_total", "operation" => operation)
                    .increment(1);
                None
            }
        }
    }

    /// Takes a token from `client`'s shared bucket: `Some(Ok)`, `Some(Err(seconds))` when
    /// it is empty, `None` when Redis cannot tell.
    pub async fn take_token(
        &self,
        client: &str,
        per_second: f64,
        burst: u32,
    ) -> Option<Result<(), u64>> {
        let script = &self.take_token;
        let key = format!("gcm:rate:{client}");
        let wait: u64 = self
            .call("rate_limit", |mut redis| async move {
                script
                    .key(key)
                    .arg(per_second)
                    .arg(burst.max(1))
                    .invoke_async(&mut redis)
                    .await
            })
            .await?;
        Some(if wait == 0 { Ok(()) } else { Err(wait) })
    }

    /// The document registered under `hash` by any replica, checked against its hash
    /// (what Redis holds is not trusted blindly); `None` when unknown or unreachable.
    pub async fn persisted_document(&self, hash: &str) -> Option<String> {
        let key = format!("gcm:apq:{hash}");
        let document: Option<String> = self
            .call("apq_get", |mut redis| async move {
                redis::cmd("GET").arg(key).query_async(&mut redis).await
            })
            .await?;
        document.filter(|document| sha256_hex(document) == hash)
    }

    /// Registers `document` (its hash already verified) for every replica.
    pub async fn register_document(&self, hash: &str, document: &str) {
        self.set_expiring(
            "apq_set",
            format!("gcm:apq:{hash}"),
            document.as_bytes(),
            APQ_TTL,
        )
        .await;
    }

    /// `SET key value EX ttl`; a failure is a fallback like any other.
    async fn set_expiring(
        &self,
        operation: &'static str,
        key: String,
        value: &[u8],
        ttl: Duration,
    ) {
        let _: Option<()> = self
            .call(operation, |mut redis| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(value)
                    .arg("EX")
                    .arg(ttl.as_secs())
                    .query_async(&mut redis)
                    .await
            })
            .await;
    }

    fn response_key(version: i64, key: &str) -> String {
        format!("gcm:response:{version}:{}", sha256_hex(key))
    }

    /// The answer another replica cached for `key` at catalogue `version`.
    pub async fn cached_answer(&self, version: i64, key: &str) -> Option<Cached> {
        let key = Self::response_key(version, key);
        let stored: Option<Vec<u8>> = self
            .call("response_get", |mut redis| async move {
                redis::cmd("GET").arg(key).query_async(&mut redis).await
            })
            .await?;
        decode_cached(&stored?)
    }

    /// Shares an answer computed at catalogue `version` (the local cache kept it, so it is
    /// within its size bound), in the background: the request that computed it does not
    /// wait for Redis.
    pub fn share_answer(self: &Arc<Self>, version: i64, key: String, cached: Cached) {
        let shared = Arc::clone(self);
        tokio::spawn(async move {
            let key = Self::response_key(version, &key);
            let value = encode_cached(&cached);
            shared
                .set_expiring("response_set", key, &value, RESPONSE_TTL)
                .await;
        });
    }
}

/// A cached answer as Redis holds it: a line of JSON (etag, cache control, operation),
/// then the body's bytes. Encoded JSON holds no raw newline, so the first one ends the head.
fn encode_cached(cached: &Cached) -> Vec<u8> {
    let head = serde_json::json!({
        "etag": &*cached.etag,
        "cacheControl": cached.cache_control,
        "operation": cached.operation,
    });
    let mut value = serde_json::to_vec(&head).unwrap_or_default();
    value.push(b'\n');
    value.extend_from_slice(&cached.body);
    value
}

fn decode_cached(value: &[u8]) -> Option<Cached> {
    let split = value.iter().position(|byte| *byte == b'\n')?;
    let head: serde_json::Value = serde_json::from_slice(&value[..split]).ok()?;
    let body = Bytes::copy_from_slice(&value[split + 1..]);
    let etag = head.get("etag")?.as_str()?;
    // An answer whose bytes are not what its tag says is not served.
    if super::execution::etag_of(&body) != etag {
        return None;
    }
    Some(Cached {
        body,
        etag: etag.into(),
        cache_control: head
            .get("cacheControl")
            .and_then(|value| value.as_str())
            .map(str::to_owned),
        operation: head.get("operation")?.as_str()?.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_answer_survives_its_encoding_and_a_tampered_one_is_refused() {
        let body = Bytes::from_static(br#"{"data":{"a":"line\nbreak"}}"#);
        let cached = Cached {
            etag: super::super::execution::etag_of(&body).into(),
            body,
            cache_control: Some("public, max-age=60".to_owned()),
            operation: "Page".to_owned(),
        };
        let encoded = encode_cached(&cached);
        let decoded = decode_cached(&encoded).expect("decodes");
        assert_eq!(decoded.body, cached.body);
        assert_eq!(decoded.etag, cached.etag);
        assert_eq!(decoded.cache_control, cached.cache_control);
        assert_eq!(decoded.operation, "Page");
        let mut tampered = encoded;
        if let Some(last) = tampered.last_mut() {
            *last = b' ';
        }
        assert!(decode_cached(&tampered).is_none());
    }

    #[test]
    fn a_malformed_url_is_refused_with_the_reason() {
        let error =
            SharedState::open("http://not-redis", Duration::from_millis(50)).expect_err("refused");
        assert!(error.contains("GCM_REDIS_URL"), "{error}");
    }
}
