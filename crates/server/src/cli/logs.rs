//! The process's logs.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Logs go to stderr from a writer thread of their own: a worker that logs must never
/// wait on a slow or stalled reader of stderr (the benchmark once stalled the whole
/// service that way). Lines beyond the writer's queue are dropped, not waited for.
/// Keep the guard until the end: dropping it flushes the queue.
pub(super) fn init_tracing(
    filter: &str,
    format: crate::config::LogFormat,
) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|e| {
        eprintln!("warning: ignoring the log filter {filter:?} ({e}); using `info`");
        EnvFilter::new("info")
    });
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        crate::config::LogFormat::Json => logs.json().init(),
        crate::config::LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
    }
    guard
}
