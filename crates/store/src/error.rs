use diesel_async::pooled_connection::deadpool::PoolError;

/// What can go wrong between the service and PostgreSQL.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No connection could be had in time: the database is down, unreachable or saturated.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database answered with an error.
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    /// A stored value broke an invariant the code relies on (a bug or a hand edit).
    #[error("corrupt stored value: {0}")]
    Corrupt(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<PoolError> for StoreError {
    fn from(e: PoolError) -> Self {
        StoreError::Unavailable(e.to_string())
    }
}

impl StoreError {
    /// True when PostgreSQL cancelled the statement for running past `statement_timeout`.
    pub fn is_statement_timeout(&self) -> bool {
        // SQLSTATE 57014 (query_canceled) has no diesel kind of its own: read the message.
        matches!(
            self,
            StoreError::Query(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("statement timeout")
        )
    }

    /// True when PostgreSQL refused a text value it cannot store, a NUL character: in text
    /// (SQLSTATE 22021) or as `\u0000` in jsonb (22P05). The client's input is at fault.
    pub fn is_invalid_text(&self) -> bool {
        matches!(
            self,
            StoreError::Query(diesel::result::Error::DatabaseError(_, info))
                if info.message().starts_with("invalid byte sequence for encoding")
                    || info.message().starts_with("unsupported Unicode escape sequence")
        )
    }

    /// True when a connection's cached statement no longer fits the schema: a migration
    /// changed a result type under it (SQLSTATE 0A000, "cached plan must not change result
    /// type"). The statement works again once prepared afresh, on a new connection.
    pub fn is_stale_plan(&self) -> bool {
        matches!(
            self,
            StoreError::Query(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("cached plan must not change result type")
        )
    }

    /// True when retrying later may succeed: the service reports these as unavailable.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable(_) => true,
            StoreError::Query(diesel::result::Error::DatabaseError(kind, _)) => {
                matches!(kind, diesel::result::DatabaseErrorKind::ClosedConnection)
            }
            _ => false,
        }
    }
}
