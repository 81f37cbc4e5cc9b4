//! Rebuilds the catalogue files from the database.
//!
//! Each record starts from its stored `source` (the record exactly as imported, so
//! provenance fields survive) and the modeled fields are laid over it from the columns,
//! so edits made in the database show up; the order of fields and files is each format
//! module's. A field the source did not have is only added when its value is not the
//! default. For the bundled catalogue the result parses to the same JSON values as the
//! input files.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

use super::CatalogueFile;
use super::format::{
    countries, document_types, guidance, instruments, items, links, objectives, pages, principles,
    regions,
};
use super::model::file_kind;
use crate::{Pool, StoreError};

mod load;

pub(crate) use load::{Country, Item, Stored};

pub(crate) async fn export(pool: &Pool) -> Result<Vec<CatalogueFile>, StoreError> {
    let mut conn = pool.get().await?;
    // One snapshot, so the files agree with each other even while the catalogue changes.
    let stored = conn
        .build_transaction()
        .read_only()
        .repeatable_read()
        .run::<_, StoreError, _>(async |conn| load::load(conn).await)
        .await?;
    build(&stored)
}

/// Sets a modeled field.
pub(crate) fn put(record: &mut Map<String, Value>, key: &str, value: impl Into<Value>) {
    record.insert(key.to_owned(), value.into());
}

/// Sets a field whose absence means its default: added only when the value differs from
/// the default or the source already had the field.
pub(crate) fn put_unless_default(
    record: &mut Map<String, Value>,
    key: &str,
    value: Value,
    default: &Value,
) {
    if value != *default || record.contains_key(key) {
        record.insert(key.to_owned(), value);
    }
}

pub(crate) fn put_optional<T: Into<Value>>(
    record: &mut Map<String, Value>,
    key: &str,
    value: Option<T>,
) {
    put_unless_default(
        record,
        key,
        value.map_or(Value::Null, Into::into),
        &Value::Null,
    );
}

/// The entry of a source array whose `key` equals `value`, to lay new values over.
pub(crate) fn matching_entry(
    source: Option<&Value>,
    key: &str,
    value: &Value,
) -> Map<String, Value> {
    source
        .and_then(Value::as_array)
        .and_then(|entries| entries.iter().find(|e| e.get(key) == Some(value)))
        .map(super::document::object)
        .unwrap_or_default()
}

fn file(name: &str, value: Value) -> Result<CatalogueFile, StoreError> {
    let mut text = serde_json::to_string_pretty(&value)
        .map_err(|e| StoreError::Corrupt(format!("cannot serialise {name}: {e}")))?;
    text.push('\n');
    Ok(CatalogueFile {
        name: name.to_owned(),
        text,
    })
}

fn build(s: &Stored) -> Result<Vec<CatalogueFile>, StoreError> {
    let mut item_objectives: HashMap<i32, Vec<i32>> = HashMap::new();
    for (item, objective) in &s.item_objectives {
        item_objectives.entry(*item).or_default().push(*objective);
    }
    let mut items_by_objective: BTreeMap<i32, Vec<&Item>> = BTreeMap::new();
    for item in &s.items {
        // An item is listed in the file of its first objective; one without any objective
        // has no place in the format and is left out.
        if let Some(first) = item_objectives.get(&item.0.id).and_then(|o| o.first()) {
            items_by_objective.entry(*first).or_default().push(item);
        }
    }
    for listed in items_by_objective.values_mut() {
        let kind = |(row, _): &Item| {
            items::kind_of(row)
                .map(|(k, s)| file_kind(k, s))
                .unwrap_or_default()
        };
        // Placed items by position, then the unplaced ones (position 0) by slug.
        let key = |item: &Item| (kind(item), item.1.position == 0, item.1.position);
        listed.sort_by(|a, b| (key(a), &a.0.slug).cmp(&(key(b), &b.0.slug)));
    }

    let mut files = vec![
        file(objectives::FILE, objectives::encode(s))?,
        file(principles::FILE, principles::encode(s))?,
        file(regions::FILE, regions::encode(s))?,
        file(countries::FILE, countries::encode(s))?,
        file(document_types::FILE, document_types::encode(s))?,
        file(instruments::FILE, instruments::encode(s))?,
        file(guidance::FILE, guidance::encode(s))?,
        file(links::FILE, links::encode(s, &items_by_objective))?,
    ];
    let page_objectives: BTreeSet<i32> = s
        .pages
        .iter()
        .map(|(n, _)| *n)
        .chain(items_by_objective.keys().copied())
        .collect();
    for objective in page_objectives {
        let listed = items_by_objective
            .get(&objective)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let page = pages::encode(s, objective, listed, &item_objectives);
        files.push(file(&pages::file_name(objective), page)?);
    }
    Ok(files)
}
