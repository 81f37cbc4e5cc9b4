//! The process's logs, and its traces when OpenTelemetry export is configured.

use std::io::IsTerminal;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::telemetry::Telemetry;

/// What must outlive the command: the log writer (dropping it flushes the queued lines)
/// and the trace exporter (shut down first, so its own warnings still reach stderr).
pub(super) struct Logs {
    _writer: tracing_appender::non_blocking::WorkerGuard,
    telemetry: Option<Telemetry>,
}

impl Drop for Logs {
    fn drop(&mut self) {
        if let Some(telemetry) = self.telemetry.take() {
            telemetry.shutdown();
        }
    }
}

/// Logs go to stderr from a writer thread of their own: a worker that logs must never
/// wait on a slow or stalled reader of stderr (the benchmark once stalled the whole
/// service that way). Lines beyond the writer's queue are dropped, not waited for.
/// `RUST_LOG` filters the logs only; exported traces have their own filter
/// ([`Telemetry::layer`]). `traces` asks for the exporter the `OTEL_*` variables describe.
pub(super) fn init_tracing(filter: &str, format: crate::config::LogFormat, traces: bool) -> Logs {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|e| {
        eprintln!("warning: ignoring the log filter {filter:?} ({e}); using `info`");
        EnvFilter::new("info")
    });
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    let logs = tracing_subscriber::fmt::layer().with_writer(writer);
    let logs = match format {
        crate::config::LogFormat::Json => logs.json().boxed(),
        crate::config::LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).boxed(),
    };
    let telemetry = traces.then(Telemetry::from_env).flatten();
    tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .with(telemetry.as_ref().map(Telemetry::layer))
        .init();
    Logs {
        _writer: guard,
        telemetry,
    }
}
