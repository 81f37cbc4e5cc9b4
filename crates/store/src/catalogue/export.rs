//! Rebuilds the catalogue files from the database.
use super::CatalogueFile;
use crate::{Pool, StoreError};

pub(crate) async fn export(_pool: &Pool) -> Result<Vec<CatalogueFile>, StoreError> {
    Err(StoreError::Corrupt("todo".into()))
}
