//! Batching loaders: every relation a client can traverse goes through one of these, so
//! a level of a query costs one SQL statement however many parents it has.
//!
//! One `CatalogueLoader` serves many key types; each key type is a small struct with one
//! `load`, backed by one batch query of the store. A `DataLoader` (with its cache) is
//! created per request in [`crate::execute`]: nothing is shared between requests.

mod item_pages;
pub mod scheduler;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use gcm_store::models::catalogue_items::{self, GeographyRow, HubPositionRow, ItemRow};
use gcm_store::models::countries::{self, CountryRow};
use gcm_store::models::guidance::{self, CoverageRow, GuidanceRow};
use gcm_store::models::objectives::{
    self, ActionRow, InstrumentRow, ObjectiveRow, PolicyOptionRow, RelatedObjectiveRow,
};
use gcm_store::models::reference::{self, DocumentTypeRow, PrincipleRow, RegionRow};
use gcm_store::{Conn, Pool};

pub use item_pages::{ItemCountOf, ItemPageOf};

use crate::error::ApiError;

pub struct CatalogueLoader {
    pool: Pool,
}

/// The per-request loader that resolvers reach through `ctx.data_unchecked::<Loaders>()`.
pub type Loaders = DataLoader<CatalogueLoader, HashMapCache>;

/// Large enough that one level of any query the limits admit is one batch (one statement).
const MAX_BATCH: usize = 100_000;

/// A loader for one request; its batches run when `batches` drives the request.
pub fn per_request(pool: Pool, batches: &scheduler::Batches) -> Loaders {
    // No timer is needed to gather keys: the driver runs a batch only once the request
    // is idle, by which time the whole level has registered its keys.
    DataLoader::with_cache(
        CatalogueLoader { pool },
        batches.spawner(),
        HashMapCache::default(),
    )
    .delay(Duration::ZERO)
    .max_batch_size(MAX_BATCH)
}

impl CatalogueLoader {
    async fn conn(&self) -> Result<Conn, ApiError> {
        Ok(self.pool.get().await.map_err(gcm_store::StoreError::from)?)
    }
}

/// Declares a key type and its `load`: collect the keys' values, run one store batch
/// query, and map the results back to keys.
macro_rules! batch_loader {
    ($(#[$doc:meta])* $key:ident($inner:ty) => $value:ty, $store_fn:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $key(pub $inner);

        impl Loader<$key> for CatalogueLoader {
            type Value = $value;
            type Error = ApiError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, ApiError> {
                let inner: Vec<$inner> = keys.iter().map(|k| k.0.clone()).collect();
                let mut conn = self.conn().await?;
                let found = $store_fn(&mut conn, &inner).await?;
                Ok(found.into_iter().map(|(k, v)| ($key(k), v)).collect())
            }
        }
    };
}

batch_loader!(ObjectiveByNumber(i32) => ObjectiveRow, objectives::by_numbers);
batch_loader!(ActionsOfObjective(i32) => Vec<ActionRow>, objectives::actions_of_objectives);
batch_loader!(
    /// `(objective number, letter)`.
    ActionByCode((i32, String)) => ActionRow, objectives::actions_by_codes
);
batch_loader!(ActionsOfGuidance(i32) => Vec<ActionRow>, objectives::actions_of_guidance);
batch_loader!(ActionsOfItem(i32) => Vec<ActionRow>, objectives::actions_of_items);
batch_loader!(PolicyOptionsOfObjective(i32) => Vec<PolicyOptionRow>, objectives::policy_options_of_objectives);
batch_loader!(RelatedOfObjective(i32) => Vec<RelatedObjectiveRow>, objectives::related_of_objectives);
batch_loader!(InstrumentsOfObjective(i32) => Vec<InstrumentRow>, objectives::instruments_of_objectives);
batch_loader!(InstrumentByCode(String) => InstrumentRow, objectives::instruments_by_codes);
batch_loader!(GuidanceOfObjective(i32) => Vec<GuidanceRow>, guidance::of_objectives);
batch_loader!(CoverageOfObjective(i32) => Vec<CoverageRow>, guidance::coverage_of_objectives);
batch_loader!(GuidanceOfAction(i32) => Vec<GuidanceRow>, guidance::of_actions);
batch_loader!(GuidanceOfItem(i32) => Vec<GuidanceRow>, guidance::of_items);
batch_loader!(GuidanceBySlug(String) => GuidanceRow, guidance::by_slugs);
batch_loader!(
    /// Published items of each guidance source, all kinds at once: a source's
    /// `resources`, `events` and `projects` share one key and so one statement.
    /// Shared, not copied: each of the three fields (and each action the source
    /// appears under) takes only its own kind's rows out of the one list.
    ItemsOfGuidance(i32) => Arc<Vec<ItemRow>>, shared_items_of_guidance
);

async fn shared_items_of_guidance(
    conn: &mut Conn,
    guidance_ids: &[i32],
) -> gcm_store::StoreResult<HashMap<i32, Arc<Vec<ItemRow>>>> {
    let found = catalogue_items::published_of_guidance(conn, guidance_ids).await?;
    Ok(found.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
}
batch_loader!(PublishedItemBySlug(String) => ItemRow, catalogue_items::published_by_slugs);
batch_loader!(GeographyOfItem(i32) => GeographyRow, catalogue_items::geography_of_items);
batch_loader!(HubPositionOfItem(i32) => HubPositionRow, catalogue_items::hub_positions_of_items);
batch_loader!(ObjectivesOfItem(i32) => Vec<ObjectiveRow>, catalogue_items::objectives_of_items);
batch_loader!(PrinciplesOfItem(i32) => Vec<PrincipleRow>, reference::principles_of_items);
batch_loader!(PrincipleBySlug(String) => PrincipleRow, reference::principles_by_slugs);
batch_loader!(RegionsOfItem(i32) => Vec<RegionRow>, reference::regions_of_items);
batch_loader!(RegionById(i32) => RegionRow, reference::regions_by_ids);
batch_loader!(RegionBySlug(String) => RegionRow, reference::regions_by_slugs);
batch_loader!(DocumentTypeById(i32) => DocumentTypeRow, reference::document_types_by_ids);
batch_loader!(DocumentTypeBySlug(String) => DocumentTypeRow, reference::document_types_by_slugs);
batch_loader!(CountriesOfItem(i32) => Vec<CountryRow>, countries::of_items);
batch_loader!(CountriesOfRegion(i32) => Vec<CountryRow>, countries::of_regions);
batch_loader!(CountryById(i32) => CountryRow, countries::by_ids);
batch_loader!(CountryByIso3(String) => CountryRow, countries::by_iso3);

/// Loads one value; `None` when the key has none.
pub async fn one<K>(
    loaders: &Loaders,
    key: K,
) -> Result<Option<<CatalogueLoader as Loader<K>>::Value>, ApiError>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    CatalogueLoader: Loader<K, Error = ApiError>,
{
    loaders.load_one(key).await
}

/// Loads a one-to-many relation; empty when the key has none.
pub async fn many<K, V>(loaders: &Loaders, key: K) -> Result<Vec<V>, ApiError>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    CatalogueLoader: Loader<K, Value = Vec<V>, Error = ApiError>,
{
    Ok(loaders.load_one(key).await?.unwrap_or_default())
}

/// [`many`] cut to the client's `first` (0 to 100, checked before anything loads): the
/// slicing argument every curated relation list takes.
pub async fn many_first<K, V>(
    loaders: &Loaders,
    key: K,
    first: Option<i32>,
) -> Result<Vec<V>, ApiError>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    CatalogueLoader: Loader<K, Value = Vec<V>, Error = ApiError>,
{
    let limit = first_limit(first)?;
    let mut rows = many(loaders, key).await?;
    if let Some(limit) = limit {
        rows.truncate(limit);
    }
    Ok(rows)
}

/// How many elements a curated relation list's `first` lets through (`None`: all), checked
/// like a page size.
pub fn first_limit(first: Option<i32>) -> Result<Option<usize>, ApiError> {
    first
        .map(|n| crate::types::connection::page_size("first", n))
        .transpose()
}
