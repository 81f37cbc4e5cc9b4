//! A cap on heavy operations in flight. A whole-catalogue walk holds tens of thousands of
//! objects while it runs; 64 at once took the server past 1.5 GiB (issue 17). Operations
//! whose requested cost reaches `GCM_HEAVY_COST` take one of `GCM_MAX_HEAVY_IN_FLIGHT`
//! slots; the rest queue for one. A request whose expected wait (the queue ahead of it,
//! times the recent running time of heavy operations) would pass its budget is refused at
//! once with `SERVICE_UNAVAILABLE` and `retryAfter`, never left to hang or dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::Refusal;
use crate::error::ErrorCode;

pub(crate) struct HeavyGate {
    /// Requested cost from which an operation is heavy.
    threshold: u64,
    slots: usize,
    permits: Arc<Semaphore>,
    /// The longest a queued request waits for a slot.
    max_wait: Duration,
    waiting: AtomicUsize,
    /// Moving average of a heavy operation's running time, in microseconds.
    mean_micros: AtomicU64,
}

/// A heavy operation's slot; the gate learns its running time when it is returned.
pub(crate) struct HeavySlot<'a> {
    gate: &'a HeavyGate,
    started: Instant,
    _permit: OwnedSemaphorePermit,
}

impl Drop for HeavySlot<'_> {
    fn drop(&mut self) {
        let micros = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        // An exponential moving average (1/8 weight to the newest): adapts within a few
        // operations, and one outlier does not close the queue.
        let _ = self
            .gate
            .mean_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |mean| {
                Some(if mean == 0 {
                    micros
                } else {
                    mean - mean / 8 + micros / 8
                })
            });
    }
}

impl HeavyGate {
    /// `None` when `slots` is 0 (no cap).
    pub(crate) fn new(threshold: u64, slots: usize, max_wait: Duration) -> Option<Self> {
        (slots > 0).then(|| Self {
            threshold,
            slots,
            permits: Arc::new(Semaphore::new(slots)),
            max_wait,
            waiting: AtomicUsize::new(0),
            mean_micros: AtomicU64::new(0),
        })
    }

    /// A slot for an operation of `cost`: none needed below the threshold; at once when one
    /// is free; after a bounded wait otherwise.
    pub(crate) async fn admit(&self, cost: u64) -> Result<Option<HeavySlot<'_>>, Refusal> {
        if cost < self.threshold {
            return Ok(None);
        }
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(Some(self.slot(permit)));
        }
        let ahead = self.waiting.fetch_add(1, Ordering::Relaxed) + 1;
        let mean = Duration::from_micros(self.mean_micros.load(Ordering::Relaxed));
        let rounds = u32::try_from(ahead.div_ceil(self.slots)).unwrap_or(u32::MAX);
        let expected = mean.saturating_mul(rounds);
        let outcome = if expected > self.max_wait {
            Err(expected)
        } else {
            tokio::time::timeout(self.max_wait, self.permits.clone().acquire_owned())
                .await
                .map_err(|_| self.max_wait)
                .and_then(|permit| permit.map_err(|_| self.max_wait))
        };
        self.waiting.fetch_sub(1, Ordering::Relaxed);
        match outcome {
            Ok(permit) => Ok(Some(self.slot(permit))),
            Err(wait) => {
                metrics::counter!("gcm_heavy_refusals_total").increment(1);
                Err(Refusal::new(
                    ErrorCode::ServiceUnavailable,
                    format!(
                        "the server is running its most heavy operations ({} at once); \
                         retry later or ask for less",
                        self.slots
                    ),
                )
                .with("retryAfter", wait.as_secs().max(1)))
            }
        }
    }

    fn slot(&self, permit: OwnedSemaphorePermit) -> HeavySlot<'_> {
        HeavySlot {
            gate: self,
            started: Instant::now(),
            _permit: permit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn light_operations_pass_heavy_ones_queue_and_a_hopeless_wait_is_refused() {
        let gate = HeavyGate::new(100, 1, Duration::from_millis(200)).expect("a gate");
        assert!(gate.admit(99).await.expect("light").is_none());
        let first = gate.admit(100).await.expect("a free slot");
        assert!(first.is_some());
        // Queued behind it: the wait is bounded by max_wait, then refused with retryAfter.
        let refused = gate.admit(500).await.err().expect("no slot in time");
        assert_eq!(refused.code, ErrorCode::ServiceUnavailable);
        assert_eq!(refused.extension("retryAfter"), Some(&serde_json::json!(1)));
        drop(first);
        // The slot is back, and the gate now knows how long heavy operations run.
        assert!(gate.admit(100).await.expect("the slot again").is_some());
        assert!(gate.mean_micros.load(Ordering::Relaxed) > 0);
    }
}
