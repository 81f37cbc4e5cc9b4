//! The API's errors. Every error a client sees carries `extensions.code`; causes that
//! are not the client's are logged here, once, and answered without internals.

pub mod code;

use async_graphql::ErrorExtensions;
use gcm_store::StoreError;

pub use code::ErrorCode;

/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    NotFound(String),
    /// Malformed input: an objective number out of range, a bad code, a bad combination.
    #[error("{0}")]
    BadUserInput(String),
    /// An argument refused by the text rule (`gcm_domain::text`): `BAD_USER_INPUT` with
    /// the argument's path in `extensions.argument` (e.g. `text`, `filter.actor`, `after`).
    #[error("`{argument}`: {message}")]
    BadArgument { argument: String, message: String },
    #[error("{0}")]
    InvalidCursor(String),
    /// The request names a revision that is no longer the current one (a review of
    /// content updated since it was read): read it again and retry.
    #[error("{message}")]
    Conflict {
        message: String,
        current_revision: i32,
    },
    #[error(
        "`{argument}` is {requested}, more than the maximum page size of {max}; ask for {max} or fewer and paginate"
    )]
    PageTooLarge {
        argument: &'static str,
        requested: i32,
        max: i32,
    },
    /// A statement ran past PostgreSQL's `statement_timeout`: the query asks too much.
    #[error(
        "the query took longer than the database's statement timeout; ask for less (smaller pages, narrower filters)"
    )]
    StatementTimeout,
    /// The database cannot be reached right now; retrying later may succeed.
    #[error("the catalogue is temporarily unavailable; retry shortly")]
    ServiceUnavailable,
    #[error("internal server error")]
    Internal,
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::BadUserInput(_) | ApiError::BadArgument { .. } => ErrorCode::BadUserInput,
            ApiError::InvalidCursor(_) => ErrorCode::InvalidCursor,
            ApiError::Conflict { .. } => ErrorCode::Conflict,
            ApiError::PageTooLarge { .. } => ErrorCode::PageTooLarge,
            ApiError::StatementTimeout => ErrorCode::StatementTimeoutExceeded,
            ApiError::ServiceUnavailable => ErrorCode::ServiceUnavailable,
            ApiError::Internal => ErrorCode::InternalServerError,
        }
    }

    pub fn bad_input(message: impl Into<String>) -> Self {
        ApiError::BadUserInput(message.into())
    }

    /// The argument at `argument` (its path, e.g. `filter.text`) broke a domain rule.
    pub fn bad_argument(argument: impl Into<String>, invalid: gcm_domain::Invalid) -> Self {
        ApiError::BadArgument {
            argument: argument.into(),
            message: invalid.0,
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.to_string()).extend_with(|_, e| {
            e.set("code", self.code().as_str());
            if let ApiError::PageTooLarge {
                requested,
                max,
                argument,
            } = self
            {
                e.set("argument", *argument);
                e.set("requested", *requested);
                e.set("max", *max);
            }
            if let ApiError::Conflict {
                current_revision, ..
            } = self
            {
                e.set("currentRevision", *current_revision);
            }
            if let ApiError::BadArgument { argument, .. } = self {
                e.set("argument", argument.as_str());
            }
        })
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        if error.is_unavailable() {
            tracing::warn!(%error, "database unavailable");
            ApiError::ServiceUnavailable
        } else if error.is_statement_timeout() {
            tracing::warn!(%error, "statement timeout");
            metrics::counter!("gcm_limit_breaches_total", "limit" => ErrorCode::StatementTimeoutExceeded.as_str())
                .increment(1);
            ApiError::StatementTimeout
        } else if error.is_stale_plan() {
            // The pipeline sees the count move and runs the request again, once.
            tracing::warn!(%error, "a cached statement went stale (a migration ran)");
            gcm_store::note_stale_plan();
            ApiError::ServiceUnavailable
        } else if error.is_invalid_text() {
            // A backstop: inputs are checked before they reach SQL where a rule exists.
            tracing::warn!("refused text PostgreSQL cannot store (a NUL character)");
            ApiError::bad_input("the input contains a NUL character, which text cannot hold")
        } else {
            tracing::error!(%error, "store error");
            ApiError::Internal
        }
    }
}

impl From<gcm_domain::Invalid> for ApiError {
    fn from(invalid: gcm_domain::Invalid) -> Self {
        ApiError::BadUserInput(invalid.0)
    }
}

/// A GraphQL error with `code` and `message`.
pub fn coded(code: ErrorCode, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code.as_str()))
}

/// Converts into the error type resolvers return, keeping `extensions.code`.
pub fn gql(error: impl Into<ApiError>) -> async_graphql::Error {
    error.into().extend()
}

pub type ApiResult<T> = Result<T, async_graphql::Error>;

/// A stored value that no longer parses is our bug, not the client's.
pub fn corrupt(what: &str, value: &str) -> ApiError {
    tracing::error!(what, value, "stored value does not parse");
    ApiError::Internal
}
