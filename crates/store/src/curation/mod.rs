//! Curation: API keys, submissions and their peer review, and the audit trail.
//!
//! Every change runs in one transaction that locks the rows it decides on
//! (`SELECT ... FOR UPDATE`) and appends its audit record before it commits, so two
//! reviewers deciding at once, or an update racing a review, end in one consistent state.

pub mod audit;
pub mod hub_places;
pub mod input;
pub mod keys;
pub mod links;
pub mod notify;
pub mod submissions;

use crate::StoreError;

pub use keys::{Affiliation, ApiKeyRow, Identity, Role};

/// Why a curation change was refused.
#[derive(Debug, thiserror::Error)]
pub enum CurationError {
    #[error("{0}")]
    NotFound(String),
    /// The caller is known but may not do this (own submission, declared conflict, not the owner).
    #[error("{0}")]
    Forbidden(String),
    /// The request does not fit the record's state (a decided submission, a repeated review).
    #[error("{0}")]
    InvalidState(String),
    /// The caller's key was revoked after the request was authenticated (a revocation
    /// committed while the request ran).
    #[error("the API key is revoked")]
    Revoked,
    /// The caller acted on a revision of the record that is no longer the current one
    /// (a review of content that was updated since it was read).
    #[error("{message}")]
    Conflict {
        message: String,
        current_revision: i32,
    },
    /// The input breaks the catalogue's rules: every problem with its input path.
    #[error("the input is invalid ({} problems)", .0.len())]
    Invalid(Vec<input::FieldProblem>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<diesel::result::Error> for CurationError {
    fn from(error: diesel::result::Error) -> Self {
        CurationError::Store(StoreError::Query(error))
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for CurationError {
    fn from(error: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        CurationError::Store(StoreError::from(error))
    }
}

pub type CurationResult<T> = Result<T, CurationError>;
