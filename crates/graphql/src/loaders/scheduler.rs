//! Deterministic batching for one request.
//!
//! async-graphql's `DataLoader` collects keys, then runs the batch from a spawned task
//! after a short timer. On a multi-threaded runtime that task may fire while the request
//! is still registering the keys of a level (a large level, a slow build), splitting one
//! level into several statements. Here the loader's "spawn" only queues the batch task;
//! [`Batches::drive`] polls the request first and the queued batches only once the
//! request has gone idle, so every key one level registers lands in the same batch.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};

/// The queue the loader's spawner pushes batch tasks into.
#[derive(Clone, Default)]
pub struct Batches {
    queued: Arc<Mutex<Vec<BoxFuture<'static, ()>>>>,
}

impl Batches {
    /// The spawner to hand to `DataLoader`: queue, never run directly.
    pub fn spawner(&self) -> impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static {
        let queued = self.queued.clone();
        move |task| {
            if let Ok(mut queued) = queued.lock() {
                queued.push(task);
            }
        }
    }

    /// Runs `request` to completion, polling queued batch tasks whenever it is idle.
    pub fn drive<F: Future>(self, request: F) -> Driven<F> {
        Driven {
            request: Box::pin(request),
            batches: self,
            running: FuturesUnordered::new(),
        }
    }
}

pub struct Driven<F: Future> {
    request: Pin<Box<F>>,
    batches: Batches,
    running: FuturesUnordered<BoxFuture<'static, ()>>,
}

/// Most times the request is polled in a row while it keeps waking itself (long lists
/// yield to be fair); past that, pending batches run anyway.
const MAX_SELF_WAKES: usize = 10_000;

/// Forwards wake-ups and remembers whether one came: a future that wakes itself during
/// its own poll is not idle, it only paused.
struct WakeFlag {
    woken: AtomicBool,
    inner: Waker,
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

impl<F: Future> Driven<F> {
    /// Polls the request until it is ready or idle (pending without having woken itself).
    fn poll_request(&mut self, cx: &mut Context<'_>) -> Poll<F::Output> {
        for _ in 0..MAX_SELF_WAKES {
            let flag = Arc::new(WakeFlag {
                woken: AtomicBool::new(false),
                inner: cx.waker().clone(),
            });
            let waker = Waker::from(flag.clone());
            if let Poll::Ready(output) =
                self.request.as_mut().poll(&mut Context::from_waker(&waker))
            {
                return Poll::Ready(output);
            }
            if !flag.woken.load(Ordering::SeqCst) {
                break;
            }
        }
        Poll::Pending
    }
}

impl<F: Future> Future for Driven<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        loop {
            if let Poll::Ready(output) = this.poll_request(cx) {
                return Poll::Ready(output);
            }
            // The request is idle: everything it could register is queued.
            let queued: Vec<_> = this
                .batches
                .queued
                .lock()
                .map(|mut q| std::mem::take(&mut *q))
                .unwrap_or_default();
            this.running.extend(queued);
            let mut finished = false;
            while let Poll::Ready(Some(())) = this.running.poll_next_unpin(cx) {
                finished = true;
            }
            // A finished batch woke the request: poll it again at once. Otherwise the
            // database (or a batch's timer) wakes us when there is progress to make.
            if !finished {
                return Poll::Pending;
            }
        }
    }
}
