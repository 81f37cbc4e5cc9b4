//! Live updates: a subscriber on one server process receives, over WebSocket
//! (`graphql-transport-ws`), the publications made through another process on the same
//! database, filtered; the connection limit refuses one connection too many.

mod curation_support;
mod ws_support;

use std::time::Duration;

use curation_support::*;
use futures::SinkExt;
use gcm_test_support::{TestDatabase, TestServer};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use ws_support::{Socket, connect, next_json};

async fn subscribe(server: &TestServer, filter: Value) -> Socket {
    let mut socket = connect(server).await.expect("connecting");
    socket
        .send(Message::Text(
            json!({ "type": "connection_init" }).to_string().into(),
        ))
        .await
        .expect("connection_init");
    assert_eq!(next_json(&mut socket).await["type"], "connection_ack");
    let subscribe = json!({
        "id": "1",
        "type": "subscribe",
        "payload": {
            "query": "subscription($filter: ItemFilter) { itemPublished(filter: $filter) { __typename id title objectives { number } } }",
            "variables": { "filter": filter }
        }
    });
    socket
        .send(Message::Text(subscribe.to_string().into()))
        .await
        .expect("subscribe");
    socket
}

#[tokio::test]
async fn a_subscriber_on_one_process_receives_publications_made_through_another() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let (listening, publishing) = tokio::join!(
        TestServer::start(BIN, db.url()),
        TestServer::start(BIN, db.url())
    );
    let mut objective_9 = subscribe(&listening, json!({ "objectives": [9] })).await;
    let mut everything = subscribe(&listening, Value::Null).await;
    // Let both subscriptions reach the server before anything is published.
    tokio::time::sleep(Duration::from_millis(500)).await;

    publish(&publishing, &cast, "Not about smuggling", json!([1])).await;
    publish(&publishing, &cast, "Countering smuggling", json!([9, 22])).await;

    let first = next_json(&mut everything).await;
    assert_eq!(first["type"], "next", "{first}");
    assert_eq!(
        first["payload"]["data"]["itemPublished"]["title"],
        "Not about smuggling"
    );
    let second = next_json(&mut everything).await;
    assert_eq!(
        second["payload"]["data"]["itemPublished"]["title"],
        "Countering smuggling"
    );

    // The filtered subscriber gets only the match.
    let only = next_json(&mut objective_9).await;
    assert_eq!(only["type"], "next", "{only}");
    let item = &only["payload"]["data"]["itemPublished"];
    assert_eq!(item["__typename"], "Resource");
    assert_eq!(item["title"], "Countering smuggling");
    assert_eq!(
        item["objectives"],
        json!([{ "number": 9 }, { "number": 22 }])
    );

    // A restore is a publication too; a retraction is not.
    let retract = "mutation($id: ID!) { retractItem(id: $id, reason: \"check\") { id } }";
    let restore = "mutation($id: ID!) { restoreItem(id: $id) { title } }";
    data(
        &publishing,
        Some(&cast.admin),
        retract,
        json!({ "id": item["id"] }),
    )
    .await;
    data(
        &publishing,
        Some(&cast.admin),
        restore,
        json!({ "id": item["id"] }),
    )
    .await;
    let again = next_json(&mut objective_9).await;
    assert_eq!(
        again["payload"]["data"]["itemPublished"]["title"],
        "Countering smuggling"
    );
}

/// A socket's events are resolved afresh: nothing a connection read before (an item's
/// links, here) is served again from a cache that outlives one event.
#[tokio::test]
async fn each_event_on_an_open_socket_reads_the_catalogue_as_it_is_now() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let cast = Cast::create(&db);
    let server = TestServer::start(BIN, db.url()).await;
    let mut socket = subscribe(&server, Value::Null).await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    publish(&server, &cast, "Links that change", json!([9])).await;
    let first = next_json(&mut socket).await;
    let item = &first["payload"]["data"]["itemPublished"];
    assert_eq!(item["objectives"], json!([{ "number": 9 }]), "{first}");

    // An admin ties it to another objective, retracts it and restores it (a publication).
    let id = json!({ "id": item["id"] });
    let relink =
        "mutation($id: ID!) { setItemLinks(id: $id, links: { objectives: [9, 10] }) { id } }";
    data(&server, Some(&cast.admin), relink, id.clone()).await;
    let retract = "mutation($id: ID!) { retractItem(id: $id, reason: \"check\") { id } }";
    data(&server, Some(&cast.admin), retract, id.clone()).await;
    let restore = "mutation($id: ID!) { restoreItem(id: $id) { id } }";
    data(&server, Some(&cast.admin), restore, id).await;

    let again = next_json(&mut socket).await;
    assert_eq!(
        again["payload"]["data"]["itemPublished"]["objectives"],
        json!([{ "number": 9 }, { "number": 10 }]),
        "the event carries the links as they are now: {again}"
    );
}

#[tokio::test]
async fn connections_beyond_the_limit_are_refused() {
    let db = TestDatabase::with_bundled_catalogue().await;
    let server = TestServer::start_with_env(
        BIN,
        &[("DATABASE_URL", db.url()), ("GCM_MAX_SUBSCRIBERS", "1")],
    )
    .await;
    let first = connect(&server).await.expect("the first connection");
    match connect(&server).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503);
        }
        other => panic!(
            "a second connection was not refused: {:?}",
            other.map(|_| ())
        ),
    }
    drop(first);
    // The permit comes back when the connection closes.
    let mut reopened = None;
    for _ in 0..50 {
        if let Ok(socket) = connect(&server).await {
            reopened = Some(socket);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        reopened.is_some(),
        "the closed connection's permit was not returned"
    );
}
