//! The document keeper: a file's top-level keys that are not records (meta, notes, menu
//! extras) are stored per file on import and laid back around the records on export, in
//! the order each format module's `DOCUMENT` gives.

use serde_json::{Map, Value};

use super::model::{Catalogue, FileDocument};
use super::obj::Obj;

/// Key of the countries.json document that keeps the menu entries that are not countries
/// ("Global"), so the export can put them back in place.
pub(crate) const NON_COUNTRY_ENTRIES: &str = "$non_country_entries";

/// A file's top-level keys other than `records`.
pub(crate) fn keep(root: &Obj<'_>, records: &[&str]) -> Map<String, Value> {
    root.map
        .iter()
        .filter(|(k, _)| !records.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Hands a file's document to the writer.
pub(crate) fn store(out: &mut Catalogue, file: &str, document: Map<String, Value>) {
    out.files.push(FileDocument {
        name: file.to_owned(),
        document: Value::Object(document),
    });
}

/// A stored value that should be an object (a source record or file document).
pub(crate) fn object(value: &Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    }
}

/// `keys` first, in that order, then any others as they come (jsonb keeps its own order).
pub(crate) fn ordered(mut record: Map<String, Value>, keys: &[&str]) -> Value {
    let mut out = Map::with_capacity(record.len());
    for key in keys {
        if let Some(value) = record.remove(*key) {
            out.insert((*key).to_owned(), value);
        }
    }
    out.extend(record);
    Value::Object(out)
}

/// A file's document with its records under `key`, in the file's key order.
pub(crate) fn with_records(
    mut document: Map<String, Value>,
    key: &str,
    records: Vec<Value>,
    order: &[&str],
) -> Value {
    document.insert(key.to_owned(), Value::Array(records));
    ordered(document, order)
}
