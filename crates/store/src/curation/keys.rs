//! API keys: who may call the curation API, with which role and affiliation.
//!
//! A secret is 32 random bytes, shown once as `gcm_<base64url>`; only its SHA-256 is
//! stored. A keyed or slow hash adds nothing for a 256-bit random secret (it cannot be
//! guessed), and a plain digest lets a request find its key with one indexed lookup.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub use gcm_domain::{Affiliation, Role};

use super::submissions::{self, ReviewPolicy};
use super::{CurationError, CurationResult, audit};
use crate::schema::api_keys;

/// The visible prefix of every secret: tells a leaked string's origin at a glance.
pub const SECRET_PREFIX: &str = "gcm_";
const SECRET_BYTES: usize = 32;

/// A stored key without its hash (nothing outside this module ever reads the hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub id: i32,
    pub name: String,
    pub role: Role,
    pub affiliation: Affiliation,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Contributors see this key's name on its reviews (otherwise its reviews are anonymous
    /// to them).
    pub public: bool,
}

/// The caller of a request, resolved from a valid, unrevoked key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub key_id: i32,
    pub name: String,
    pub role: Role,
    pub affiliation: Affiliation,
}

/// A new key and its secret, which exists only in this value.
pub struct CreatedKey {
    pub key: ApiKeyRow,
    pub secret: String,
}

fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// True when `secret` has the shape of a secret this service issues.
pub fn is_well_formed(secret: &str) -> bool {
    secret.strip_prefix(SECRET_PREFIX).is_some_and(|rest| {
        URL_SAFE_NO_PAD
            .decode(rest)
            .is_ok_and(|bytes| bytes.len() == SECRET_BYTES)
    })
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    name: &str,
    role: Role,
    affiliation: Affiliation,
    public: bool,
) -> CurationResult<CreatedKey> {
    let name = &gcm_domain::text::TextField::line(gcm_domain::limits::KEY_NAME)
        .clean(name)
        .map_err(|e| CurationError::InvalidState(format!("a key's name {e}")))?;
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| {
        CurationError::Store(crate::StoreError::Corrupt(format!(
            "no randomness for a secret: {e}"
        )))
    })?;
    let secret = format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = digest(&secret).to_vec();
    let name = name.to_owned();
    let key = conn
        .transaction::<_, CurationError, _>(async move |conn| {
            let taken: i64 = api_keys::table
                .filter(api_keys::name.eq(&name))
                .count()
                .get_result(conn)
                .await?;
            if taken > 0 {
                return Err(CurationError::InvalidState(format!(
                    "a key named {name:?} exists already"
                )));
            }
            let key: ApiKeyRow = diesel::insert_into(api_keys::table)
                .values((
                    api_keys::name.eq(&name),
                    api_keys::role.eq(role.as_str()),
                    api_keys::affiliation.eq(affiliation.as_str()),
                    api_keys::secret_hash.eq(&hash),
                    api_keys::public.eq(public),
                ))
                .returning(ApiKeyRow::as_returning())
                .get_result(conn)
                .await?;
            audit::record(
                conn,
                None,
                "key.create",
                &format!("ApiKey:{name}"),
                None,
                Some(key_json(&key)),
            )
            .await?;
            Ok(key)
        })
        .await?;
    Ok(CreatedKey { key, secret })
}

pub async fn list(conn: &mut AsyncPgConnection) -> CurationResult<Vec<ApiKeyRow>> {
    Ok(api_keys::table
        .order(api_keys::id)
        .select(ApiKeyRow::as_select())
        .load(conn)
        .await?)
}

/// Revokes the key named `name`; revoking a revoked key is refused.
///
/// Its pending approvals are withdrawn in the same transaction: an approval of the current
/// revision of a submission still open (under review or with changes requested) stops
/// counting, and the policy decides that submission again from the reviews that remain.
/// Published items stay published; its rejections and requests for changes stand.
///
/// The key row is locked first (`FOR NO KEY UPDATE`, which leaves the foreign keys of other
/// rows free), and a review locks its reviewer's key (`FOR SHARE`) before the submission: a
/// review by this key either committed before (and is withdrawn here) or finds it revoked.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    name: &str,
    policy: ReviewPolicy,
) -> CurationResult<ApiKeyRow> {
    let name = name.to_owned();
    conn.transaction::<_, CurationError, _>(async move |conn| {
        let before: ApiKeyRow = api_keys::table
            .filter(api_keys::name.eq(&name))
            .select(ApiKeyRow::as_select())
            .for_no_key_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| CurationError::NotFound(format!("no key is named {name:?}")))?;
        if before.revoked_at.is_some() {
            return Err(CurationError::InvalidState(format!(
                "the key {name:?} is revoked already"
            )));
        }
        let after: ApiKeyRow = diesel::update(api_keys::table.find(before.id))
            .set(api_keys::revoked_at.eq(diesel::dsl::now))
            .returning(ApiKeyRow::as_returning())
            .get_result(conn)
            .await?;
        let withdrawn = submissions::withdraw_pending_approvals(conn, &after, policy).await?;
        let mut record = key_json(&after);
        record["withdrawnApprovals"] = serde_json::json!(withdrawn);
        audit::record(
            conn,
            None,
            "key.revoke",
            &format!("ApiKey:{name}"),
            Some(key_json(&before)),
            Some(record),
        )
        .await?;
        Ok(after)
    })
    .await
}

/// Why a presented secret does not identify anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    Malformed,
    Unknown,
    Revoked,
}

/// Finds the unrevoked key a secret belongs to.
pub async fn authenticate(
    conn: &mut AsyncPgConnection,
    secret: &str,
) -> CurationResult<Result<Identity, Rejected>> {
    if !is_well_formed(secret) {
        return Ok(Err(Rejected::Malformed));
    }
    let presented = digest(secret);
    let found: Option<(ApiKeyRow, Vec<u8>)> = api_keys::table
        .filter(api_keys::secret_hash.eq(presented.to_vec()))
        .select((ApiKeyRow::as_select(), api_keys::secret_hash))
        .first(conn)
        .await
        .optional()?;
    let Some((key, stored)) = found else {
        return Ok(Err(Rejected::Unknown));
    };
    // The lookup already matched the digest; comparing again in constant time keeps the
    // decision itself free of timing differences whatever the index does.
    if !bool::from(stored.as_slice().ct_eq(presented.as_slice())) {
        return Ok(Err(Rejected::Unknown));
    }
    if key.revoked_at.is_some() {
        return Ok(Err(Rejected::Revoked));
    }
    Ok(Ok(Identity {
        key_id: key.id,
        name: key.name,
        role: key.role,
        affiliation: key.affiliation,
    }))
}

/// What the audit trail keeps of a key: never its hash.
fn key_json(key: &ApiKeyRow) -> serde_json::Value {
    serde_json::json!({
        "name": key.name,
        "role": key.role,
        "affiliation": key.affiliation,
        "createdAt": key.created_at,
        "revokedAt": key.revoked_at,
        "public": key.public,
    })
}
