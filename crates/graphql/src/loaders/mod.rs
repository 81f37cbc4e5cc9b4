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

/// Rows of a one-to-many relation as the loader's cache holds them: shared, so handing
/// them to resolvers copies pointers, not rows (a walk reads tens of thousands).
pub type Shared<V> = Arc<[Arc<V>]>;

/// Declares a key type and its `load`: collect the keys' values, run one store batch
/// query, and map the results back to keys, each row behind an `Arc`. `one` keys find one
/// row, `many` keys a list ([`Shared`]).
macro_rules! batch_loader {
    ($(#[$doc:meta])* one $key:ident($inner:ty) => $row:ty, $store_fn:path) => {
        batch_loader!(@key $(#[$doc])* $key($inner) => Arc<$row>, $store_fn, Arc::new);
    };
    ($(#[$doc:meta])* many $key:ident($inner:ty) => $row:ty, $store_fn:path) => {
        batch_loader!(@key $(#[$doc])* $key($inner) => Shared<$row>, $store_fn,
            |rows: Vec<$row>| rows.into_iter().map(Arc::new).collect());
    };
    (@key $(#[$doc:meta])* $key:ident($inner:ty) => $value:ty, $store_fn:path, $share:expr) => {
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
                Ok(found.into_iter().map(|(k, v)| ($key(k), $share(v))).collect())
            }
        }
    };
}

batch_loader!(one ObjectiveByNumber(i32) => ObjectiveRow, objectives::by_numbers);
batch_loader!(many ActionsOfObjective(i32) => ActionRow, objectives::actions_of_objectives);
batch_loader!(
    /// `(objective number, letter)`.
    one ActionByCode((i32, String)) => ActionRow, objectives::actions_by_codes
);
batch_loader!(many ActionsOfGuidance(i32) => ActionRow, objectives::actions_of_guidance);
batch_loader!(many ActionsOfItem(i32) => ActionRow, objectives::actions_of_items);
batch_loader!(many PolicyOptionsOfObjective(i32) => PolicyOptionRow, objectives::policy_options_of_objectives);
batch_loader!(many RelatedOfObjective(i32) => RelatedObjectiveRow, objectives::related_of_objectives);
batch_loader!(many InstrumentsOfObjective(i32) => InstrumentRow, objectives::instruments_of_objectives);
batch_loader!(one InstrumentByCode(String) => InstrumentRow, objectives::instruments_by_codes);
batch_loader!(many GuidanceOfObjective(i32) => GuidanceRow, guidance::of_objectives);
batch_loader!(many CoverageOfObjective(i32) => CoverageRow, guidance::coverage_of_objectives);
batch_loader!(many GuidanceOfAction(i32) => GuidanceRow, guidance::of_actions);
batch_loader!(many GuidanceOfItem(i32) => GuidanceRow, guidance::of_items);
batch_loader!(one GuidanceBySlug(String) => GuidanceRow, guidance::by_slugs);
batch_loader!(
    /// Published items of each guidance source, all kinds at once: a source's
    /// `resources`, `events` and `projects` share one key and so one statement; each of
    /// the three fields (and each action the source appears under) takes its own kind's
    /// rows out of the one shared list.
    many ItemsOfGuidance(i32) => ItemRow, catalogue_items::published_of_guidance
);
batch_loader!(one PublishedItemBySlug(String) => ItemRow, catalogue_items::published_by_slugs);
batch_loader!(one GeographyOfItem(i32) => GeographyRow, catalogue_items::geography_of_items);
batch_loader!(one HubPositionOfItem(i32) => HubPositionRow, catalogue_items::hub_positions_of_items);
batch_loader!(many ObjectivesOfItem(i32) => ObjectiveRow, catalogue_items::objectives_of_items);
batch_loader!(many PrinciplesOfItem(i32) => PrincipleRow, reference::principles_of_items);
batch_loader!(one PrincipleBySlug(String) => PrincipleRow, reference::principles_by_slugs);
batch_loader!(many RegionsOfItem(i32) => RegionRow, reference::regions_of_items);
batch_loader!(one RegionById(i32) => RegionRow, reference::regions_by_ids);
batch_loader!(one RegionBySlug(String) => RegionRow, reference::regions_by_slugs);
batch_loader!(one DocumentTypeById(i32) => DocumentTypeRow, reference::document_types_by_ids);
batch_loader!(one DocumentTypeBySlug(String) => DocumentTypeRow, reference::document_types_by_slugs);
batch_loader!(many CountriesOfItem(i32) => CountryRow, countries::of_items);
batch_loader!(many CountriesOfRegion(i32) => CountryRow, countries::of_regions);
batch_loader!(one CountryById(i32) => CountryRow, countries::by_ids);
batch_loader!(one CountryByIso3(String) => CountryRow, countries::by_iso3);

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

/// Loads a one-to-many relation; empty when the key has none. The rows are shared with
/// the loader's cache (pointers are copied, not rows).
pub async fn many<K, V>(loaders: &Loaders, key: K) -> Result<Shared<V>, ApiError>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + 'static,
    CatalogueLoader: Loader<K, Value = Shared<V>, Error = ApiError>,
{
    Ok(loaders.load_one(key).await?.unwrap_or_else(|| Arc::new([])))
}

/// [`many`] cut to the client's `first` (0 to 100, checked before anything loads): the
/// slicing argument every curated relation list takes.
pub async fn many_first<K, V>(
    loaders: &Loaders,
    key: K,
    first: Option<i32>,
) -> Result<Vec<Arc<V>>, ApiError>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + 'static,
    CatalogueLoader: Loader<K, Value = Shared<V>, Error = ApiError>,
{
    let limit = first_limit(first)?.unwrap_or(usize::MAX);
    let rows = many(loaders, key).await?;
    Ok(rows.iter().take(limit).cloned().collect())
}

/// How many elements a curated relation list's `first` lets through (`None`: all), checked
/// like a page size.
pub fn first_limit(first: Option<i32>) -> Result<Option<usize>, ApiError> {
    first
        .map(|n| crate::types::connection::page_size("first", n))
        .transpose()
}
