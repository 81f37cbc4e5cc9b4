//! Curation over GraphQL: who the caller is, the mutations of contributors, reviewers
//! and admins, their queries (`mySubmissions`, `reviewQueue`, `auditLog`) and the live
//! `itemPublished` subscription.
//!
//! Roles: contributors submit and manage their own submissions; reviewers review and
//! declare conflicts; admins retract and restore items and read the audit trail. A
//! request without a usable key gets `UNAUTHENTICATED`; a key of the wrong role `FORBIDDEN`.

pub mod mutation;
pub mod query;
pub mod subscription;
pub mod types;

use async_graphql::{Context, ErrorExtensions};
use gcm_store::curation::keys::Rejected;
use gcm_store::curation::{CurationError, Identity, Role};

use crate::error::{ApiError, ApiResult, ErrorCode, coded};

pub use gcm_store::curation::submissions::ReviewPolicy;

/// Who sent the request, as the server resolved it from `Authorization: Bearer`.
#[derive(Debug, Clone, Default)]
pub enum Caller {
    #[default]
    Anonymous,
    /// A key was sent but identifies no one (malformed, unknown or revoked).
    Rejected(Rejected),
    Key(Identity),
}

fn unauthenticated(message: &str) -> async_graphql::Error {
    coded(ErrorCode::Unauthenticated, message)
}

fn forbidden(message: &str) -> async_graphql::Error {
    coded(ErrorCode::Forbidden, message)
}

/// The caller's identity when it has one of `roles`.
pub(crate) fn require(ctx: &Context<'_>, roles: &[Role]) -> ApiResult<Identity> {
    let caller = ctx.data_opt::<Caller>().cloned().unwrap_or_default();
    match caller {
        Caller::Anonymous => Err(unauthenticated(
            "this needs an API key: send `Authorization: Bearer <secret>`",
        )),
        // One message for every rejected key: a caller learns nothing about which keys exist.
        Caller::Rejected(_) => Err(unauthenticated(
            "the API key is malformed, unknown or revoked",
        )),
        Caller::Key(identity) if roles.contains(&identity.role) => Ok(identity),
        Caller::Key(identity) => Err(forbidden(&format!(
            "a {} key cannot do this (it needs the role {})",
            identity.role.as_str(),
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

/// Converts a refused change into an error with its code (field problems with their paths).
pub(crate) fn curation_error(error: CurationError) -> async_graphql::Error {
    match error {
        CurationError::NotFound(message) => ApiError::NotFound(message).extend(),
        CurationError::Forbidden(message) => forbidden(&message),
        // As if the revocation had come before the request: one message for every bad key.
        CurationError::Revoked => unauthenticated("the API key is malformed, unknown or revoked"),
        CurationError::InvalidState(message) => ApiError::BadUserInput(message).extend(),
        CurationError::Conflict {
            message,
            current_revision,
        } => ApiError::Conflict {
            message,
            current_revision,
        }
        .extend(),
        CurationError::Invalid(problems) => {
            let summary = problems
                .iter()
                .map(|p| format!("{}: {}", path_text(p), p.message))
                .collect::<Vec<_>>()
                .join("; ");
            async_graphql::Error::new(format!("the input is invalid: {summary}")).extend_with(
                |_, e| {
                    e.set("code", ErrorCode::BadUserInput.as_str());
                    let list: Vec<async_graphql::Value> = problems
                        .iter()
                        .map(|p| {
                            let mut path = vec![
                                async_graphql::Value::from("input"),
                                async_graphql::Value::from(p.field),
                            ];
                            if let Some(i) = p.index {
                                path.push(async_graphql::Value::from(i as i32));
                            }
                            let mut entry = async_graphql::indexmap::IndexMap::new();
                            entry.insert(
                                async_graphql::Name::new("path"),
                                async_graphql::Value::List(path),
                            );
                            entry.insert(
                                async_graphql::Name::new("message"),
                                async_graphql::Value::from(p.message.clone()),
                            );
                            async_graphql::Value::Object(entry)
                        })
                        .collect();
                    e.set("problems", async_graphql::Value::List(list));
                },
            )
        }
        CurationError::Store(store) => ApiError::from(store).extend(),
    }
}

fn path_text(p: &gcm_store::curation::input::FieldProblem) -> String {
    match p.index {
        Some(i) => format!("input.{}[{i}]", p.field),
        None => format!("input.{}", p.field),
    }
}
