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
use gcm_store::replicas::{Freshness, ReadTarget};

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
    /// The catalogue version the answer is at least as new as, when known (sent as
    /// `GCM-Catalogue-Version`; a client sends it back as `GCM-Min-Catalogue-Version`).
    pub catalogue_version: Option<i64>,
}

/// What the transport knows of the request besides its JSON.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub caller: Caller,
    /// A federation router asked for an `ftv1` trace.
    pub traced: bool,
    /// `GCM-Min-Catalogue-Version`: the answer must be at least this new.
    pub min_catalogue_version: Option<i64>,
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
        let checked = self.check_text(request).await?;
        // Anonymous queries may be answered from the cache (the same request passed the
        // same limits when it was cached), unless the client asks for a catalogue newer
        // than the one the cache holds.
        let cached_at = match &self.response_cache {
            Some(cache) if !context.authenticated() && !context.traced => {
                cache.revalidate(&self.pool).await;
                cache
                    .version()
                    .filter(|kept| {
                        context
                            .min_catalogue_version
                            .is_none_or(|wanted| wanted <= *kept)
                    })
                    .map(|version| (cache, version))
            }
            _ => None,
        };
        let cache_key = match cached_at {
            Some((cache, version)) => {
                let key = ResponseCache::key(
                    &super::persisted::sha256_hex(&checked.query),
                    checked.operation_name.as_deref(),
                    &checked.variables,
                );
                if let Some(cached) = self.cached(cache, version, &key).await {
                    return Ok(Answer {
                        request_error: false,
                        body: cached.body,
                        etag: Some(cached.etag),
                        outcome: "ok",
                        operation: cached.operation,
                        cache_control: cached.cache_control,
                        catalogue_version: self.replicas.as_ref().map(|_| version),
                    });
                }
                Some((cache, version, key))
            }
            None => None,
        };
        let admitted = self.check_document(checked, transport)?;
        let mut answer = self.run_admitted(admitted, context).await?;
        if let (Some((cache, version, key)), Some(_)) = (cache_key, &answer.cache_control) {
            let tag: Arc<str> = etag_of(&answer.body).into();
            answer.etag = Some(tag.clone());
            let cached = Cached {
                body: answer.body.clone(),
                etag: tag,
                cache_control: answer.cache_control.clone(),
                operation: answer.operation.clone(),
            };
            // Kept under the version known before it was computed, and only while that is
            // still the cache's (an answer that raced a publication is not kept); an answer
            // read on a standby that had not reached that version is not kept either.
            let current = match answer.catalogue_version {
                Some(read) => read >= version,
                None => self.replicas.is_none(),
            };
            if current
                && cache.insert(version, key.clone(), cached.clone())
                && let Some(shared) = &self.shared
            {
                shared.share_answer(version, key, cached);
            }
        }
        Ok(answer)
    }

    /// The answer cached for `key` at `version` here, else by another process (Redis).
    async fn cached(&self, cache: &ResponseCache, version: i64, key: &str) -> Option<Cached> {
        if let Some(cached) = cache.get(key) {
            return Some(cached);
        }
        let cached = self.shared.as_ref()?.cached_answer(version, key).await?;
        metrics::counter!("gcm_response_cache_shared_hits_total").increment(1);
        cache.insert(version, key.to_owned(), cached.clone());
        Some(cached)
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
        let curation = selects_curation(&admitted.document, admitted.operation_name.as_deref());
        let request = into_request(admitted);
        let schema = if context.traced {
            self.traced_schema()
        } else {
            &self.schema
        };
        let mut target = self.read_target(is_query, curation, context).await;
        let stale_before = gcm_store::stale_plans_seen();
        let mut response =
            crate::execute_as(schema, request, &target.pool, context.caller.clone()).await;
        if let Some(again) = rerun {
            if target.is_standby()
                && let Some(lost) = lost_its_database(&response)
            {
                // The standby failed under the request: the query (it writes nothing) runs
                // once more on the primary. Unavailable, it leaves the rotation at once;
                // any other failure is left to the monitor's next poll to judge.
                if lost == ErrorCode::ServiceUnavailable {
                    target.failed("the database was unavailable mid-request");
                }
                tracing::warn!(standby = %target.name, "re-running a read on the primary after its standby failed");
                metrics::counter!("gcm_replica_fallbacks_total", "reason" => "failed").increment(1);
                target = self.primary_target(context);
                response =
                    crate::execute_as(schema, again, &target.pool, context.caller.clone()).await;
            } else if gcm_store::stale_plans_seen() != stale_before {
                // A migration changed a result type under the connections' cached statements:
                // drop the idle ones and run once more; the statements are prepared afresh.
                tracing::warn!("re-running the request on fresh connections after a stale plan");
                gcm_store::forget_cached_statements(&target.pool);
                response =
                    crate::execute_as(schema, again, &target.pool, context.caller.clone()).await;
            }
        }
        if !is_query {
            self.note_write(context).await;
            // The version after the write: a client that sends it back reads the write.
            if self.replicas.as_ref().is_some_and(|r| r.has_standbys())
                && let Ok(version) = gcm_store::version::catalogue_version(&self.pool).await
            {
                target.version = Some(version);
            }
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
            catalogue_version: target.version,
        }
    }

    /// Where a request reads: a query on the fittest standby for what its caller needs
    /// (past the caller's own last write; at least the catalogue version its client saw),
    /// anything else, or a query no standby can serve, on the primary.
    async fn read_target(&self, is_query: bool, curation: bool, context: &Context) -> ReadTarget {
        let Some(replicas) = &self.replicas else {
            return ReadTarget::primary(self.pool.clone());
        };
        if !is_query {
            return replicas.for_writes();
        }
        if curation {
            // Curation's own work (and the items under it, read by the request's loaders)
            // is read where it is written.
            return self.primary_target(context);
        }
        let mut need = Freshness {
            version: context.min_catalogue_version,
            position: None,
        };
        if let Caller::Key(identity) = &context.caller {
            match replicas.write_position(identity.key_id).await {
                Ok(position) => need.position = position,
                // The primary cannot say where the caller wrote: read there.
                Err(_) => {
                    metrics::counter!("gcm_replica_fallbacks_total", "reason" => "unknown_position")
                        .increment(1);
                    return self.primary_target(context);
                }
            }
        }
        replicas.read(need)
    }

    /// A read on the primary, which holds every write: at least as new as the client asked.
    fn primary_target(&self, context: &Context) -> ReadTarget {
        let mut target = match &self.replicas {
            Some(replicas) => replicas.on_primary(None),
            None => ReadTarget::primary(self.pool.clone()),
        };
        target.version = target.version.max(context.min_catalogue_version);
        target
    }

    /// After a mutation by a key: where it wrote, so that its next reads see the write
    /// through any process (see [`gcm_store::replicas::Replicas::record_write`]).
    async fn note_write(&self, context: &Context) {
        let (Some(replicas), Caller::Key(identity)) = (&self.replicas, &context.caller) else {
            return;
        };
        if !replicas.has_standbys() {
            return;
        }
        if let Err(e) = replicas.record_write(identity.key_id).await {
            tracing::warn!(error = %e, "cannot record where the caller wrote; its reads may lag behind it");
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

/// Whether the operation selects one of curation's root fields (`mySubmissions`,
/// `reviewQueue`, `submission`, `auditLog`), directly or through fragments.
fn selects_curation(
    document: &async_graphql::parser::types::ExecutableDocument,
    operation_name: Option<&str>,
) -> bool {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn walk(
        set: &SelectionSet,
        document: &async_graphql::parser::types::ExecutableDocument,
        depth: usize,
    ) -> bool {
        // The gate has bounded fragment nesting already; this guards the walk itself.
        depth < 32
            && set.items.iter().any(|item| match &item.node {
                Selection::Field(field) => {
                    crate::curation::query::ROOT_FIELDS.contains(&field.node.name.node.as_str())
                }
                Selection::InlineFragment(fragment) => {
                    walk(&fragment.node.selection_set.node, document, depth + 1)
                }
                Selection::FragmentSpread(spread) => document
                    .fragments
                    .get(&spread.node.fragment_name.node)
                    .is_some_and(|fragment| {
                        walk(&fragment.node.selection_set.node, document, depth + 1)
                    }),
            })
    }
    limits::select_operation(document, operation_name)
        .is_some_and(|operation| walk(&operation.node.selection_set.node, document, 0))
}

/// Whether a response failed as reads fail when their database goes away: unavailable
/// (no connection, a closed one), or an internal error (a backend terminated mid-statement
/// reports itself so), the first of them.
fn lost_its_database(response: &async_graphql::Response) -> Option<ErrorCode> {
    let codes = || response.errors.iter().filter_map(ErrorCode::of);
    codes()
        .find(|code| *code == ErrorCode::ServiceUnavailable)
        .or_else(|| codes().find(|code| *code == ErrorCode::InternalServerError))
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
