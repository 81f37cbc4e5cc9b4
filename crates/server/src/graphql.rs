//! `/graphql` as the GraphQL-over-HTTP specification has it, and guarded by the limits.
//!
//! - POST with `application/json` (a JSON array is a batch: refused unless `GCM_MAX_BATCH`
//!   allows it); GET with `query`, `operationName`, `variables`, `extensions` in the URL
//!   (only queries: anything else is 405); GraphiQL for a browser's GET.
//! - The response is `application/graphql-response+json` when the client accepts it, and
//!   then a request that cannot run (unparseable, invalid, refused by a limit) is a 400 with
//!   no `data`; otherwise `application/json`, 200 for every well-formed request except
//!   limit breaches (400), as the specification allows.
//! - Before execution: the document's size, tokens and nesting; then, once parsed (and the
//!   parse handed to the executor), depth, cost, aliases, root fields, directives and the
//!   variables' shape ([`gcm_graphql::limits`]). Every response reports
//!   `extensions.cost = { requested, actual }`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use gcm_graphql::limits::{self, CostModel, LimitBreach, Limits};
use serde_json::{Map, Value, json};

use crate::AppState;

pub const PATH: &str = "/graphql";

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The limits and HTTP settings of `/graphql`, built once.
#[derive(Debug)]
pub struct ApiSettings {
    pub limits: Limits,
    pub cost_model: CostModel,
    pub max_body_bytes: usize,
    /// 0: batching off.
    pub max_batch: usize,
    pub request_timeout: Duration,
    pub introspection: bool,
    pub persisted: crate::persisted::PersistedQueries,
    /// `max-age` of cacheable responses whose fields give no cache hint.
    pub cache_max_age: u32,
    pub response_cache: Option<crate::response_cache::ResponseCache>,
    operation_names: Mutex<std::collections::HashSet<String>>,
}

/// Distinct operation names kept as metric labels; later ones are counted as `other`, so a
/// client inventing names cannot grow the metrics without bound.
const MAX_OPERATION_LABELS: usize = 200;

impl ApiSettings {
    /// `sdl` is the served SDL (`_service { sdl }`), whose `@listSize` declarations the
    /// cost model reads; `list_sizes` is the process's copy of the live list sizes.
    pub fn new(
        config: &crate::config::ApiConfig,
        sdl: &str,
        list_sizes: gcm_store::list_sizes::LiveListSizes,
    ) -> anyhow::Result<Self> {
        let cost_model = CostModel::from_sdl(sdl)
            .map_err(|e| anyhow::anyhow!("cannot read the schema for the cost model: {e}"))?
            .with_live(list_sizes);
        Ok(Self {
            limits: config.limits(),
            cost_model,
            max_body_bytes: config.max_body_bytes,
            max_batch: config.max_batch,
            request_timeout: Duration::from_millis(config.request_timeout_ms),
            introspection: config.introspection,
            persisted: crate::persisted::PersistedQueries::new(
                config.apq_cache_size,
                config.trusted_documents(),
            )?,
            cache_max_age: config.cache_max_age,
            response_cache: crate::response_cache::ResponseCache::new(
                config.response_cache_size,
                config.response_cache_bytes,
                Duration::from_millis(config.response_cache_check_ms),
            ),
            operation_names: Mutex::new(Default::default()),
        })
    }

    fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "anonymous".to_owned();
        };
        let Ok(mut names) = self.operation_names.lock() else {
            return "other".to_owned();
        };
        if names.contains(name) || names.len() < MAX_OPERATION_LABELS {
            names.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }
}

/// Which media type the client reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    GraphQlResponse,
    Json,
}

impl Media {
    fn from_headers(headers: &HeaderMap) -> Self {
        let accept = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        // The first of the two listed wins (clients list their preference first).
        let graphql = accept.find(GRAPHQL_RESPONSE_JSON);
        let json = accept.find("application/json");
        match (graphql, json) {
            (Some(g), Some(j)) if j < g => Media::Json,
            (Some(_), _) => Media::GraphQlResponse,
            _ => Media::Json,
        }
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Media::GraphQlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        })
    }
}

/// A request refused before execution.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    code: &'static str,
    message: String,
    breach: Option<LimitBreach>,
    requested_cost: Option<u64>,
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            breach: None,
            requested_cost: None,
        }
    }

    fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
    }

    fn limit(breach: LimitBreach) -> Self {
        metrics::counter!("gcm_limit_breaches_total", "limit" => breach.code).increment(1);
        let requested_cost = (breach.code == "MAX_COMPLEXITY_EXCEEDED").then_some(breach.value);
        Self {
            status: StatusCode::BAD_REQUEST,
            code: breach.code,
            message: breach.message.clone(),
            breach: Some(breach),
            requested_cost,
        }
    }

    fn body(&self) -> Value {
        let error = match &self.breach {
            Some(breach) => breach.to_error(),
            None => json!({ "message": self.message, "extensions": { "code": self.code } }),
        };
        let mut body = json!({ "errors": [error] });
        if let Some(requested) = self.requested_cost {
            body["extensions"] = json!({ "cost": { "requested": requested, "actual": 0 } });
        }
        body
    }

    fn outcome(&self) -> &'static str {
        if self.breach.is_some() {
            "rejected"
        } else {
            "bad_request"
        }
    }
}

/// One GraphQL request as the HTTP layer received it.
#[derive(Debug, Default)]
struct Params {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Value,
    extensions: Map<String, Value>,
    /// Sent with credentials: its answer is private to the client.
    authenticated: bool,
    /// The `Authorization` header, checked when the operation runs (curation's API keys).
    authorization: Option<HeaderValue>,
}

impl Params {
    fn from_json(value: Value) -> Result<Self, Refusal> {
        let Value::Object(mut map) = value else {
            return Err(Refusal::bad_request(
                "The request body must be a JSON object (or an array of them for a batch).",
            ));
        };
        let query = match map.remove("query") {
            None | Some(Value::Null) => None,
            Some(Value::String(query)) => Some(query),
            Some(_) => return Err(Refusal::bad_request("`query` must be a string.")),
        };
        let operation_name = match map.remove("operationName") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name),
            Some(_) => return Err(Refusal::bad_request("`operationName` must be a string.")),
        };
        let variables = match map.remove("variables") {
            None | Some(Value::Null) => Value::Null,
            Some(variables @ Value::Object(_)) => variables,
            Some(_) => return Err(Refusal::bad_request("`variables` must be an object.")),
        };
        let extensions = match map.remove("extensions") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(extensions)) => extensions,
            Some(_) => return Err(Refusal::bad_request("`extensions` must be an object.")),
        };
        Ok(Self {
            query,
            operation_name,
            variables,
            extensions,
            authenticated: false,
            authorization: None,
        })
    }

    fn from_url(request: &Request) -> Result<Self, Refusal> {
        let Query(pairs) = Query::<HashMap<String, String>>::try_from_uri(request.uri())
            .map_err(|e| Refusal::bad_request(format!("Malformed query string: {e}")))?;
        let json_param = |name: &str| -> Result<Value, Refusal> {
            match pairs.get(name).map(String::as_str) {
                None | Some("") => Ok(Value::Null),
                Some(text) => serde_json::from_str(text)
                    .map_err(|e| Refusal::bad_request(format!("`{name}` must be JSON: {e}"))),
            }
        };
        let mut object = Map::new();
        if let Some(query) = pairs.get("query") {
            object.insert("query".into(), Value::String(query.clone()));
        }
        if let Some(name) = pairs.get("operationName").filter(|name| !name.is_empty()) {
            object.insert("operationName".into(), Value::String(name.clone()));
        }
        object.insert("variables".into(), json_param("variables")?);
        object.insert("extensions".into(), json_param("extensions")?);
        Self::from_json(Value::Object(object))
    }
}

/// The answer to one GraphQL request, before it becomes HTTP.
struct Answer {
    /// 400 for request errors under `application/graphql-response+json`.
    request_error: bool,
    /// The encoded JSON: encoded once, straight from the executor's tree (a response of
    /// a megabyte is several times that as a `serde_json::Value`).
    body: Bytes,
    /// The strong validator, when already known (answers from the response cache).
    etag: Option<std::sync::Arc<str>>,
    outcome: &'static str,
    operation: String,
    /// `Cache-Control` of the answer; `None`: `no-store`.
    cache_control: Option<String>,
}

pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let started = Instant::now();
    let media = Media::from_headers(request.headers());
    let traced = wants_trace(request.headers());
    let timeout = state.api.request_timeout;
    let answered = tokio::time::timeout(timeout, handle_post(&state, media, traced, request)).await;
    finish(&state, media, answered, timeout, started, None)
}

pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let started = Instant::now();
    if wants_html(&request) && request.uri().query().is_none_or(|q| !q.contains("query=")) {
        return Html(GraphiQLSource::build().endpoint(PATH).finish()).into_response();
    }
    let media = Media::from_headers(request.headers());
    let traced = wants_trace(request.headers());
    let timeout = state.api.request_timeout;
    let authenticated = request.headers().contains_key(header::AUTHORIZATION);
    let authorization = request.headers().get(header::AUTHORIZATION).cloned();
    let if_none_match = request.headers().get(header::IF_NONE_MATCH).cloned();
    let params = Params::from_url(&request).map(|mut params| {
        params.authenticated = authenticated;
        params.authorization = authorization.clone();
        params
    });
    drop(request);
    let answered = tokio::time::timeout(timeout, async {
        answer(
            &state,
            params.map_err(Failure::Refused)?,
            Method::GET,
            traced,
        )
        .await
    })
    .await
    .map(|result| result.map(Outcome::Single));
    finish(
        &state,
        media,
        answered,
        timeout,
        started,
        Some(if_none_match),
    )
}

enum Outcome {
    Single(Answer),
    Batch(Vec<Result<Answer, Refusal>>),
}

enum Failure {
    Refused(Refusal),
    /// Mutations over GET.
    MethodNotAllowed,
}

async fn handle_post(
    state: &AppState,
    _media: Media,
    traced: bool,
    request: Request,
) -> Result<Outcome, Failure> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence != "application/json" {
        return Err(Failure::Refused(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "POST bodies must be `application/json`.",
        )));
    }
    if let Some(charset) = content_type
        .split(';')
        .skip(1)
        .filter_map(|param| param.trim().strip_prefix("charset="))
        .next()
        && !charset.trim_matches('"').eq_ignore_ascii_case("utf-8")
    {
        return Err(Failure::Refused(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "Only the utf-8 charset is accepted.",
        )));
    }
    let authenticated = request.headers().contains_key(header::AUTHORIZATION);
    let authorization = request.headers().get(header::AUTHORIZATION).cloned();
    let body = read_body(request.into_body(), state.api.max_body_bytes)
        .await
        .map_err(Failure::Refused)?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Failure::Refused(Refusal::bad_request(
            "The request body is empty.",
        )));
    }
    let value: Value = serde_json::from_slice(&body).map_err(|e| {
        Failure::Refused(Refusal::new(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            format!("The request body is not valid JSON: {e}"),
        ))
    })?;
    match value {
        Value::Array(requests) => {
            let max = state.api.max_batch;
            if max == 0 {
                return Err(Failure::Refused(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "BATCHING_DISABLED",
                    "Batched requests are not accepted: send one operation per request.",
                )));
            }
            if requests.len() > max || requests.is_empty() {
                let breach = LimitBreach {
                    code: "MAX_BATCH_SIZE_EXCEEDED",
                    limit: max as u64,
                    value: requests.len() as u64,
                    message: format!(
                        "A batch holds 1 to {max} operations; this one holds {}",
                        requests.len()
                    ),
                };
                return Err(Failure::Refused(Refusal::limit(breach)));
            }
            let mut answers = Vec::with_capacity(requests.len());
            for request in requests {
                let answered = match Params::from_json(request) {
                    Ok(mut params) => {
                        params.authenticated = authenticated;
                        params.authorization = authorization.clone();
                        match answer(state, params, Method::POST, traced).await {
                            Ok(answer) => Ok(answer),
                            Err(Failure::Refused(refusal)) => Err(refusal),
                            Err(Failure::MethodNotAllowed) => {
                                Err(Refusal::bad_request("Not allowed in a batch."))
                            }
                        }
                    }
                    Err(refusal) => Err(refusal),
                };
                answers.push(answered);
            }
            Ok(Outcome::Batch(answers))
        }
        value => {
            let mut params = Params::from_json(value).map_err(Failure::Refused)?;
            params.authenticated = authenticated;
            params.authorization = authorization.clone();
            answer(state, params, Method::POST, traced)
                .await
                .map(Outcome::Single)
        }
    }
}

/// Reads at most `limit` bytes. A larger body is read to its end (and dropped) so the
/// client, still sending, hears the 413 instead of a reset; the body-limit layer refuses
/// at once a `Content-Length` beyond [`BODY_DRAIN_FACTOR`] times the limit.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, Refusal> {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut collected = Vec::new();
    let mut seen = 0usize;
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            // The layer's limit, or a broken body.
            break;
        };
        seen = seen.saturating_add(chunk.len());
        if seen <= limit {
            collected.extend_from_slice(&chunk);
        }
    }
    if seen > limit {
        metrics::counter!("gcm_limit_breaches_total", "limit" => "MAX_BODY_SIZE_EXCEEDED")
            .increment(1);
        return Err(body_too_large(limit));
    }
    Ok(Bytes::from(collected))
}

/// How far past the body limit a body is still read, to answer 413 cleanly.
pub const BODY_DRAIN_FACTOR: usize = 8;

fn body_too_large(limit: usize) -> Refusal {
    Refusal {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        code: "MAX_BODY_SIZE_EXCEEDED",
        message: format!("The request body is larger than the limit of {limit} bytes"),
        breach: None,
        requested_cost: None,
    }
}

/// Checks, parses, measures and executes one request.
async fn answer(
    state: &AppState,
    mut params: Params,
    method: Method,
    traced: bool,
) -> Result<Answer, Failure> {
    let settings = &state.api;
    let query = settings
        .persisted
        .resolve(params.query.take(), &params.extensions)
        .map_err(Failure::Refused)?;
    let Some(query) = query else {
        return Err(Failure::Refused(Refusal::bad_request(
            "The request has no `query`.",
        )));
    };
    limits::check_document_text(&settings.limits, &query)
        .map_err(|breach| Failure::Refused(Refusal::limit(breach)))?;
    limits::check_variables(&settings.limits, &params.variables)
        .map_err(|breach| Failure::Refused(Refusal::limit(breach)))?;
    // Anonymous queries may be answered from the response cache (the same request passed
    // the same limits when it was cached).
    let cache_key = match &settings.response_cache {
        Some(cache) if !params.authenticated && !traced => {
            cache.revalidate(&state.pool).await;
            let key = crate::response_cache::ResponseCache::key(
                &crate::persisted::sha256_hex(&query),
                params.operation_name.as_deref(),
                &params.variables,
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
    let variables = async_graphql::Variables::from_json(params.variables);
    let document = match async_graphql::parser::parse_query(&query) {
        Ok(document) => document,
        Err(error) => {
            let error = async_graphql::ServerError::from(error);
            let body = json!({
                "errors": [{
                    "message": error.message,
                    "locations": error.locations,
                    "extensions": { "code": "GRAPHQL_PARSE_FAILED" },
                }],
            });
            return Ok(Answer {
                request_error: true,
                body: encode(&body),
                etag: None,
                outcome: "invalid",
                operation: "unparsed".to_owned(),
                cache_control: None,
            });
        }
    };
    let mut requested_cost = 0;
    let mut is_query = false;
    let operation = limits::select_operation(&document, params.operation_name.as_deref());
    let operation_label = match (operation, &document.operations) {
        (None, _) => "unknown".to_owned(),
        (Some(_), async_graphql::parser::types::DocumentOperations::Single(_)) => {
            settings.operation_label(None)
        }
        (Some(_), async_graphql::parser::types::DocumentOperations::Multiple(operations)) => {
            settings.operation_label(
                params
                    .operation_name
                    .as_deref()
                    .or_else(|| operations.keys().next().map(|name| name.as_str())),
            )
        }
    };
    if let Some(operation) = operation {
        if method == Method::GET && operation.node.ty != OperationType::Query {
            return Err(Failure::MethodNotAllowed);
        }
        let analysis = limits::analyze(
            &settings.limits,
            &settings.cost_model,
            &document,
            &operation.node,
            &variables,
        )
        .map_err(|breach| Failure::Refused(Refusal::limit(breach)))?;
        requested_cost = analysis.requested_cost;
        is_query = analysis.operation_type == OperationType::Query;
        if analysis.introspection && !settings.introspection {
            return Err(Failure::Refused(Refusal::new(
                StatusCode::BAD_REQUEST,
                "INTROSPECTION_DISABLED",
                "Introspection is switched off on this server.",
            )));
        }
    }

    let mut request = async_graphql::Request::new(query).variables(variables);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    request.extensions = async_graphql::Extensions(
        params
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
    request.set_parsed_query(document);
    // A federation router asking for a trace gets the traced twin of the schema; other
    // requests do not pay for per-field timing.
    let schema = if traced {
        &state.traced_schema
    } else {
        &state.schema
    };
    let response = match crate::auth::caller_for(&state.pool, params.authorization.as_ref()).await {
        Ok(caller) => gcm_graphql::execute_as(schema, request, &state.pool, caller).await,
        Err(error) => async_graphql::Response::from_errors(vec![
            error.into_server_error(async_graphql::Pos::default()),
        ]),
    };
    let actual_cost = limits::actual_cost(&response.data);
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    let outcome = if response.errors.is_empty() {
        "ok"
    } else if request_error {
        "invalid"
    } else if response
        .errors
        .iter()
        .any(|error| error_code(error) == Some("SERVICE_UNAVAILABLE"))
    {
        "unavailable"
    } else {
        "error"
    };
    let cache_control = (is_query && response.errors.is_empty())
        .then(|| cache_control(&response.cache_control, params.authenticated, settings))
        .flatten();
    let mut response = response;
    if request_error {
        // Errors found before execution (syntax, validation, variables) carry a code too,
        // so clients can tell them from execution errors.
        for error in &mut response.errors {
            if error_code(error).is_none() {
                error.extensions.get_or_insert_with(Default::default).set(
                    "code",
                    async_graphql::Value::String("GRAPHQL_VALIDATION_FAILED".to_owned()),
                );
            }
        }
    }
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
    let mut etag = None;
    if let (Some(cache), Some(key), Some(_)) = (&settings.response_cache, cache_key, &cache_control)
    {
        let tag: std::sync::Arc<str> = etag_of(&body).into();
        etag = Some(tag.clone());
        cache.insert(
            key,
            crate::response_cache::Cached {
                body: body.clone(),
                etag: tag,
                cache_control: cache_control.clone(),
                operation: operation_label.clone(),
            },
        );
    }
    Ok(Answer {
        request_error,
        body,
        etag,
        outcome,
        operation: operation_label,
        cache_control,
    })
}

fn error_code(error: &async_graphql::ServerError) -> Option<&str> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.as_str()),
        _ => None,
    }
}

fn finish(
    state: &AppState,
    media: Media,
    answered: Result<Result<Outcome, Failure>, tokio::time::error::Elapsed>,
    timeout: Duration,
    started: Instant,
    // `Some` for GET (which gets an ETag), holding the client's `If-None-Match`.
    if_none_match: Option<Option<HeaderValue>>,
) -> Response {
    let mut cache = None;
    let mut known_etag = None;
    let (status, body, outcome, operation) = match answered {
        Err(_) => {
            let refusal = Refusal::new(
                StatusCode::REQUEST_TIMEOUT,
                "REQUEST_TIMEOUT",
                format!(
                    "The request took longer than the limit of {} ms",
                    timeout.as_millis()
                ),
            );
            metrics::counter!("gcm_limit_breaches_total", "limit" => "REQUEST_TIMEOUT")
                .increment(1);
            let mut body = refusal.body();
            body["errors"][0]["extensions"]["limit"] = json!(timeout.as_millis() as u64);
            body["errors"][0]["extensions"]["value"] = json!(started.elapsed().as_millis() as u64);
            (
                refusal.status,
                encode(&body),
                "timeout",
                "unknown".to_owned(),
            )
        }
        Ok(Err(Failure::MethodNotAllowed)) => {
            let mut response = (
                StatusCode::METHOD_NOT_ALLOWED,
                [(header::ALLOW, "POST")],
                axum::Json(json!({ "errors": [{
                    "message": "Only queries may be sent with GET; send mutations with POST.",
                    "extensions": { "code": "METHOD_NOT_ALLOWED" },
                }]})),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, media.content_type());
            record(state, "unknown", "bad_request", started);
            return response;
        }
        Ok(Err(Failure::Refused(refusal))) => (
            refusal.status,
            encode(&refusal.body()),
            refusal.outcome(),
            "unknown".to_owned(),
        ),
        Ok(Ok(Outcome::Single(answer))) => {
            let status = if answer.request_error && media == Media::GraphQlResponse {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            cache = answer.cache_control;
            known_etag = answer.etag;
            (status, answer.body, answer.outcome, answer.operation)
        }
        Ok(Ok(Outcome::Batch(answers))) => {
            let mut array = vec![b'['];
            for (index, answered) in answers.into_iter().enumerate() {
                if index > 0 {
                    array.push(b',');
                }
                match answered {
                    Ok(answer) => {
                        record(state, &answer.operation, answer.outcome, started);
                        array.extend_from_slice(&answer.body);
                    }
                    Err(refusal) => array.extend_from_slice(&encode(&refusal.body())),
                }
            }
            array.push(b']');
            (
                StatusCode::OK,
                Bytes::from(array),
                "batch",
                "batch".to_owned(),
            )
        }
    };
    record(state, &operation, outcome, started);
    let cache_header = cache.clone().unwrap_or_else(|| "no-store".to_owned());
    let etag = match (&cache, &if_none_match) {
        (Some(_), Some(_)) if status == StatusCode::OK => {
            Some(known_etag.map_or_else(|| etag_of(&body), |etag| etag.to_string()))
        }
        _ => None,
    };
    let not_modified = etag.as_ref().is_some_and(|etag| {
        if_none_match
            .flatten()
            .and_then(|value| value.to_str().ok().map(str::to_owned))
            .is_some_and(|value| {
                value
                    .split(',')
                    .any(|candidate| candidate.trim() == etag || candidate.trim() == "*")
            })
    });
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (status, body).into_response()
    };
    let headers = response.headers_mut();
    if !not_modified {
        headers.insert(header::CONTENT_TYPE, media.content_type());
    }
    if let Ok(value) = HeaderValue::from_str(&cache_header) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    if let Some(etag) = etag.and_then(|etag| HeaderValue::from_str(&etag).ok()) {
        headers.insert(header::ETAG, etag);
    }
    // Answers differ by media type and credentials.
    headers.insert(
        header::VARY,
        HeaderValue::from_static("accept, authorization"),
    );
    response
}

fn encode(value: &Value) -> Bytes {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .unwrap_or_default()
}

fn encoding_failed(error: &serde_json::Error) -> Value {
    json!({ "errors": [{ "message": format!("cannot encode the response: {error}"),
                         "extensions": { "code": "INTERNAL_SERVER_ERROR" } }] })
}

/// A strong validator: the same bytes, the same tag.
fn etag_of(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// `Cache-Control` for a successful query: the schema's hints (`#[graphql(cache_control)]`),
/// else public for `cache_max_age`; private and unstored with credentials.
fn cache_control(
    hints: &async_graphql::CacheControl,
    authenticated: bool,
    settings: &ApiSettings,
) -> Option<String> {
    if authenticated || hints.max_age < 0 {
        return None;
    }
    let max_age = if hints.max_age > 0 {
        hints.max_age as u32
    } else {
        settings.cache_max_age
    };
    if max_age == 0 {
        return None;
    }
    let scope = if hints.public { "public" } else { "private" };
    Some(format!("{scope}, max-age={max_age}"))
}

fn record(_state: &AppState, operation: &str, outcome: &'static str, started: Instant) {
    metrics::counter!(
        "gcm_graphql_requests_total",
        "operation" => operation.to_owned(),
        "outcome" => outcome
    )
    .increment(1);
    metrics::histogram!("gcm_graphql_request_duration_seconds")
        .record(started.elapsed().as_secs_f64());
}

/// `apollo-federation-include-trace: ftv1`, sent by a router that wants field timings.
fn wants_trace(headers: &HeaderMap) -> bool {
    use gcm_graphql::federation::ftv1::{INCLUDE_TRACE_HEADER, INCLUDE_TRACE_VALUE};
    headers.get(INCLUDE_TRACE_HEADER).is_some_and(|value| {
        value
            .as_bytes()
            .eq_ignore_ascii_case(INCLUDE_TRACE_VALUE.as_bytes())
    })
}

/// A browser navigating to the endpoint, rather than a client sending a query.
fn wants_html(request: &Request) -> bool {
    request
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The settings shared by every handler.
pub type SharedSettings = Arc<ApiSettings>;
