//! Subscriptions over HTTP, as routers and browsers speak them to `POST /graphql`: Apollo's
//! multipart protocol (`multipart/mixed;subscriptionSpec=1.0`, what Apollo Router and Hive
//! Router send a subgraph) and graphql-sse's distinct connections mode
//! (`text/event-stream`), on the real server: the same filter as over WebSocket, the
//! shared cap on open subscriptions, a dropped client's slot back at once, and the
//! protocol's own answers to what it cannot serve.

mod curation_support;

use std::time::Duration;

use curation_support::*;
use gcm_test_support::{TestDatabase, TestServer, content_type};
use serde_json::{Value, json};

/// What a router sends a subgraph when it forwards a subscription.
const MULTIPART: &str = "multipart/mixed;subscriptionSpec=\"1.0\", application/json";
const SSE: &str = "text/event-stream";

/// A portal's live panel: items newly published for one objective.
const LIVE_PANEL: &str = "subscription LivePanel($filter: ItemFilter) {
  itemPublished(filter: $filter) { __typename id title objectives { number } }
}";

/// An open stream, read chunk by chunk.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(server: &TestServer, accept: &str, body: Value) -> Self {
        let response = server.post_accepting(accept, &body).await;
        assert_eq!(response.status(), 200, "{accept}");
        Stream {
            response,
            buffer: String::new(),
        }
    }

    fn content_type(&self) -> String {
        content_type(&self.response)
    }

    /// The next frame: a multipart part's body or an SSE message, whole.
    async fn next_frame(&mut self, separator: &str) -> String {
        loop {
            if let Some(end) = self.buffer.find(separator) {
                let frame = self.buffer[..end].to_owned();
                self.buffer.drain(..end + separator.len());
                if !frame.trim().is_empty() {
                    return frame;
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(20), self.response.chunk())
                .await
                .expect("a frame within 20 s")
                .expect("reading the stream")
                .expect("the stream is still open");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next multipart part's JSON (heartbeats `{}` included).
    async fn next_part(&mut self) -> Value {
        let part = self.next_frame("--graphql").await;
        let (headers, body) = part
            .split_once("\r\n\r\n")
            .unwrap_or_else(|| panic!("a part with headers: {part:?}"));
        assert!(
            headers
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{headers:?}"
        );
        serde_json::from_str(body.trim()).unwrap_or_else(|e| panic!("{e}: {body:?}"))
    }

    /// The next multipart event, past heartbeats.
    async fn next_payload(&mut self) -> Value {
        loop {
            let part = self.next_part().await;
            if part != json!({}) {
                return part["payload"].clone();
            }
        }
    }

    /// The next SSE message as (event, data), past comments (heartbeats).
    async fn next_sse(&mut self) -> (String, String) {
        loop {
            let message = self.next_frame("\n\n").await;
            let (mut event, mut data) = (String::new(), String::new());
            for line in message.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    event = value.trim().to_owned();
                } else if let Some(value) = line.strip_prefix("data:") {
                    data.push_str(value.trim_start());
                }
            }
            if !event.is_empty() {
                return (event, data);
            }
        }
    }
}

fn live_panel(objective: i32) -> Value {
    json!({
        "query": LIVE_PANEL,
        "operationName": "LivePanel",
        "variables": { "filter": { "objectives": [objective] } },
    })
}

#[tokio::test]
async fn item_published_arrives_over_multipart_and_sse_filtered_as_over_websocket() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;
    let mut multipart = Stream::open(&server, MULTIPART, live_panel(22)).await;
    assert_eq!(
        multipart.content_type(),
        "multipart/mixed;boundary=\"graphql\";subscriptionSpec=\"1.0\""
    );
    let mut sse = Stream::open(&server, SSE, live_panel(22)).await;
    assert!(sse.content_type().starts_with("text/event-stream"));
    // Both are live once the server's first heartbeat arrives.
    assert_eq!(multipart.next_part().await, json!({}), "a heartbeat first");
    let first = sse.next_frame("\n\n").await;
    assert!(first.starts_with(':'), "an SSE comment first: {first:?}");

    publish(&server, &cast, "Not about social protection", json!([1])).await;
    publish(
        &server,
        &cast,
        "Portable pensions for migrant workers",
        json!([22]),
    )
    .await;

    let payload = multipart.next_payload().await;
    let item = &payload["data"]["itemPublished"];
    assert_eq!(
        item["title"], "Portable pensions for migrant workers",
        "{payload}"
    );
    assert_eq!(item["__typename"], "Resource");
    assert_eq!(item["objectives"], json!([{ "number": 22 }]));
    assert!(payload.get("errors").is_none(), "{payload}");

    let (event, data) = sse.next_sse().await;
    assert_eq!(event, "next");
    let data: Value = serde_json::from_str(&data).expect("JSON data");
    assert_eq!(
        data["data"]["itemPublished"], *item,
        "the same event: {data}"
    );
}

#[tokio::test]
async fn the_cap_on_open_subscriptions_is_shared_and_a_dropped_client_frees_its_slot() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start_with_env(
        BIN,
        &[("DATABASE_URL", db.url()), ("GCM_MAX_SUBSCRIBERS", "1")],
    )
    .await;
    let mut open = Stream::open(&server, SSE, live_panel(22)).await;
    open.next_frame("\n\n").await;
    let refused = server.post_accepting(MULTIPART, &live_panel(9)).await;
    assert_eq!(refused.status(), 503);
    let body: Value = refused.json().await.expect("a JSON body");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );
    // A query needs no slot.
    let query = server
        .post_accepting(
            MULTIPART,
            &json!({ "query": "{ objective(number: 22) { title } }" }),
        )
        .await;
    assert_eq!(query.status(), 200);

    drop(open);
    let mut reopened = false;
    for _ in 0..50 {
        let attempt = server.post_accepting(SSE, &live_panel(9)).await;
        if attempt.status() == 200 {
            reopened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(reopened, "the dropped client's slot did not come back");
}

/// POSTs `body` with `accept`: the status, the content type and the body.
async fn post(server: &TestServer, accept: &str, body: Value) -> (u16, String, String) {
    let response = server.post_accepting(accept, &body).await;
    let status = response.status().as_u16();
    let content_type = content_type(&response);
    (status, content_type, response.text().await.expect("body"))
}

fn code(body: &str) -> Value {
    let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    body["errors"][0]["extensions"]["code"].clone()
}

#[tokio::test]
async fn what_a_stream_cannot_carry_gets_the_protocols_own_answer() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start(BIN, db.url()).await;

    // An unknown subscriptionSpec, or an Accept with nothing servable: 406 in JSON.
    for accept in [
        "multipart/mixed;subscriptionSpec=\"2.0\"",
        "text/html",
        "application/xml",
    ] {
        let (status, content_type, body) = post(&server, accept, live_panel(22)).await;
        assert_eq!(status, 406, "{accept}: {body}");
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        assert_eq!(code(&body), "NOT_ACCEPTABLE", "{accept}");
    }
    // A subscription to a client that reads only JSON: told how to stream it.
    let (status, _, body) = post(&server, "application/json", live_panel(22)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(&body), "OPERATION_NOT_ALLOWED");
    // The same limits as every transport, before anything streams.
    let deep = json!({ "query": format!(
        "subscription {{ itemPublished {{ {} }} }}",
        "objectives { actions { objective { ".repeat(8) + "number" + &" } } }".repeat(8)
    ) });
    let (status, _, body) = post(&server, MULTIPART, deep).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(&body), "MAX_DEPTH_EXCEEDED");
    // A revoked or unknown key is refused as everywhere.
    let refused = server
        .http()
        .post(server.url("/graphql"))
        .header("accept", SSE)
        .bearer_auth("gcm_unknown_key")
        .json(&live_panel(22))
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), 401);

    // graphql-sse may subscribe with GET (Hive Gateway does), but GET never mutates.
    let get = |query: &str| {
        server
            .http()
            .get(server.url("/graphql"))
            .header("accept", SSE)
            .query(&[("query", query.to_owned())])
            .send()
    };
    let subscribed = get("subscription { itemPublished { id } }")
        .await
        .expect("GET");
    assert_eq!(subscribed.status(), 200);
    assert!(content_type(&subscribed).starts_with("text/event-stream"));
    drop(subscribed);
    let mutation = get("mutation { withdrawSubmission(id: \"x\") { id } }")
        .await
        .expect("GET");
    assert_eq!(mutation.status(), 405);
    assert_eq!(
        code(&mutation.text().await.expect("body")),
        "METHOD_NOT_ALLOWED"
    );

    // A query to a client that reads only SSE: one `next` event, then `complete`.
    let query = json!({ "query": "query Title { objective(number: 22) { title } }" });
    let (status, content_type, body) = post(&server, SSE, query.clone()).await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("text/event-stream"),
        "{content_type}"
    );
    let title = "Establish mechanisms for the portability of social security entitlements and earned benefits";
    let messages: Vec<&str> = body.split("\n\n").filter(|m| !m.is_empty()).collect();
    assert_eq!(messages.len(), 2, "{body:?}");
    let data: Value = serde_json::from_str(
        messages[0]
            .strip_prefix("event: next\ndata: ")
            .unwrap_or_else(|| panic!("{body:?}")),
    )
    .expect("JSON");
    assert_eq!(data["data"]["objective"]["title"], title);
    assert_eq!(messages[1], "event: complete\ndata:");
    // And to a router that also takes JSON: plain JSON.
    let (status, content_type, body) = post(&server, MULTIPART, query).await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("JSON")["data"]["objective"]["title"],
        title
    );
}
