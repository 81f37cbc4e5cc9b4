//! Row models, one module per table, each with the batch queries the GraphQL loaders
//! call: many keys in, one statement, one map out (`= ANY($1)`).

pub mod catalogue_items;
pub mod countries;
pub mod guidance;
pub mod item_pages;
pub mod menus;
pub mod objectives;
pub mod reference;

use std::collections::HashMap;
use std::hash::Hash;

/// Groups `(key, value)` rows into a map of vectors, keeping the rows' order per key.
pub(crate) fn group<K: Eq + Hash, V>(rows: impl IntoIterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = HashMap::new();
    for (k, v) in rows {
        map.entry(k).or_default().push(v);
    }
    map
}

/// Indexes rows by a key they carry.
pub(crate) fn index<K: Eq + Hash, V>(rows: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, V> {
    rows.into_iter().map(|v| (key(&v), v)).collect()
}
