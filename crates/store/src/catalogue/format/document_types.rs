//! document_types.json: the Hub's "Select by type of document" menu. The table has no
//! `source` column, so a record holds exactly [`FIELDS`]: any other field is refused
//! rather than lost on import.

use std::collections::HashSet;

use serde_json::Value;

use super::{Keys, NAME};
use crate::catalogue::document::{self, keep, ordered, with_records};
use crate::catalogue::export::{Stored, put};
use crate::catalogue::model::{Catalogue, DocumentType};
use crate::catalogue::obj::Obj;
use crate::catalogue::resolve::Resolver;

pub(crate) const FILE: &str = "document_types.json";
pub(crate) const RECORDS: &str = "document_types";
pub(crate) const DOCUMENT: &[&str] = &["meta", RECORDS];
pub(crate) const FIELDS: &[&str] = &["position", "slug", "name"];
pub(crate) const KEYS: &[&str] = &["position", "slug", "name"];

pub(crate) fn decode(root: &Obj<'_>, refs: &mut Resolver<'_>, out: &mut Catalogue) {
    document::store(out, root.file, keep(root, &[RECORDS]));
    let Some(records) = root.records(RECORDS) else {
        return;
    };
    let mut keys = Keys::new(KEYS);
    let mut known = HashSet::new();
    for d in &records {
        d.only_fields(FIELDS);
        let position = keys.position(d);
        let slug = keys.slug(d, "slug");
        let name = keys.text(d, "name", NAME);
        if let Some(slug) = &slug {
            known.insert(slug.clone());
        }
        if let (Some(position), Some(slug), Some(name)) = (position, slug, name) {
            out.document_types.push(DocumentType {
                slug,
                name,
                position,
            });
        }
    }
    refs.document_types = Some(known);
}

pub(crate) fn encode(s: &Stored) -> Value {
    let records = s
        .document_types
        .iter()
        .map(|d| {
            let mut r = serde_json::Map::new();
            put(&mut r, "position", d.position);
            put(&mut r, "slug", d.slug.as_str());
            put(&mut r, "name", d.name.as_str());
            ordered(r, FIELDS)
        })
        .collect();
    with_records(s.document(FILE), RECORDS, records, DOCUMENT)
}
