//! Who sends a request to `/graphql` or `/graphql/ws`, decided once before any GraphQL
//! work: the client's address (the TCP peer, or behind a proxy the deployment trusts,
//! `GCM_TRUSTED_PROXY_HEADER` such as `x-forwarded-for`, the last address it lists: the one
//! the proxy added), then the pipeline's caller and rate limit for that address and
//! credential. The handler finds the result in the request's extensions.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderName, header};
use axum::middleware::Next;
use axum::response::Response;
use gcm_graphql::Caller;

use super::response::{self, Media};
use crate::AppState;

/// What [`admit`] found, for the handler.
#[derive(Debug, Clone)]
pub struct Client {
    pub caller: Caller,
    pub address: String,
}

/// The middleware: identifies the caller and takes its token, or answers the refusal.
pub async fn admit(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let address = address(request.headers(), state.trusted_proxy_header.as_ref(), peer);
    let authorization = request.headers().get(header::AUTHORIZATION).cloned();
    let admitted = state
        .pipeline
        .admit_client(
            authorization.as_ref().map(|value| value.as_bytes()),
            &address,
        )
        .await;
    match admitted {
        Ok(caller) => {
            request.extensions_mut().insert(Client { caller, address });
            next.run(request).await
        }
        Err(refusal) => {
            let media = Media::from_headers(request.headers());
            response::record("unknown", refusal.outcome(), started);
            response::refused(media, &refusal)
        }
    }
}

fn address(
    headers: &HeaderMap,
    trusted_header: Option<&HeaderName>,
    peer: Option<SocketAddr>,
) -> String {
    let forwarded = trusted_header.and_then(|name| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .map(str::trim)
            .filter(|address| !address.is_empty())
    });
    match (forwarded, peer) {
        (Some(address), _) => address.to_owned(),
        (None, Some(peer)) => peer.ip().to_string(),
        (None, None) => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_is_the_trusted_header_then_the_peer() {
        let trusted = HeaderName::from_static("x-forwarded-for");
        let peer = Some(SocketAddr::from(([10, 0, 0, 1], 9)));
        let mut headers = HeaderMap::new();
        assert_eq!(address(&headers, Some(&trusted), peer), "10.0.0.1");
        headers.insert(
            "x-forwarded-for",
            "1.2.3.4, 5.6.7.8".parse().expect("value"),
        );
        assert_eq!(address(&headers, Some(&trusted), peer), "5.6.7.8");
        assert_eq!(address(&headers, None, peer), "10.0.0.1", "untrusted");
        assert_eq!(address(&HeaderMap::new(), None, None), "unknown");
    }
}
