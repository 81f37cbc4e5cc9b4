//! Persisted queries: Apollo's automatic persisted queries (APQ) and trusted documents.
//!
//! APQ: a request with `extensions.persistedQuery = { version: 1, sha256Hash }` and no
//! `query` runs the document registered under that hash, or gets
//! `PERSISTED_QUERY_NOT_FOUND` (message `PersistedQueryNotFound`, as Apollo clients expect);
//! the client then sends hash and query together, which registers the query once its hash
//! is checked. The cache is bounded (`GCM_APQ_CACHE_SIZE` documents, oldest out first).
//!
//! Trusted documents (`GCM_TRUSTED_DOCUMENTS=FILE`): only the documents in FILE run,
//! whether sent by hash or in full; anything else gets `PERSISTED_QUERY_NOT_ALLOWED`.
//! FILE is Apollo's persisted-query manifest (`{ "operations": [{ "id", "body" }] }`) or a
//! JSON object from SHA-256 hex to document.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::Refusal;
use crate::error::ErrorCode;

/// The registered documents by hash, and their hashes oldest first.
type Documents = (HashMap<String, Arc<str>>, VecDeque<String>);

#[derive(Debug)]
pub struct PersistedQueries {
    capacity: usize,
    cache: Mutex<Documents>,
    trusted: Option<HashMap<String, Arc<str>>>,
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The hash a request names in `extensions.persistedQuery.sha256Hash`, lowercased.
pub fn requested_hash(extensions: &Map<String, Value>) -> Option<String> {
    extensions
        .get("persistedQuery")
        .and_then(|persisted| persisted.get("sha256Hash"))
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
}

impl PersistedQueries {
    pub fn new(capacity: usize, trusted_file: Option<&Path>) -> Result<Self, String> {
        let trusted = trusted_file.map(read_manifest).transpose()?;
        Ok(Self {
            capacity,
            cache: Mutex::new(Default::default()),
            trusted,
        })
    }

    /// Only the trusted documents run (nothing is registered).
    pub fn trusted_only(&self) -> bool {
        self.trusted.is_some()
    }

    /// The document to run: the request's own, or the one its hash names.
    pub fn resolve(
        &self,
        query: Option<String>,
        extensions: &Map<String, Value>,
    ) -> Result<Option<String>, Refusal> {
        let hash = requested_hash(extensions);
        if let Some(trusted) = &self.trusted {
            let hash = match (&hash, &query) {
                (Some(hash), _) => hash.clone(),
                (None, Some(query)) => sha256_hex(query),
                (None, None) => return Ok(None),
            };
            return match trusted.get(&hash) {
                Some(document) => Ok(Some(document.to_string())),
                None => Err(Refusal::new(
                    ErrorCode::PersistedQueryNotAllowed,
                    "Only the server's trusted documents may run.",
                )),
            };
        }
        let Some(hash) = hash else {
            return Ok(query);
        };
        if self.capacity == 0 {
            return Err(Refusal::new(
                ErrorCode::PersistedQueryNotSupported,
                "PersistedQueryNotSupported",
            ));
        }
        match query {
            Some(query) => {
                if sha256_hex(&query) != hash {
                    return Err(Refusal::new(
                        ErrorCode::PersistedQueryHashMismatch,
                        "provided sha does not match query",
                    ));
                }
                self.register(hash, &query);
                Ok(Some(query))
            }
            None => {
                let found = self
                    .cache
                    .lock()
                    .ok()
                    .and_then(|cache| cache.0.get(&hash).cloned());
                match found {
                    Some(document) => Ok(Some(document.to_string())),
                    None => Err(Refusal::new(
                        ErrorCode::PersistedQueryNotFound,
                        "PersistedQueryNotFound",
                    )),
                }
            }
        }
    }

    /// Keeps `query` under `hash` (already checked to be its SHA-256).
    pub(super) fn register(&self, hash: String, query: &str) {
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        let (documents, order) = &mut *cache;
        if documents.contains_key(&hash) {
            return;
        }
        while documents.len() >= self.capacity {
            match order.pop_front() {
                Some(oldest) => {
                    documents.remove(&oldest);
                }
                None => break,
            }
        }
        documents.insert(hash.clone(), Arc::from(query));
        order.push_back(hash);
        metrics::gauge!("gcm_persisted_queries").set(documents.len() as f64);
    }
}

fn read_manifest(path: &Path) -> Result<HashMap<String, Arc<str>>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read GCM_TRUSTED_DOCUMENTS {}: {e}", path.display()))?;
    let manifest: Value = serde_json::from_str(&text)
        .map_err(|e| format!("GCM_TRUSTED_DOCUMENTS {} is not JSON: {e}", path.display()))?;
    let mut documents = HashMap::new();
    let entries: Vec<(String, String)> = match &manifest {
        Value::Object(map) if map.contains_key("operations") => map["operations"]
            .as_array()
            .map(|operations| {
                operations
                    .iter()
                    .filter_map(|operation| {
                        Some((
                            operation.get("id")?.as_str()?.to_owned(),
                            operation.get("body")?.as_str()?.to_owned(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        Value::Object(map) => map
            .iter()
            .filter_map(|(hash, body)| Some((hash.clone(), body.as_str()?.to_owned())))
            .collect(),
        _ => return Err("GCM_TRUSTED_DOCUMENTS must hold a JSON object".to_owned()),
    };
    for (hash, body) in entries {
        let actual = sha256_hex(&body);
        if actual != hash.to_ascii_lowercase() {
            return Err(format!(
                "trusted document {hash} does not hash to its id (SHA-256 is {actual})"
            ));
        }
        documents.insert(actual, Arc::from(body.as_str()));
    }
    Ok(documents)
}
