//! Stages 4–5 for a request with one answer (HTTP): the response cache, the executor, and
//! the answer as the transport will send it — encoded once, with its cost, cache policy and
//! metric labels.

use std::sync::Arc;

use async_graphql::parser::types::OperationType;
use bytes::Bytes;
use serde_json::{Value, json};

use super::admission::Admitted;
use super::response_cache::{Cached, ResponseCache};
use super::response_order::ResponseOrder;
use super::{GraphQlRequest, Pipeline, Refusal, Transport};
use crate::curation::Caller;
use crate::error::ErrorCode;
use crate::limits;

/// The answer to one request, ready for its transport.
#[derive(Debug)]
pub struct Answer {
    /// Execution never started (validation failed): 400 for clients that read
    /// `application/graphql-response+json`.
    pub request_error: bool,
    /// The encoded JSON: encoded once, straight from the executor's tree (a response of
    /// a megabyte is several times that as a `serde_json::Value`).
    pub body: Bytes,
    /// The strong validator, when already known (answers from the response cache).
    pub etag: Option<Arc<str>>,
    /// The `outcome` label of `gcm_graphql_requests_total`.
    pub outcome: &'static str,
    /// The `operation` label.
    pub operation: String,
    /// `Cache-Control` of the answer; `None`: `no-store`.
    pub cache_control: Option<String>,
}

/// What the transport knows of the request besides its JSON.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub caller: Caller,
    /// A federation router asked for an `ftv1` trace.
    pub traced: bool,
}

impl Context {
    /// Sent with a verified key (a refused one never gets this far): the answer is
    /// private to the client.
    pub fn authenticated(&self) -> bool {
        matches!(self.caller, Caller::Key(_))
    }
}

impl Pipeline {
    /// Runs one request through every stage after the caller's.
    pub async fn run(
        &self,
        request: GraphQlRequest,
        transport: Transport,
        context: &Context,
    ) -> Result<Answer, Refusal> {
        let checked = self.check_text(request)?;
        // Anonymous queries may be answered from the cache (the same request passed the
        // same limits when it was cached).
        let cache_key = match &self.response_cache {
            Some(cache) if !context.authenticated() && !context.traced => {
                cache.revalidate(&self.pool).await;
                let key = ResponseCache::key(
                    &super::persisted::sha256_hex(&checked.query),
                    checked.operation_name.as_deref(),
                    &checked.variables,
                );
                if let Some(cached) = cache.get(&key) {
                    return Ok(Answer {
                        request_error: false,
                        body: cached.body,
                        etag: Some(cached.etag),
                        outcome: "ok",
                        operation: cached.operation,
                        cache_control: cached.cache_control,
                    });
                }
                Some(key)
            }
            _ => None,
        };
        let admitted = self.check_document(checked, transport)?;
        let mut answer = self.run_admitted(admitted, context).await?;
        if let (Some(cache), Some(key), Some(_)) =
            (&self.response_cache, cache_key, &answer.cache_control)
        {
            let tag: Arc<str> = etag_of(&answer.body).into();
            answer.etag = Some(tag.clone());
            cache.insert(
                key,
                Cached {
                    body: answer.body.clone(),
                    etag: tag,
                    cache_control: answer.cache_control.clone(),
                    operation: answer.operation.clone(),
                },
            );
        }
        Ok(answer)
    }

    /// An admitted request's one answer, once the cap on heavy work lets it run.
    pub(super) async fn run_admitted(
        &self,
        admitted: Admitted,
        context: &Context,
    ) -> Result<Answer, Refusal> {
        let _slot = match &self.heavy {
            Some(gate) => gate.admit(admitted.requested_cost).await?,
            None => None,
        };
        Ok(self.execute(admitted, context).await)
    }

    /// Executes an admitted request with the request's own loaders.
    async fn execute(&self, admitted: Admitted, context: &Context) -> Answer {
        let is_query = admitted.operation_type == OperationType::Query;
        let requested_cost = admitted.requested_cost;
        let operation = admitted.label.clone();
        let span = tracing::Span::current();
        span.record("operation", operation.as_str());
        span.record("cost", requested_cost);
        let order = ResponseOrder::of(&admitted.document, admitted.operation_name.as_deref());
        // What a rerun needs, should a cached statement turn out stale (queries only: they
        // write nothing, so running one twice is safe).
        let rerun = is_query.then(|| {
            let mut again = async_graphql::Request::new(admitted.query.clone())
                .variables(admitted.variables.clone());
            again.operation_name = admitted.operation_name.clone();
            again
        });
        let request = into_request(admitted);
        let schema = if context.traced {
            self.traced_schema()
        } else {
            &self.schema
        };
        let stale_before = gcm_store::stale_plans_seen();
        let mut response =
            crate::execute_as(schema, request, &self.pool, context.caller.clone()).await;
        if let Some(again) = rerun
            && gcm_store::stale_plans_seen() != stale_before
        {
            // A migration changed a result type under the connections' cached statements:
            // drop the idle ones and run once more; the statements are prepared afresh.
            tracing::warn!("re-running the request on fresh connections after a stale plan");
            gcm_store::forget_cached_statements(&self.pool);
            response = crate::execute_as(schema, again, &self.pool, context.caller.clone()).await;
        }
        if let Some(order) = &order {
            order.apply(&mut response.data);
        }
        let actual_cost = limits::actual_cost(&response.data);
        let request_error = mark_request_errors(&mut response);
        let outcome = if response.errors.is_empty() {
            "ok"
        } else if request_error {
            "invalid"
        } else if response
            .errors
            .iter()
            .any(|error| ErrorCode::of(error) == Some(ErrorCode::ServiceUnavailable))
        {
            "unavailable"
        } else {
            "error"
        };
        let cache_control = (is_query && response.errors.is_empty())
            .then(|| self.cache_control(&response.cache_control, context.authenticated()))
            .flatten();
        response.extensions.insert(
            "cost".to_owned(),
            async_graphql::value!({ "requested": requested_cost, "actual": actual_cost }),
        );
        let body = if request_error {
            // A request error means execution never started: the spec says no `data`.
            let mut body = serde_json::to_value(&response).unwrap_or_else(|e| encoding_failed(&e));
            if let Value::Object(map) = &mut body {
                map.remove("data");
            }
            encode(&body)
        } else {
            serde_json::to_vec(&response)
                .map(Bytes::from)
                .unwrap_or_else(|e| encode(&encoding_failed(&e)))
        };
        Answer {
            request_error,
            body,
            etag: None,
            outcome,
            operation,
            cache_control,
        }
    }

    /// `Cache-Control` for a successful query: the schema's hints (`#[graphql(cache_control)]`),
    /// else public for `cache_max_age`; private and unstored with credentials.
    fn cache_control(
        &self,
        hints: &async_graphql::CacheControl,
        authenticated: bool,
    ) -> Option<String> {
        if authenticated || hints.max_age < 0 {
            return None;
        }
        let max_age = if hints.max_age > 0 {
            hints.max_age as u32
        } else {
            self.cache_max_age
        };
        if max_age == 0 {
            return None;
        }
        let scope = if hints.public { "public" } else { "private" };
        Some(format!("{scope}, max-age={max_age}"))
    }
}

/// The executor's request, holding the gate's parse (the executor does not parse again).
pub(super) fn into_request(admitted: Admitted) -> async_graphql::Request {
    let mut request = async_graphql::Request::new(admitted.query).variables(admitted.variables);
    if let Some(name) = admitted.operation_name {
        request = request.operation_name(name);
    }
    request.extensions = async_graphql::Extensions(
        admitted
            .extensions
            .into_iter()
            .map(|(key, value)| {
                (
                    key,
                    async_graphql::Value::from_json(value).unwrap_or_default(),
                )
            })
            .collect(),
    );
    request.set_parsed_query(admitted.document);
    request
}

/// Whether the response is a request error (no data, errors without a path: validation
/// failed). Every error gets a code: a request error's is `GRAPHQL_VALIDATION_FAILED`; an
/// execution error without one comes from the executor coercing the client's arguments and
/// variables (an integer out of range, a missing variable), so it is `BAD_USER_INPUT`.
pub(super) fn mark_request_errors(response: &mut async_graphql::Response) -> bool {
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    let code = if request_error {
        ErrorCode::GraphqlValidationFailed
    } else {
        ErrorCode::BadUserInput
    };
    for error in &mut response.errors {
        if ErrorCode::of(error).is_none() {
            error.extensions.get_or_insert_with(Default::default).set(
                "code",
                async_graphql::Value::String(code.as_str().to_owned()),
            );
        }
    }
    request_error
}

pub fn encode(value: &Value) -> Bytes {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .unwrap_or_default()
}

fn encoding_failed(error: &serde_json::Error) -> Value {
    json!({ "errors": [{ "message": format!("cannot encode the response: {error}"),
                         "extensions": { "code": ErrorCode::InternalServerError.as_str() } }] })
}

/// A strong validator: the same bytes, the same tag.
pub fn etag_of(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}
