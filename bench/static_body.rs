//! The benchmark's reference row: a bare axum handler that answers every POST to /graphql
//! with the bytes of one file (a response of our service, captured by the runner). What it
//! reaches is the ceiling for any server on this machine returning that many bytes.
//!
//! Usage: static-body BODY_FILE [ADDR]; prints `listening on http://ADDR` once bound.

use anyhow::Context;
use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::post;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().context("usage: static-body BODY_FILE [ADDR]")?;
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let body = Bytes::from(std::fs::read(&path).with_context(|| format!("cannot read {path}"))?);
    let app = Router::new().route(
        "/graphql",
        post(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
