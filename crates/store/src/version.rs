//! The catalogue's version: bumped by every import (and later by curation), read by the
//! server's response cache to know when its answers went stale.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::schema::catalogue_version;
use crate::{Pool, StoreError};

/// `catalogue_version.version`: one indexed row, cheap to poll.
pub async fn catalogue_version(pool: &Pool) -> Result<i64, StoreError> {
    let mut conn = pool.get().await?;
    Ok(catalogue_version::table
        .select(catalogue_version::version)
        .first(&mut conn)
        .await?)
}
