//! `/graphql` over HTTP: POST, GET, GraphiQL for browsers, and a graceful stop.

mod ops_support;

use gcm_test_support::TestDatabase;
use ops_support::{Server, graphql, http};

#[tokio::test]
async fn graphql_answers_post_and_get_and_shows_graphiql_to_browsers() {
    let database = TestDatabase::migrated().await;
    let server = Server::start(&[("DATABASE_URL", database.url())]).await;

    let body = graphql(&server, "{ __typename }").await;
    assert_eq!(body["data"]["__typename"], "Query", "{body}");

    let response = http()
        .get(server.url("/graphql?query=%7B__typename%7D"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("GET /graphql");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["__typename"], "Query", "{body}");

    let response = http()
        .get(server.url("/graphql"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("GET /graphql as a browser");
    assert_eq!(response.status(), 200);
    let page = response.text().await.expect("html");
    assert!(page.to_lowercase().contains("graphiql"), "{page}");

    let body = graphql(&server, "{ noSuchField }").await;
    assert!(
        body["errors"].is_array(),
        "an invalid query must report errors: {body}"
    );

    let (status, log) = server.terminate().await;
    assert_eq!(
        status.code(),
        Some(0),
        "serve must exit 0 on SIGTERM; log:\n{log}"
    );
    assert!(
        log.contains("GET"),
        "requests are not logged (TraceLayer):\n{log}"
    );
}

#[tokio::test]
async fn serve_refuses_an_address_it_cannot_bind() {
    let database = TestDatabase::migrated().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = taken.local_addr().expect("address").to_string();
    let log = Server::try_start(&[("DATABASE_URL", database.url()), ("GCM_LISTEN", &address)])
        .await
        .err()
        .expect("serve must fail on a taken address");
    assert!(
        log.contains("cannot listen on") && log.contains("GCM_LISTEN"),
        "{log}"
    );
}

/// Sends `content_length` bytes of body (or, with `None`, a chunked body that never ends)
/// the way a plain client does: the whole body first, then the answer. Returns the status
/// line, the headers and the body of the answer.
fn send_then_read(address: &str, content_length: Option<usize>) -> (String, String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .expect("timeout");
    let head = match content_length {
        Some(length) => format!(
            "POST /graphql HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n"
        ),
        None => format!(
            "POST /graphql HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
        ),
    };
    stream.write_all(head.as_bytes()).expect("head");
    let chunk = vec![b' '; 64 * 1024];
    match content_length {
        Some(length) => {
            let mut left = length;
            while left > 0 {
                let n = left.min(chunk.len());
                stream
                    .write_all(&chunk[..n])
                    .expect("the server reads the whole body");
                left -= n;
            }
        }
        None => {
            // Never ends: the server must cut it off, within its drain bounds.
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            let started = std::time::Instant::now();
            while stream.write_all(&framed).is_ok() {
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(120),
                    "an endless body was never cut off"
                );
            }
        }
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (
        status.to_owned(),
        headers.to_ascii_lowercase(),
        body.to_owned(),
    )
}

#[tokio::test]
async fn every_oversized_body_gets_the_same_json_413_that_the_client_can_read() {
    let database = TestDatabase::migrated().await;
    let server = Server::start(&[("DATABASE_URL", database.url())]).await;
    let address = server
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    for length in [
        Some(300 * 1024),
        Some(5 * 1024 * 1024),
        Some(64 * 1024 * 1024),
        None,
    ] {
        let address = address.clone();
        let (status, headers, body) =
            tokio::task::spawn_blocking(move || send_then_read(&address, length))
                .await
                .expect("the client");
        assert!(status.starts_with("HTTP/1.1 413"), "{length:?}: {status}");
        assert!(
            headers.contains("connection: close"),
            "{length:?}: {headers}"
        );
        assert!(
            headers.contains("content-type: application/json"),
            "{length:?}: {headers}"
        );
        let body: serde_json::Value = serde_json::from_str(body.trim()).expect("a JSON body");
        let extensions = &body["errors"][0]["extensions"];
        assert_eq!(
            extensions["code"], "MAX_BODY_SIZE_EXCEEDED",
            "{length:?}: {body}"
        );
        assert_eq!(extensions["limit"], 256 * 1024, "{length:?}: {body}");
    }
    let body = graphql(&server, "{ __typename }").await;
    assert_eq!(body["data"]["__typename"], "Query", "still serving: {body}");
}
