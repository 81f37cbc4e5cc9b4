//! The catalogue's file format (the JSON files in `data/catalogue/`), its validation,
//! the all-or-nothing importer and the exporter that writes the same format back.
//!
//! Both import entry points produce a list of [`CatalogueFile`]s and share one path:
//! validate everything (collecting every [`Problem`]), then write in one transaction,
//! upserting by natural key. Rows that are not in the input (items partners added
//! through the API) are kept, and so are actions a file drops (guidance and items may
//! link to them); the links of imported items, guidance and instruments, and the policy
//! options and related objectives of an imported objective page, are replaced by the
//! files' own.
//!
//! The format is declared in `format/`, one module per file kind (fields in file order,
//! natural keys, rules, decoder and encoder); `resolve` checks references between files
//! and `document` keeps each file's non-record keys.
//!
//! Format notes beyond `data/catalogue/README.md`: an item may carry `status` (default
//! `published`), `url`, `document_type` (a slug of document_types.json) and
//! `other_objectives` (objectives besides its file's); the export writes them when they
//! are set. Item links to principles and actions are not part of the format and are
//! left alone by an import.

use std::path::Path;

use crate::{Pool, StoreError};

mod bundled;
mod document;
mod export;
mod format;
mod json;
mod model;
mod obj;
mod resolve;
mod validate;
mod write;

#[cfg(test)]
mod validation_tests;

/// One problem found in the input: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// JSON path inside the file, e.g. `countries[121].iso_alpha3`; `$` for the whole
    /// file, `line L, column C` for a syntax error.
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
    /// The export could not write its files.
    #[error("cannot write {path}: {message}")]
    Write { path: String, message: String },
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::Store(StoreError::Query(e))
    }
}

/// What an import wrote: the number of records of each kind in the input.
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
    /// `catalogue_version.version` after the import.
    pub catalogue_version: i64,
}

/// One catalogue file: its name (e.g. `countries.json`) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueFile {
    pub name: String,
    pub text: String,
}

/// Checks a catalogue without writing anything; empty when it would be accepted.
pub fn check(files: &[CatalogueFile]) -> Vec<Problem> {
    validate::validate(files).err().unwrap_or_default()
}

/// The catalogue compiled into the binary (a copy of `data/catalogue/`).
pub fn bundled_files() -> Vec<CatalogueFile> {
    bundled::files()
}

/// Reads every `*.json` file of `dir` (other files, such as a README, are ignored).
pub async fn read_directory(dir: &Path) -> Result<Vec<CatalogueFile>, ImportError> {
    let io_error = |path: &Path, e: std::io::Error| ImportError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut entries = tokio::fs::read_dir(dir)
        .await
        .map_err(|e| io_error(dir, e))?;
    let mut files = Vec::new();
    while let Some(entry) = entries.next_entry().await.map_err(|e| io_error(dir, e))? {
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !name.ends_with(".json")
            || !entry
                .file_type()
                .await
                .map_err(|e| io_error(&path, e))?
                .is_file()
        {
            continue;
        }
        let text = tokio::fs::read_to_string(&path)
            .await
            .map_err(|e| io_error(&path, e))?;
        files.push(CatalogueFile { name, text });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// Validates `files`, then writes the whole catalogue in one transaction.
pub async fn import_files(
    pool: &Pool,
    files: &[CatalogueFile],
) -> Result<ImportSummary, ImportError> {
    let catalogue = validate::validate(files).map_err(ImportError::Invalid)?;
    write::write(pool, &catalogue).await
}

/// Validates every file in `dir`, then writes the whole catalogue in one transaction.
pub async fn import_directory(pool: &Pool, dir: &Path) -> Result<ImportSummary, ImportError> {
    let files = read_directory(dir).await?;
    import_files(pool, &files).await
}

/// Imports the catalogue bundled into the binary (a copy of `data/catalogue/`), so `serve`
/// works from any directory.
pub async fn import_bundled(pool: &Pool) -> Result<ImportSummary, ImportError> {
    import_files(pool, &bundled::files()).await
}

/// The stored catalogue in the import format, one entry per file.
pub async fn export_files(pool: &Pool) -> Result<Vec<CatalogueFile>, ImportError> {
    Ok(export::export(pool).await?)
}

/// Writes the stored catalogue to `dir` in the import format.
pub async fn export_directory(pool: &Pool, dir: &Path) -> Result<(), ImportError> {
    let files = export_files(pool).await?;
    let write_error = |path: &Path, e: std::io::Error| ImportError::Write {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| write_error(dir, e))?;
    for file in files {
        let path = dir.join(&file.name);
        tokio::fs::write(&path, file.text)
            .await
            .map_err(|e| write_error(&path, e))?;
    }
    Ok(())
}

/// True when the database holds a catalogue (at least the objectives).
pub async fn has_catalogue(pool: &Pool) -> Result<bool, StoreError> {
    use diesel::dsl::exists;
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;

    use crate::schema::objectives;

    let mut conn = pool.get().await?;
    Ok(
        diesel::select(exists(objectives::table.select(objectives::number)))
            .get_result(&mut conn)
            .await?,
    )
}
