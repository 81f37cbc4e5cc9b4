//! OpenTelemetry: traces exported over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, read with the SDK's own `OTEL_*` variables
//! (protocol `http/protobuf`; `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_*`,
//! `OTEL_EXPORTER_OTLP_HEADERS`, …). `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`
//! turn it off.
//!
//! What is exported: the `request` span of every HTTP request (a server span that continues
//! the caller's W3C `traceparent`/`tracestate`), a `sql` span per statement (with its text)
//! and an `entities` span per `_entities` batch. Unset, nothing is built: no layer, no
//! exporter thread, and incoming trace headers are not even read.

use std::sync::OnceLock;

use axum::http::HeaderMap;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::HeaderExtractor;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Subscriber;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::registry::LookupSpan;

/// The service name a trace shows when `OTEL_SERVICE_NAME` does not name one.
pub const SERVICE_NAME: &str = "gcm-catalogue";

/// Whether spans are exported: set once, when the exporter is built.
static EXPORTING: OnceLock<()> = OnceLock::new();

/// Whether this process exports traces.
pub fn exporting() -> bool {
    EXPORTING.get().is_some()
}

/// The exporter, while the process runs; [`Telemetry::shutdown`] flushes what is queued.
pub struct Telemetry {
    provider: SdkTracerProvider,
}

impl Telemetry {
    /// The exporter the environment asks for, or `None` (nothing to export, or a setting
    /// the SDK refuses: then a warning on stderr, and the service runs without export).
    pub fn from_env() -> Option<Self> {
        if !wanted(|name| std::env::var(name).ok()) {
            return None;
        }
        let exporter = match opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .build()
        {
            Ok(exporter) => exporter,
            Err(e) => {
                eprintln!("warning: not exporting traces: the OTLP exporter cannot be built ({e})");
                return None;
            }
        };
        let mut resource = Resource::builder();
        if std::env::var_os("OTEL_SERVICE_NAME").is_none() {
            resource = resource.with_service_name(SERVICE_NAME);
        }
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource.build())
            .build();
        let _ = EXPORTING.set(());
        gcm_store::record_statement_texts();
        Some(Self { provider })
    }

    /// The layer that turns this crate's spans into exported ones: the request, statement
    /// and `_entities` spans at INFO, whatever `RUST_LOG` keeps for the logs.
    pub fn layer<S>(&self) -> impl Layer<S> + use<S>
    where
        S: Subscriber + for<'span> LookupSpan<'span>,
    {
        let targets = Targets::new()
            .with_target("gcm_server", LevelFilter::INFO)
            .with_target("gcm_graphql", LevelFilter::INFO)
            .with_target("gcm_store", LevelFilter::INFO);
        tracing_opentelemetry::layer()
            .with_tracer(self.provider.tracer(SERVICE_NAME))
            .with_filter(targets)
    }

    /// Exports what is still queued; called once, as the process ends.
    pub fn shutdown(self) {
        if let Err(e) = self.provider.shutdown() {
            eprintln!("warning: traces not all exported at exit ({e})");
        }
    }
}

/// Whether the `OTEL_*` variables ask for an exporter.
fn wanted(var: impl Fn(&str) -> Option<String>) -> bool {
    let set = |name: &str| var(name).is_some_and(|value| !value.trim().is_empty());
    let is = |name: &str, word: &str| {
        var(name).is_some_and(|value| value.trim().eq_ignore_ascii_case(word))
    };
    (set("OTEL_EXPORTER_OTLP_ENDPOINT") || set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
        && !is("OTEL_SDK_DISABLED", "true")
        && !is("OTEL_TRACES_EXPORTER", "none")
}

/// Makes `span` continue the trace of the caller's `traceparent` (and `tracestate`). A
/// header that is malformed (a bad version, an all-zero id) is ignored, per W3C Trace
/// Context: the span starts a trace of its own.
pub fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    if !exporting() {
        return;
    }
    let caller = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    // Fails only when the span is not recorded (filtered out): nothing to continue then.
    let _ = span.set_parent(caller);
}

#[cfg(test)]
mod tests {
    use super::wanted;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn an_endpoint_turns_export_on_and_the_standard_switches_turn_it_off() {
        assert!(!wanted(env(&[])));
        assert!(!wanted(env(&[("OTEL_EXPORTER_OTLP_ENDPOINT", " ")])));
        assert!(wanted(env(&[(
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "http://collector:4318"
        )])));
        assert!(wanted(env(&[(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "http://collector:4318/v1/traces"
        )])));
        for off in [
            ("OTEL_SDK_DISABLED", "TRUE"),
            ("OTEL_TRACES_EXPORTER", "none"),
        ] {
            assert!(!wanted(env(&[
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
                off
            ])));
        }
    }
}
