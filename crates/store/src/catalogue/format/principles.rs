//! principles.json: the GCM's guiding principles (paragraph 15), in the Hub's menu
//! order. Provenance: the paragraph letter and the Hub term id stay in `source`.

use serde_json::Value;

use super::{Keys, NAME, menu_extras};
use crate::catalogue::document::{self, keep, ordered, with_records};
use crate::catalogue::export::{Stored, put};
use crate::catalogue::model::{Catalogue, Principle};
use crate::catalogue::obj::Obj;

pub(crate) const FILE: &str = "principles.json";
pub(crate) const RECORDS: &str = "principles";
pub(crate) const FIELDS: &[&str] = &[
    "position",
    "slug",
    "name",
    "gcm_para15_letter",
    "hub_term_id",
];
pub(crate) const KEYS: &[&str] = &["position", "slug", "name"];

/// The menu lines after the principles that are not principles.
const EXTRA_MENU_ENTRIES: &str = "extra_menu_entries";
pub(crate) const DOCUMENT: &[&str] = &["meta", RECORDS, EXTRA_MENU_ENTRIES];

pub(crate) fn decode(root: &Obj<'_>, out: &mut Catalogue) {
    document::store(out, root.file, keep(root, &[RECORDS]));
    for entry in root.opt_records(EXTRA_MENU_ENTRIES).unwrap_or_default() {
        menu_extras::check(&entry);
    }
    let Some(records) = root.records(RECORDS) else {
        return;
    };
    let mut keys = Keys::new(KEYS);
    for p in &records {
        let position = keys.position(p);
        let slug = keys.slug(p, "slug");
        let name = keys.text(p, "name", NAME);
        if let (Some(position), Some(slug), Some(name)) = (position, slug, name) {
            out.principles.push(Principle {
                slug,
                name,
                position,
                source: Value::Object(p.map.clone()),
            });
        }
    }
}

pub(crate) fn encode(s: &Stored) -> Value {
    let records = s
        .principles
        .iter()
        .map(|(p, source)| {
            let mut r = document::object(source);
            put(&mut r, "position", p.position);
            put(&mut r, "slug", p.slug.as_str());
            put(&mut r, "name", p.name.as_str());
            ordered(r, FIELDS)
        })
        .collect();
    with_records(s.document(FILE), RECORDS, records, DOCUMENT)
}
