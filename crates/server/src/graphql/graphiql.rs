//! GraphiQL for a browser's GET of `/graphql`: the page and its assets are in the binary
//! (built from the npm packages pinned in `assets/graphiql/package-lock.json` by
//! `assets/graphiql/update.sh`), so it works with no internet: the documentation explorer,
//! the query history, the headers editor (`Authorization: Bearer …`), and subscriptions
//! over `/graphql/ws`.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

pub const ASSETS_PATH: &str = "/graphiql/{file}";

const PAGE: &str = include_str!("graphiql.html");

/// The assets, gzipped once when they are built: (name, media type, bytes).
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/dist/graphiql.min.js.gz"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/graphiql/dist/graphiql.min.css.gz"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/dist/react.production.min.js.gz"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/dist/react-dom.production.min.js.gz"),
    ),
    (
        "graphql-ws.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/dist/graphql-ws.min.js.gz"),
    ),
];

pub fn page() -> Response {
    Html(PAGE).into_response()
}

/// One asset, as stored (`Content-Encoding: gzip`; every browser reads it), cached for a
/// day: a new release changes the binary, and the page names no version.
pub async fn asset(Path(file): Path<String>) -> Response {
    let Some((_, media, bytes)) = ASSETS.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        *bytes,
    )
        .into_response()
}
