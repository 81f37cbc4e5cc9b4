//! `Authorization: Bearer <secret>` (a header, or `connection_init`'s payload) → the
//! request's [`Caller`], with two guards in front of the database:
//!
//! - a budget of failed authentications per client address (`GCM_AUTH_FAILURES_PER_MINUTE`):
//!   once spent, a request that carries credentials is refused with `RATE_LIMITED` and
//!   `retryAfter` before any lookup, so random bearers cannot make the server query keys;
//! - a short in-process cache of verified keys (`GCM_KEY_CACHE_MS`): a key revoked
//!   elsewhere stops working within that bound.
//!
//! A credential that identifies no one (malformed, unknown, revoked) is refused with
//! `UNAUTHENTICATED`, even for a public read: a client that sends a key wants to be that
//! key, and must hear that it is not. Secrets are never logged and only their digest is
//! kept or reaches the database.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use gcm_store::Pool;
use gcm_store::curation::CurationError;
use gcm_store::curation::keys::{self, Identity};

use super::Refusal;
use super::rate_limit::RateLimiter;
use crate::curation::Caller;
use crate::error::{ApiError, ErrorCode};

/// Verified keys kept at once; a full cache starts again empty.
const MAX_CACHED_KEYS: usize = 10_000;

#[derive(Debug)]
pub struct Authenticator {
    /// SHA-256 of a verified secret → its identity and when it was verified.
    verified: Mutex<HashMap<[u8; 32], (Identity, Instant)>>,
    cache_for: Duration,
    /// Failed authentications per client address; `None`: unlimited.
    failures: Option<RateLimiter>,
}

impl Authenticator {
    /// `failures_per_minute` 0: no budget; `cache_for` zero: every request asks the database.
    pub fn new(failures_per_minute: u32, cache_for: Duration) -> Self {
        Self {
            verified: Mutex::new(HashMap::new()),
            cache_for,
            failures: RateLimiter::new(f64::from(failures_per_minute) / 60.0, failures_per_minute),
        }
    }

    /// Who sends `authorization` (the `Authorization` value) from `address`.
    pub async fn identify(
        &self,
        pool: &Pool,
        authorization: Option<&[u8]>,
        address: &str,
    ) -> Result<Caller, Refusal> {
        let Some(authorization) = authorization else {
            return Ok(Caller::Anonymous);
        };
        if let Some(failures) = &self.failures
            && let Err(retry_after) = failures.check(address)
        {
            metrics::counter!("gcm_limit_breaches_total", "limit" => "AUTH_FAILURES").increment(1);
            return Err(Refusal::new(
                ErrorCode::RateLimited,
                format!(
                    "Too many failed authentications from this address: retry in {retry_after} s"
                ),
            )
            .with("retryAfter", retry_after));
        }
        let identity = match bearer_secret(authorization) {
            Some(secret) if keys::is_well_formed(secret) => self.verify(pool, secret).await?,
            _ => None,
        };
        match identity {
            Some(identity) => Ok(Caller::Key(identity)),
            None => {
                if let Some(failures) = &self.failures {
                    let _ = failures.take(address);
                }
                metrics::counter!("gcm_auth_failures_total").increment(1);
                Err(Refusal::new(
                    ErrorCode::Unauthenticated,
                    "the API key is malformed, unknown or revoked",
                ))
            }
        }
    }

    /// The identity of a well-formed secret: from the cache while fresh, else the database.
    async fn verify(&self, pool: &Pool, secret: &str) -> Result<Option<Identity>, Refusal> {
        use sha2::{Digest, Sha256};
        let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        if let Ok(verified) = self.verified.lock()
            && let Some((identity, at)) = verified.get(&digest)
            && at.elapsed() < self.cache_for
        {
            return Ok(Some(identity.clone()));
        }
        let unavailable = |error: gcm_store::StoreError| {
            let error = ApiError::from(error);
            Refusal::new(error.code(), error.to_string())
        };
        let mut conn = pool
            .get()
            .await
            .map_err(|e| unavailable(gcm_store::StoreError::from(e)))?;
        let identity = match keys::authenticate(&mut conn, secret).await {
            Ok(Ok(identity)) => identity,
            Ok(Err(_rejected)) => return Ok(None),
            Err(CurationError::Store(e)) => return Err(unavailable(e)),
            Err(_) => {
                return Err(Refusal::new(
                    ErrorCode::InternalServerError,
                    "internal server error",
                ));
            }
        };
        if !self.cache_for.is_zero()
            && let Ok(mut verified) = self.verified.lock()
        {
            if verified.len() >= MAX_CACHED_KEYS {
                verified.clear();
            }
            verified.insert(digest, (identity.clone(), Instant::now()));
        }
        Ok(Some(identity))
    }
}

/// The secret of `Bearer <secret>` (scheme case-insensitive, RFC 9110 §11.1).
pub fn bearer_secret(value: &[u8]) -> Option<&str> {
    let value = std::str::from_utf8(value).ok()?;
    let (scheme, secret) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let secret = secret.trim();
    (!secret.is_empty()).then_some(secret)
}

/// The rate-limit bucket of a caller: its key once verified, else its address.
pub fn client_bucket(caller: &Caller, address: &str) -> String {
    match caller {
        Caller::Key(identity) => format!("key:{}", identity.key_id),
        _ => format!("addr:{address}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bearer_credentials_are_read() {
        assert_eq!(bearer_secret(b"Bearer gcm_abc"), Some("gcm_abc"));
        assert_eq!(bearer_secret(b"bearer  gcm_abc "), Some("gcm_abc"));
        assert_eq!(bearer_secret(b"Basic dXNlcjpwdw=="), None);
        assert_eq!(bearer_secret(b"Bearer"), None);
        assert_eq!(bearer_secret(b"Bearer "), None);
        assert_eq!(bearer_secret(&[0xff, 0x20, 0x41]), None);
    }
}
