//! A request the pipeline will not run, whatever the stage that refused it: its code, its
//! message, and the `extensions` a client needs to act on it (`limit`/`value`, `retryAfter`,
//! a parse error's `locations`).

use serde_json::{Map, Value, json};

use crate::error::ErrorCode;
use crate::limits::LimitBreach;

#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
    /// Members of the error's `extensions` besides `code`.
    pub extensions: Vec<(&'static str, Value)>,
    /// The error's `locations` (parse failures).
    pub locations: Option<Box<Value>>,
    /// The cost a complexity refusal measured: reported as `extensions.cost.requested`.
    pub requested_cost: Option<u64>,
}

impl Refusal {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            extensions: Vec::new(),
            locations: None,
            requested_cost: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }

    /// A limit breach, counted in `gcm_limit_breaches_total{limit}`.
    pub fn limit(breach: LimitBreach) -> Self {
        metrics::counter!("gcm_limit_breaches_total", "limit" => breach.code.as_str()).increment(1);
        let requested_cost =
            (breach.code == ErrorCode::MaxComplexityExceeded).then_some(breach.value);
        Self {
            requested_cost,
            ..Self::new(breach.code, breach.message)
                .with("limit", breach.limit)
                .with("value", breach.value)
        }
    }

    /// Adds a member to the error's `extensions`.
    pub fn with(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.extensions.push((key, value.into()));
        self
    }

    /// A member of the error's `extensions`.
    pub fn extension(&self, key: &str) -> Option<&Value> {
        self.extensions
            .iter()
            .find_map(|(name, value)| (*name == key).then_some(value))
    }

    /// The HTTP status of the refusal; request errors depend on the media type, so the
    /// caller passes whether the client reads `application/graphql-response+json`.
    pub fn http_status(&self, graphql_response_media: bool) -> u16 {
        if self.code.is_request_error() && !graphql_response_media {
            200
        } else {
            self.code.http_status()
        }
    }

    /// The one GraphQL error of the refusal.
    pub fn error(&self) -> Value {
        let mut extensions = Map::new();
        extensions.insert("code".to_owned(), Value::from(self.code.as_str()));
        for (key, value) in &self.extensions {
            extensions.insert((*key).to_owned(), value.clone());
        }
        let mut error = json!({ "message": self.message });
        if let Some(locations) = &self.locations {
            error["locations"] = (**locations).clone();
        }
        error["extensions"] = Value::Object(extensions);
        error
    }

    /// The answer's body: `errors` (no `data`: nothing ran), and the cost when measured.
    pub fn body(&self) -> Value {
        let mut body = json!({ "errors": [self.error()] });
        if let Some(requested) = self.requested_cost {
            body["extensions"] = json!({ "cost": { "requested": requested, "actual": 0 } });
        }
        body
    }

    /// The `outcome` label of `gcm_graphql_requests_total`.
    pub fn outcome(&self) -> &'static str {
        use ErrorCode::*;
        match self.code {
            GraphqlParseFailed | GraphqlValidationFailed => "invalid",
            RequestTimeout => "timeout",
            RateLimited => "rate_limited",
            Unauthenticated => "unauthenticated",
            MaxBatchSizeExceeded
            | MaxDocumentSizeExceeded
            | MaxTokensExceeded
            | MaxDepthExceeded
            | MaxComplexityExceeded
            | MaxAliasesExceeded
            | MaxRootFieldsExceeded
            | MaxDirectivesExceeded
            | MaxVariablesDepthExceeded
            | MaxVariablesValuesExceeded
            | MaxSubscriptionsExceeded
            | IntrospectionDisabled => "rejected",
            _ => "bad_request",
        }
    }
}
