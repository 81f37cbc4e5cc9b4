//! Item connections nested under a list of parents (every objective's `resources`, every
//! country's `events`, ...): keys with the same filter and page are one statement.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use gcm_store::models::item_pages::{self, ItemFilter, PageRequest, PageRow, Parent};

use super::CatalogueLoader;
use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemPageOf {
    pub parent: Parent,
    pub parent_id: i32,
    pub filter: Arc<ItemFilter>,
    pub request: Arc<PageRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemCountOf {
    pub parent: Parent,
    pub parent_id: i32,
    pub filter: Arc<ItemFilter>,
    /// Count exactly up to this many (`count`), or all (`totalCount`).
    pub up_to: Option<i64>,
}

/// Groups keys by everything but the parent id: each group is one statement.
fn grouped<K, G: Eq + std::hash::Hash>(
    keys: &[K],
    group_of: impl Fn(&K) -> G,
    id_of: impl Fn(&K) -> i32,
) -> HashMap<G, Vec<i32>> {
    let mut groups: HashMap<G, Vec<i32>> = HashMap::new();
    for key in keys {
        groups.entry(group_of(key)).or_default().push(id_of(key));
    }
    groups
}

impl Loader<ItemPageOf> for CatalogueLoader {
    type Value = Vec<PageRow>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[ItemPageOf],
    ) -> Result<HashMap<ItemPageOf, Vec<PageRow>>, ApiError> {
        let mut conn = self.conn().await?;
        let mut out = HashMap::new();
        let groups = grouped(
            keys,
            |k| (k.parent, k.filter.clone(), k.request.clone()),
            |k| k.parent_id,
        );
        for ((parent, filter, request), ids) in groups {
            let rows =
                item_pages::pages(&mut conn, &filter, &request, Some((parent, &ids))).await?;
            let mut by_parent: HashMap<i32, Vec<PageRow>> = HashMap::new();
            for row in rows {
                by_parent.entry(row.parent_key).or_default().push(row);
            }
            for id in ids {
                let key = ItemPageOf {
                    parent,
                    parent_id: id,
                    filter: filter.clone(),
                    request: request.clone(),
                };
                out.insert(key, by_parent.remove(&id).unwrap_or_default());
            }
        }
        Ok(out)
    }
}

impl Loader<ItemCountOf> for CatalogueLoader {
    type Value = i64;
    type Error = ApiError;

    async fn load(&self, keys: &[ItemCountOf]) -> Result<HashMap<ItemCountOf, i64>, ApiError> {
        let mut conn = self.conn().await?;
        let mut out = HashMap::new();
        let groups = grouped(
            keys,
            |k| (k.parent, k.filter.clone(), k.up_to),
            |k| k.parent_id,
        );
        for ((parent, filter, up_to), ids) in groups {
            let counts =
                item_pages::counts(&mut conn, &filter, Some((parent, &ids)), up_to).await?;
            for id in ids {
                let key = ItemCountOf {
                    parent,
                    parent_id: id,
                    filter: filter.clone(),
                    up_to,
                };
                out.insert(key, counts.get(&id).copied().unwrap_or(0));
            }
        }
        Ok(out)
    }
}
