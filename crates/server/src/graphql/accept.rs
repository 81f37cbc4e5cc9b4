//! What the client's `Accept` asks `/graphql` for: a JSON answer (which of the two media
//! types), a stream (Apollo's multipart subscriptions or graphql-sse), or — when it lists
//! none of these — nothing this server can serve (406, `NOT_ACCEPTABLE`). Ranges are taken
//! by their `q`, then in the order listed; a missing `Accept` means JSON.

use axum::http::{HeaderMap, header};
use gcm_graphql::error::ErrorCode;
use gcm_graphql::pipeline::Refusal;

use super::response::Media;

/// The multipart subscription protocol version this server speaks.
const SUBSCRIPTION_SPEC: &str = "1.0";

/// How a stream is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamProtocol {
    /// `multipart/mixed;subscriptionSpec=1.0` (Apollo's multipart HTTP protocol).
    Multipart,
    /// `text/event-stream` (graphql-sse, distinct connections mode).
    Sse,
}

/// What the client accepts that this server serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    /// The JSON answer it prefers, if it takes one.
    pub answer: Option<Media>,
    /// The stream it prefers, if it reads one.
    pub stream: Option<StreamProtocol>,
}

impl Accepted {
    /// The media type a refusal is written in (JSON when the client takes none).
    pub fn refusal_media(self) -> Media {
        self.answer.unwrap_or(Media::Json)
    }
}

/// What one media range stands for.
enum Range {
    Answer(Media),
    Stream(StreamProtocol),
    /// `multipart/mixed` with a `subscriptionSpec` other than ours.
    UnknownSpec(String),
    Other,
}

fn range_of(mime: &mime::Mime) -> Range {
    // The essence keeps a `+json` suffix, which `subtype()` leaves out.
    match mime.essence_str() {
        "application/graphql-response+json" => Range::Answer(Media::GraphQlResponse),
        "application/json" | "application/*" | "*/*" => Range::Answer(Media::Json),
        "text/event-stream" => Range::Stream(StreamProtocol::Sse),
        "multipart/mixed" => match mime.get_param("subscriptionSpec") {
            Some(spec) if spec.as_str().trim_matches('"') == SUBSCRIPTION_SPEC => {
                Range::Stream(StreamProtocol::Multipart)
            }
            Some(spec) => Range::UnknownSpec(spec.as_str().trim_matches('"').to_owned()),
            // Incremental delivery (`deferSpec`) is not served.
            None => Range::Other,
        },
        _ => Range::Other,
    }
}

/// The client's `Accept`, or the 406 it gets (counted by the handler that answers it:
/// [`super::response::Media::from_headers`] asks too, for refusals of other kinds).
pub fn negotiate(headers: &HeaderMap) -> Result<Accepted, Refusal> {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    if accept.trim().is_empty() {
        return Ok(Accepted {
            answer: Some(Media::Json),
            stream: None,
        });
    }
    let mut ranges: Vec<(mime::Mime, f32)> = accept
        .split(',')
        .filter_map(|item| item.trim().parse::<mime::Mime>().ok())
        .map(|mime| {
            let q = mime
                .get_param("q")
                .and_then(|q| q.as_str().parse::<f32>().ok())
                .unwrap_or(1.0);
            (mime, q)
        })
        .filter(|(_, q)| *q > 0.0)
        .collect();
    // Stable: equal weights keep the client's order.
    ranges.sort_by(|(_, a), (_, b)| b.total_cmp(a));
    let mut accepted = Accepted {
        answer: None,
        stream: None,
    };
    let mut unknown_spec = None;
    for (mime, _) in &ranges {
        match range_of(mime) {
            Range::Answer(media) => {
                accepted.answer.get_or_insert(media);
            }
            Range::Stream(protocol) => {
                accepted.stream.get_or_insert(protocol);
            }
            Range::UnknownSpec(spec) => {
                unknown_spec.get_or_insert(spec);
            }
            Range::Other => {}
        }
    }
    if accepted.answer.is_some() || accepted.stream.is_some() {
        return Ok(accepted);
    }
    let served = "application/graphql-response+json, application/json, \
                  multipart/mixed;subscriptionSpec=1.0 or text/event-stream";
    let message = match unknown_spec {
        Some(spec) => format!(
            "subscriptionSpec \"{spec}\" is not one this server speaks (it speaks \
             {SUBSCRIPTION_SPEC}); Accept one of {served}"
        ),
        None => format!("Nothing in Accept can be served here; accept one of {served}"),
    };
    Err(Refusal::new(ErrorCode::NotAcceptable, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(accept: &str) -> Result<Accepted, ErrorCode> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, accept.parse().expect("header"));
        negotiate(&headers).map_err(|refusal| refusal.code)
    }

    #[test]
    fn routers_and_browsers_get_what_they_ask_for() {
        use Media::*;
        use StreamProtocol::*;
        let cases = [
            // Apollo Router and Hive Router, to a subgraph.
            (
                "multipart/mixed;subscriptionSpec=\"1.0\", application/json",
                Some(Json),
                Some(Multipart),
            ),
            (
                "multipart/mixed;subscriptionSpec=1.0",
                None,
                Some(Multipart),
            ),
            // graphql-sse and EventSource.
            ("text/event-stream", None, Some(Sse)),
            (
                "application/graphql-response+json, application/json;q=0.9",
                Some(GraphQlResponse),
                None,
            ),
            (
                "application/json;q=0.5, application/graphql-response+json",
                Some(GraphQlResponse),
                None,
            ),
            (
                "application/json, application/graphql-response+json",
                Some(Json),
                None,
            ),
            // A browser's navigation.
            (
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                Some(Json),
                None,
            ),
            // Incremental delivery is not served; JSON is.
            (
                "multipart/mixed;deferSpec=20220824, application/json",
                Some(Json),
                None,
            ),
        ];
        for (accept, answer, stream) in cases {
            assert_eq!(of(accept), Ok(Accepted { answer, stream }), "{accept}");
        }
    }

    #[test]
    fn an_accept_with_nothing_servable_is_406() {
        for accept in [
            "text/html",
            "application/xml",
            "multipart/mixed;subscriptionSpec=2.0",
            "multipart/mixed;deferSpec=20220824",
            "application/json;q=0",
        ] {
            assert_eq!(of(accept), Err(ErrorCode::NotAcceptable), "{accept}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            "multipart/mixed;subscriptionSpec=\"2.0\""
                .parse()
                .expect("header"),
        );
        let refusal = negotiate(&headers).expect_err("406");
        assert!(refusal.message.contains("\"2.0\""), "{}", refusal.message);
    }
}
