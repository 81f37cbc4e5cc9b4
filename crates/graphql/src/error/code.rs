//! Every `extensions.code` the API answers, in one place: the only place a code's text is
//! written. Each code says the HTTP status a request refused with it gets (errors met
//! during execution travel inside a 200 answer beside the data, whatever their code).

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $text:literal => $status:literal, )*) => {
        /// A machine-readable error class (`extensions.code`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in the order of the table below (for the README's table and tests).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The text clients match on.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $text,)* }
            }

            /// The HTTP status of a request refused with this code before execution.
            pub const fn http_status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }
        }
    };
}

error_codes! {
    // The request itself.
    /// Not a GraphQL request: a body that is not JSON, a field of the wrong type.
    BadRequest = "BAD_REQUEST" => 400,
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE" => 415,
    /// An `Accept` the server cannot serve: none of JSON, `application/graphql-response+json`,
    /// `multipart/mixed;subscriptionSpec=1.0` or `text/event-stream` (an unknown
    /// `subscriptionSpec` included).
    NotAcceptable = "NOT_ACCEPTABLE" => 406,
    /// A mutation or subscription sent with GET.
    MethodNotAllowed = "METHOD_NOT_ALLOWED" => 405,
    /// A query or mutation sent over `/graphql/ws`, which runs subscriptions only; a
    /// subscription POSTed by a client that reads only JSON (it must accept a stream).
    OperationNotAllowed = "OPERATION_NOT_ALLOWED" => 400,
    BatchingDisabled = "BATCHING_DISABLED" => 400,
    MaxBatchSizeExceeded = "MAX_BATCH_SIZE_EXCEEDED" => 400,
    MaxBodySizeExceeded = "MAX_BODY_SIZE_EXCEEDED" => 413,
    /// Not a GraphQL document (a request error: 400 under `application/graphql-response+json`).
    GraphqlParseFailed = "GRAPHQL_PARSE_FAILED" => 400,
    /// Not valid against the schema (a request error, like a parse failure).
    GraphqlValidationFailed = "GRAPHQL_VALIDATION_FAILED" => 400,
    // Persisted documents.
    PersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND" => 200,
    PersistedQueryNotSupported = "PERSISTED_QUERY_NOT_SUPPORTED" => 200,
    PersistedQueryNotAllowed = "PERSISTED_QUERY_NOT_ALLOWED" => 400,
    PersistedQueryHashMismatch = "PERSISTED_QUERY_HASH_MISMATCH" => 400,
    // Limits (`extensions.limit` and `extensions.value` say by how much).
    MaxDocumentSizeExceeded = "MAX_DOCUMENT_SIZE_EXCEEDED" => 400,
    MaxTokensExceeded = "MAX_TOKENS_EXCEEDED" => 400,
    MaxDepthExceeded = "MAX_DEPTH_EXCEEDED" => 400,
    MaxComplexityExceeded = "MAX_COMPLEXITY_EXCEEDED" => 400,
    MaxAliasesExceeded = "MAX_ALIASES_EXCEEDED" => 400,
    MaxRootFieldsExceeded = "MAX_ROOT_FIELDS_EXCEEDED" => 400,
    MaxDirectivesExceeded = "MAX_DIRECTIVES_EXCEEDED" => 400,
    MaxVariablesDepthExceeded = "MAX_VARIABLES_DEPTH_EXCEEDED" => 400,
    MaxVariablesValuesExceeded = "MAX_VARIABLES_VALUES_EXCEEDED" => 400,
    /// Active subscriptions on one WebSocket connection.
    MaxSubscriptionsExceeded = "MAX_SUBSCRIPTIONS_EXCEEDED" => 400,
    IntrospectionDisabled = "INTROSPECTION_DISABLED" => 400,
    RequestTimeout = "REQUEST_TIMEOUT" => 408,
    /// Over the client's rate, or its address's budget of failed authentications.
    RateLimited = "RATE_LIMITED" => 429,
    // Who is asking.
    /// No key where one is needed, or a key that is malformed, unknown or revoked.
    Unauthenticated = "UNAUTHENTICATED" => 401,
    Forbidden = "FORBIDDEN" => 403,
    /// A change made against a revision that is no longer the current one.
    Conflict = "CONFLICT" => 409,
    // Execution.
    NotFound = "NOT_FOUND" => 404,
    BadUserInput = "BAD_USER_INPUT" => 400,
    InvalidCursor = "INVALID_CURSOR" => 400,
    PageTooLarge = "PAGE_TOO_LARGE" => 400,
    StatementTimeoutExceeded = "STATEMENT_TIMEOUT_EXCEEDED" => 504,
    ServiceUnavailable = "SERVICE_UNAVAILABLE" => 503,
    InternalServerError = "INTERNAL_SERVER_ERROR" => 500,
}

impl ErrorCode {
    /// The code of a GraphQL error, if it carries one this API defines.
    pub fn of(error: &async_graphql::ServerError) -> Option<Self> {
        match error.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(text) => Self::parse(text),
            _ => None,
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|code| code.as_str() == text)
    }

    /// A request error (the request never ran): 400 for clients that read
    /// `application/graphql-response+json`, 200 with `errors` for plain JSON clients.
    pub const fn is_request_error(self) -> bool {
        matches!(
            self,
            ErrorCode::GraphqlParseFailed | ErrorCode::GraphqlValidationFailed
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_distinct_upper_snake_case_and_parses_back() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                text.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{text}"
            );
            assert_eq!(ErrorCode::parse(text), Some(code));
            assert!((200..600).contains(&code.http_status()), "{text}");
        }
    }
}
