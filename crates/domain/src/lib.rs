//! Plain types of the GCM catalogue and the rules that make a value valid.
//!
//! Nothing here does I/O: the importer, the store and the GraphQL layer all parse
//! untrusted input through these types, so a rule lives in exactly one place.

mod codes;
mod enums;
mod language;
pub mod limits;
mod objective;
mod slug;
pub mod text;

pub use codes::{Iso2, Iso3};
pub use enums::{
    Affiliation, CountryKind, Decision, InstrumentKind, ItemKind, ItemStatus, MechanismKind,
    ResourceSection, Role, Scope, SubmissionStatus, TitleProvenance,
};
pub use language::LanguageCode;
pub use objective::ObjectiveNumber;
pub use slug::{Slug, slugify};

/// Why a value was refused. The message is written for the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

impl Invalid {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
