//! SIGINT/SIGTERM handling. The handlers are installed before anything starts, so a signal
//! that arrives while the embedded cluster is starting is not fatal: startup finishes, sees
//! the request, and everything is stopped in order.

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

/// A shutdown request that can be checked or awaited from anywhere.
#[derive(Debug, Clone)]
pub struct Shutdown(watch::Receiver<Option<&'static str>>);

impl Shutdown {
    /// Starts listening for SIGINT and SIGTERM.
    pub fn listen() -> std::io::Result<Self> {
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let (sender, receiver) = watch::channel(None);
        tokio::spawn(async move {
            let name = tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            };
            tracing::info!(signal = name, "shutting down");
            sender.send_replace(Some(name));
        });
        Ok(Self(receiver))
    }

    /// The signal received, if any.
    pub fn requested(&self) -> Option<&'static str> {
        *self.0.borrow()
    }

    /// Resolves when a signal has been received; returns its name.
    pub async fn wait(mut self) -> &'static str {
        let received = self
            .0
            .wait_for(Option::is_some)
            .await
            .map(|name| name.unwrap_or("signal"));
        match received {
            Ok(name) => name,
            // The listener is gone without a signal: nothing will ever request shutdown.
            Err(_) => std::future::pending().await,
        }
    }
}
