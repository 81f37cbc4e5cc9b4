//! An in-process cache of answers to anonymous queries, keyed by the document's hash, the
//! operation name and the variables; emptied when the catalogue's version changes (every
//! import bumps it), which is checked at most every `GCM_RESPONSE_CACHE_CHECK_MS`.
//! Bounded in entries (`GCM_RESPONSE_CACHE_SIZE`, oldest out first) and in bytes.
//! Metrics: `gcm_response_cache_hits_total`, `gcm_response_cache_misses_total`,
//! `gcm_response_cache_entries`, `gcm_response_cache_bytes`.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use gcm_store::Pool;
use serde_json::Value;

/// No answer larger than this is kept: a few huge answers must not evict everything.
const MAX_ENTRY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Cached {
    /// The encoded answer: a hit is a reference count, not a copy or a re-encoding.
    pub body: Bytes,
    /// The strong validator of `body`, computed once when the answer is stored.
    pub etag: Arc<str>,
    pub cache_control: Option<String>,
    pub operation: String,
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<String, (Cached, usize)>,
    order: VecDeque<String>,
    bytes: usize,
    version: Option<i64>,
    checked: Option<Instant>,
}

#[derive(Debug)]
pub struct ResponseCache {
    capacity: usize,
    max_bytes: usize,
    check_every: Duration,
    entries: Mutex<Entries>,
    /// One version check at a time; the others use what is known.
    checking: tokio::sync::Mutex<()>,
}

impl ResponseCache {
    /// `None` when `capacity` is 0 (caching off).
    pub fn new(capacity: usize, max_bytes: usize, check_every: Duration) -> Option<Self> {
        (capacity > 0).then(|| Self {
            capacity,
            max_bytes,
            check_every,
            entries: Mutex::new(Entries::default()),
            checking: tokio::sync::Mutex::new(()),
        })
    }

    pub fn key(document_hash: &str, operation_name: Option<&str>, variables: &Value) -> String {
        format!(
            "{document_hash}\n{}\n{variables}",
            operation_name.unwrap_or("")
        )
    }

    /// Empties the cache when the catalogue changed since the last check (at most one
    /// check per interval; a failed check empties it too, as nothing is known).
    pub async fn revalidate(&self, pool: &Pool) {
        let due = self
            .entries
            .lock()
            .map(|entries| {
                entries
                    .checked
                    .is_none_or(|at| at.elapsed() >= self.check_every)
            })
            .unwrap_or(false);
        if !due {
            return;
        }
        let Ok(_checking) = self.checking.try_lock() else {
            return;
        };
        let version = gcm_store::version::catalogue_version(pool).await.ok();
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.checked = Some(Instant::now());
        if version.is_none() || version != entries.version {
            entries.map.clear();
            entries.order.clear();
            entries.bytes = 0;
            entries.version = version;
            self.publish(&entries);
        }
    }

    /// The catalogue version the kept answers were computed at, when known.
    pub fn version(&self) -> Option<i64> {
        self.entries.lock().ok().and_then(|entries| entries.version)
    }

    pub fn get(&self, key: &str) -> Option<Cached> {
        let found = self
            .entries
            .lock()
            .ok()
            .and_then(|entries| entries.map.get(key).map(|(cached, _)| cached.clone()));
        if found.is_some() {
            metrics::counter!("gcm_response_cache_hits_total").increment(1);
        } else {
            metrics::counter!("gcm_response_cache_misses_total").increment(1);
        }
        found
    }

    /// Keeps an answer computed at catalogue `version`, if that is still the cache's and
    /// the answer is not too large; whether it was kept.
    pub fn insert(&self, version: i64, key: String, cached: Cached) -> bool {
        let size = key.len() + cached.body.len();
        if size > MAX_ENTRY_BYTES.min(self.max_bytes) {
            return false;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return false;
        };
        // Only answers computed for the version known now are kept.
        if entries.version != Some(version) {
            return false;
        }
        if let Some((_, old)) = entries.map.remove(&key) {
            entries.bytes -= old;
            entries.order.retain(|k| k != &key);
        }
        while entries.map.len() >= self.capacity || entries.bytes + size > self.max_bytes {
            let Some(oldest) = entries.order.pop_front() else {
                break;
            };
            if let Some((_, old)) = entries.map.remove(&oldest) {
                entries.bytes -= old;
            }
        }
        entries.bytes += size;
        entries.order.push_back(key.clone());
        entries.map.insert(key, (cached, size));
        self.publish(&entries);
        true
    }

    fn publish(&self, entries: &Entries) {
        metrics::gauge!("gcm_response_cache_entries").set(entries.map.len() as f64);
        metrics::gauge!("gcm_response_cache_bytes").set(entries.bytes as f64);
    }
}
