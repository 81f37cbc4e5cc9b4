//! OpenTelemetry across the hop, with the real server: a router's `traceparent` and
//! `tracestate` are continued, and the spans (request, SQL statements, the `_entities` batch)
//! arrive over OTLP/HTTP (protobuf) at a receiver this test runs. A malformed `traceparent`
//! starts a trace of its own and the request is answered as usual.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::routing::post;
use gcm_test_support::{TestDatabase, TestServer};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_gcm-catalogue");

/// What a partner's router sends on: its trace, the span of its subgraph fetch, sampled.
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const ROUTER_SPAN_ID: &str = "00f067aa0ba902b7";
const TRACESTATE: &str = "hive=router-1,congo=t61rcWkgMzE";

/// An OTLP/HTTP trace receiver: every span exported to `POST /v1/traces`.
#[derive(Clone, Default)]
struct Receiver {
    spans: Arc<Mutex<Vec<Span>>>,
}

async fn receive(
    State(receiver): State<Receiver>,
    body: Bytes,
) -> (StatusCode, [(header::HeaderName, &'static str); 1], Vec<u8>) {
    let protobuf = [(header::CONTENT_TYPE, "application/x-protobuf")];
    let Ok(export) = ExportTraceServiceRequest::decode(body) else {
        return (StatusCode::BAD_REQUEST, protobuf, Vec::new());
    };
    let spans = export
        .resource_spans
        .into_iter()
        .flat_map(|resource| resource.scope_spans)
        .flat_map(|scope| scope.spans);
    if let Ok(mut kept) = receiver.spans.lock() {
        kept.extend(spans);
    }
    (
        StatusCode::OK,
        protobuf,
        ExportTraceServiceResponse::default().encode_to_vec(),
    )
}

impl Receiver {
    async fn start() -> (Self, String) {
        let receiver = Self::default();
        let app = Router::new()
            .route("/v1/traces", post(receive))
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the receiver");
        let url = format!("http://{}", listener.local_addr().expect("its address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    /// The spans received so far.
    fn spans(&self) -> Vec<Span> {
        self.spans
            .lock()
            .map(|spans| spans.clone())
            .unwrap_or_default()
    }

    /// Waits (the exporter sends in batches) until a span satisfies `found`.
    async fn wait_for(&self, what: &str, found: impl Fn(&Span) -> bool) -> Span {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(span) = self.spans().into_iter().find(|span| found(span)) {
                return span;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} span exported; received: {:#?}",
                self.spans()
                    .iter()
                    .map(|span| (&span.name, hex(&span.trace_id), attributes(span)))
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// An attribute's value as text.
fn text(value: Option<&AnyValue>) -> String {
    match value {
        Some(AnyValue::StringValue(text)) => text.clone(),
        Some(AnyValue::IntValue(number)) => number.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}

/// A span's attributes as text: `key=value`.
fn attributes(span: &Span) -> Vec<String> {
    span.attributes
        .iter()
        .map(|attribute| {
            let value = attribute
                .value
                .as_ref()
                .and_then(|value| value.value.as_ref());
            format!("{}={}", attribute.key, text(value))
        })
        .collect()
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|attribute| attribute.key == key)
        .map(|attribute| {
            text(
                attribute
                    .value
                    .as_ref()
                    .and_then(|value| value.value.as_ref()),
            )
        })
}

async fn post_graphql(server: &TestServer, headers: &[(&str, &str)], body: &Value) -> Value {
    let mut request = server.http().post(server.url("/graphql")).json(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    assert_eq!(response.status(), 200, "{headers:?}");
    let answer: Value = response.json().await.expect("a JSON answer");
    assert!(answer.get("errors").is_none(), "{answer}");
    answer
}

async fn traced_server(receiver_url: &str, db: &TestDatabase) -> TestServer {
    TestServer::start_with_env(
        BIN,
        &[
            ("DATABASE_URL", db.url()),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver_url),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_routers_trace_is_continued_down_to_each_sql_statement_and_the_entities_batch() {
    let (receiver, receiver_url) = Receiver::start().await;
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = traced_server(&receiver_url, &db).await;

    let traceparent = format!("00-{TRACE_ID}-{ROUTER_SPAN_ID}-01");
    let partner_query = include_str!("clients/partner_entities.graphql");
    let answer = post_graphql(
        &server,
        &[
            ("traceparent", &traceparent),
            ("tracestate", TRACESTATE),
            ("x-request-id", "router-fetch-1"),
        ],
        &json!({
            "query": partner_query,
            "variables": { "representations": [
                { "__typename": "Country", "iso3": "PER" },
                { "__typename": "Country", "iso3": "ZAF" },
                { "__typename": "Objective", "number": 22 },
            ] },
        }),
    )
    .await;
    assert_eq!(answer["data"]["_entities"][0]["name"], "Peru");

    // The request span is the child of the router's span, in the router's trace.
    let request = receiver
        .wait_for("request", |span| {
            span.name == "request"
                && attribute(span, "request_id").as_deref() == Some("router-fetch-1")
        })
        .await;
    assert_eq!(hex(&request.trace_id), TRACE_ID);
    assert_eq!(hex(&request.parent_span_id), ROUTER_SPAN_ID);
    assert_eq!(request.trace_state, TRACESTATE);
    assert_eq!(request.kind, SpanKind::Server as i32);
    assert_eq!(
        attribute(&request, "operation").as_deref(),
        Some("PartnerEntities")
    );

    // The `_entities` batch, a child of the request.
    let entities = receiver
        .wait_for("entities", |span| {
            span.name == "entities" && hex(&span.trace_id) == TRACE_ID
        })
        .await;
    assert_eq!(entities.parent_span_id, request.span_id);
    assert_eq!(
        attribute(&entities, "representations").as_deref(),
        Some("3")
    );

    // The statements that answered it: client spans under the request, with their text.
    let sql = receiver
        .wait_for("sql", |span| {
            span.name == "sql"
                && hex(&span.trace_id) == TRACE_ID
                && attribute(span, "db.query.text").is_some_and(|text| text.contains("countries"))
        })
        .await;
    assert_eq!(sql.parent_span_id, request.span_id);
    assert_eq!(sql.kind, SpanKind::Client as i32);
    assert_eq!(
        attribute(&sql, "db.system.name").as_deref(),
        Some("postgresql")
    );
    let text = attribute(&sql, "db.query.text").unwrap_or_default();
    assert!(
        !text.contains("binds") && !text.contains("PER"),
        "the statement's text, without the request's values: {text}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_traceparent_starts_a_fresh_trace_and_the_request_is_answered() {
    let (receiver, receiver_url) = Receiver::start().await;
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = traced_server(&receiver_url, &db).await;

    let zero_trace = "0".repeat(32);
    let malformed = [
        // Version ff is forbidden; 00 with an all-zero trace id or parent id is invalid.
        format!("ff-{TRACE_ID}-{ROUTER_SPAN_ID}-01"),
        format!("00-{zero_trace}-{ROUTER_SPAN_ID}-01"),
        format!("00-{TRACE_ID}-0000000000000000-01"),
        format!("00-{TRACE_ID}-{ROUTER_SPAN_ID}"),
        "not a traceparent".to_owned(),
    ];
    for (index, traceparent) in malformed.iter().enumerate() {
        let request_id = format!("malformed-{index}");
        let answer = post_graphql(
            &server,
            &[
                ("traceparent", traceparent),
                ("tracestate", TRACESTATE),
                ("x-request-id", &request_id),
            ],
            &json!({ "query": "query Numbers { objectives { number } }" }),
        )
        .await;
        assert_eq!(answer["data"]["objectives"][0]["number"], 1);

        let request = receiver
            .wait_for(&request_id, |span| {
                span.name == "request"
                    && attribute(span, "request_id").as_deref() == Some(&request_id)
            })
            .await;
        let trace_id = hex(&request.trace_id);
        assert_ne!(trace_id, TRACE_ID, "{traceparent}");
        assert_ne!(trace_id, zero_trace, "{traceparent}");
        assert!(
            request.parent_span_id.is_empty(),
            "{traceparent}: a root span, not a child of {:?}",
            hex(&request.parent_span_id)
        );
        assert_eq!(
            request.trace_state, "",
            "{traceparent}: no caller's tracestate"
        );
    }
}
