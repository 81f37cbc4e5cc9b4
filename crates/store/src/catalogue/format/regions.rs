//! regions.json: the five UN M49 regions the Hub groups countries by. `country_count`
//! is not stored: it is checked against countries.json on import and computed on export.

use std::collections::{HashMap, HashSet};

use gcm_domain::Invalid;
use serde_json::Value;

use super::{Keys, NAME, three_digits};
use crate::catalogue::document::{self, keep, ordered, with_records};
use crate::catalogue::export::{Stored, put};
use crate::catalogue::model::{Catalogue, Region};
use crate::catalogue::obj::Obj;
use crate::catalogue::resolve::Resolver;

pub(crate) const FILE: &str = "regions.json";
pub(crate) const RECORDS: &str = "regions";
pub(crate) const DOCUMENT: &[&str] = &["meta", RECORDS];
pub(crate) const FIELDS: &[&str] = &["position", "slug", "name", "m49_code", "country_count"];
pub(crate) const KEYS: &[&str] = &["position", "slug", "name", "m49_code"];

pub(crate) fn decode(root: &Obj<'_>, refs: &mut Resolver<'_>, out: &mut Catalogue) {
    document::store(out, root.file, keep(root, &[RECORDS]));
    let Some(records) = root.records(RECORDS) else {
        return;
    };
    let mut keys = Keys::new(KEYS);
    let mut by_name = HashMap::new();
    let mut known_slugs = HashSet::new();
    for r in &records {
        let position = keys.position(r);
        let slug = keys.slug(r, "slug");
        let name = keys.text(r, "name", NAME);
        let m49 = r.parse("m49_code", parse_m49_code);
        if let Some(code) = &m49 {
            keys.text_key(r, "m49_code", code);
        }
        if let Some(Some(count)) = r.opt_int_in("country_count", 0..=10_000)
            && let Some(name) = &name
        {
            refs.region_counts
                .push((name.clone(), count.into(), r.path_of("country_count")));
        }
        if let Some(name) = &name {
            by_name.insert(name.clone(), slug.clone());
        }
        if let Some(slug) = &slug {
            known_slugs.insert(slug.clone());
        }
        if let (Some(position), Some(slug), Some(name), Some(m49_code)) =
            (position, slug, name, m49)
        {
            out.regions.push(Region {
                slug,
                name,
                m49_code,
                position,
                source: Value::Object(r.map.clone()),
            });
        }
    }
    refs.regions_by_name = Some(by_name);
    refs.region_slugs = Some(known_slugs);
}

fn parse_m49_code(s: &str) -> Result<String, Invalid> {
    three_digits(s, "a UN M49 code")
}

pub(crate) fn encode(s: &Stored) -> Value {
    let records = s
        .regions
        .iter()
        .map(|(region, source)| {
            let mut r = document::object(source);
            let had_no_source = r.is_empty();
            put(&mut r, "position", region.position);
            put(&mut r, "slug", region.slug.as_str());
            put(&mut r, "name", region.name.as_str());
            put(&mut r, "m49_code", region.m49_code.as_str());
            // Computed, not stored: it follows the countries as they are now.
            if had_no_source || r.contains_key("country_count") {
                let count = s
                    .countries
                    .iter()
                    .filter(|(c, _)| c.region_id == region.id)
                    .count();
                put(&mut r, "country_count", count);
            }
            ordered(r, FIELDS)
        })
        .collect();
    with_records(s.document(FILE), RECORDS, records, DOCUMENT)
}
