//! The catalogue's file format (the JSON files in `data/catalogue/`), its validation,
//! the all-or-nothing importer and the exporter that writes the same format back.

use std::path::Path;

use crate::{Pool, StoreError};

/// One problem found in the input: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// JSON path inside the file, e.g. `countries[121].iso_alpha3`.
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.path, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The input was refused; nothing was written.
    #[error("the catalogue was refused ({} problems); nothing was written", .0.len())]
    Invalid(Vec<Problem>),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub objectives: usize,
    pub principles: usize,
    pub regions: usize,
    pub countries: usize,
    pub document_types: usize,
    pub instruments: usize,
    pub guidance_sources: usize,
    pub items: usize,
}

/// Validates every file in `dir`, then writes the whole catalogue in one transaction.
pub async fn import_directory(_pool: &Pool, _dir: &Path) -> Result<ImportSummary, ImportError> {
    Err(ImportError::Io {
        path: String::new(),
        message: "not implemented yet".into(),
    })
}

/// Imports the catalogue bundled into the binary (a copy of `data/catalogue/`), so `serve`
/// works from any directory.
pub async fn import_bundled(_pool: &Pool) -> Result<ImportSummary, ImportError> {
    Err(ImportError::Io {
        path: String::new(),
        message: "not implemented yet".into(),
    })
}

/// Writes the stored catalogue to `dir` in the import format.
pub async fn export_directory(_pool: &Pool, _dir: &Path) -> Result<(), ImportError> {
    Err(ImportError::Io {
        path: String::new(),
        message: "not implemented yet".into(),
    })
}

/// True when the database holds a catalogue (at least the objectives).
pub async fn has_catalogue(_pool: &Pool) -> Result<bool, StoreError> {
    Ok(false)
}
