//! `Authorization: Bearer <secret>` → the request's [`Caller`].
//!
//! Requests without the header are anonymous (public reads need no key). A header that is
//! not a well-formed bearer secret, or whose secret is unknown or revoked, makes the caller
//! `Rejected`: resolvers that need a key answer `UNAUTHENTICATED`. Secrets are never logged
//! (the request logs carry no headers) and only their digest reaches the database.

use async_graphql::ErrorExtensions;
use axum::http::{HeaderMap, header};
use gcm_graphql::Caller;
use gcm_graphql::error::ApiError;
use gcm_store::Pool;
use gcm_store::curation::CurationError;
use gcm_store::curation::keys::{self, Rejected};

/// Resolves the caller; `Err` carries the GraphQL error to answer with when the database
/// cannot be asked.
pub async fn caller(pool: &Pool, headers: &HeaderMap) -> Result<Caller, async_graphql::Error> {
    caller_for(pool, headers.get(header::AUTHORIZATION)).await
}

/// [`caller`] from the `Authorization` header's value alone.
pub async fn caller_for(
    pool: &Pool,
    authorization: Option<&axum::http::HeaderValue>,
) -> Result<Caller, async_graphql::Error> {
    let Some(value) = authorization else {
        return Ok(Caller::Anonymous);
    };
    let Some(secret) = bearer_secret(value.as_bytes()) else {
        return Ok(Caller::Rejected(Rejected::Malformed));
    };
    if !keys::is_well_formed(secret) {
        return Ok(Caller::Rejected(Rejected::Malformed));
    }
    let mut conn = pool
        .get()
        .await
        .map_err(|e| ApiError::from(gcm_store::StoreError::from(e)).extend())?;
    match keys::authenticate(&mut conn, secret).await {
        Ok(Ok(identity)) => Ok(Caller::Key(identity)),
        Ok(Err(rejected)) => Ok(Caller::Rejected(rejected)),
        Err(CurationError::Store(e)) => Err(ApiError::from(e).extend()),
        Err(_) => Err(ApiError::Internal.extend()),
    }
}

/// The secret of `Bearer <secret>` (scheme case-insensitive, RFC 9110 §11.1).
fn bearer_secret(value: &[u8]) -> Option<&str> {
    let value = std::str::from_utf8(value).ok()?;
    let (scheme, secret) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let secret = secret.trim();
    (!secret.is_empty()).then_some(secret)
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
