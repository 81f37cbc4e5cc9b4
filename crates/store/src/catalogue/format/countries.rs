//! countries.json: the Hub's country menu (UN member states, territories and other
//! entities), each in one region of regions.json. A `global` entry is a scope, not a
//! country: it is kept in the file's document and put back in place on export.
//! Provenance: the ISO status and short name, the region's basis and notes stay in
//! `source`.

use std::collections::{HashMap, HashSet};

use gcm_domain::{Invalid, Iso2, Iso3};
use serde_json::Value;

use super::{Keys, NAME, three_digits};
use crate::catalogue::document::{self, NON_COUNTRY_ENTRIES, keep, ordered, with_records};
use crate::catalogue::export::{Stored, put, put_optional};
use crate::catalogue::json::quoted;
use crate::catalogue::model::{COUNTRY_KINDS, Catalogue, Country, GLOBAL_KIND};
use crate::catalogue::obj::Obj;
use crate::catalogue::resolve::Resolver;

pub(crate) const FILE: &str = "countries.json";
pub(crate) const RECORDS: &str = "countries";
pub(crate) const DOCUMENT: &[&str] = &["meta", RECORDS];
pub(crate) const FIELDS: &[&str] = &[
    "position",
    "name",
    "slug",
    "kind",
    "iso_alpha2",
    "iso_alpha3",
    "iso_numeric",
    "iso_code_status",
    "iso_short_name",
    "region",
    "region_basis",
    "un_member_state",
    "code_basis",
    "notes",
];
pub(crate) const KEYS: &[&str] = &[
    "position",
    "slug",
    "name",
    "iso_alpha2",
    "iso_alpha3",
    "iso_numeric",
];
/// The fields a `global` entry leaves null.
const NOT_GLOBAL: &[&str] = &["iso_alpha2", "iso_alpha3", "iso_numeric", "region"];

pub(crate) fn decode(root: &Obj<'_>, refs: &mut Resolver<'_>, out: &mut Catalogue) {
    let mut document = keep(root, &[RECORDS]);
    let Some(records) = root.records(RECORDS) else {
        document::store(out, root.file, document);
        return;
    };
    let mut keys = Keys::new(KEYS);
    let (mut known_iso2, mut known_iso3) = (HashSet::new(), HashSet::new());
    let mut non_countries = Vec::new();
    let mut per_region: HashMap<String, i64> = HashMap::new();
    for c in &records {
        let position = keys.position(c);
        let slug = keys.slug(c, "slug");
        let name = keys.text(c, "name", NAME);
        let kind = c.text("kind", NAME).and_then(|kind| {
            if kind == GLOBAL_KIND || COUNTRY_KINDS.contains(&kind.as_str()) {
                Some(kind)
            } else {
                c.report(
                    "kind",
                    format!(
                        "{} is not a country kind (one of {}, {GLOBAL_KIND})",
                        quoted(&kind),
                        COUNTRY_KINDS.join(", ")
                    ),
                );
                None
            }
        });
        if kind.as_deref() == Some(GLOBAL_KIND) {
            for key in NOT_GLOBAL {
                if c.present(key).is_some() {
                    c.report(
                        key,
                        "must be null in a global entry: \"Global\" is a scope, not a country",
                    );
                }
            }
            non_countries.push(Value::Object(c.map.clone()));
            continue;
        }
        let iso2 = c
            .parse("iso_alpha2", Iso2::parse)
            .map(|code| code.to_string());
        if let Some(code) = &iso2 {
            keys.text_key(c, "iso_alpha2", code);
            known_iso2.insert(code.clone());
        }
        let iso3 = c
            .parse("iso_alpha3", Iso3::parse)
            .map(|code| code.to_string());
        if let Some(code) = &iso3 {
            keys.text_key(c, "iso_alpha3", code);
            known_iso3.insert(code.clone());
        }
        let iso_numeric = c.opt_parse("iso_numeric", parse_iso_numeric);
        if let Some(Some(code)) = &iso_numeric {
            keys.text_key(c, "iso_numeric", code);
        }
        let region = c.text("region", NAME);
        if let Some(region) = &region {
            *per_region.entry(region.clone()).or_default() += 1;
        }
        let region_slug = refs.region_of_country(c, region.as_ref());
        let country = || {
            Some(Country {
                iso2: iso2?,
                iso3: iso3?,
                iso_numeric: iso_numeric?,
                name: name?,
                slug: slug?,
                kind: kind?,
                region_slug: region_slug?,
                position: position?,
                source: Value::Object(c.map.clone()),
            })
        };
        out.countries.extend(country());
    }
    refs.check_region_counts(&per_region);
    if !non_countries.is_empty() {
        document.insert(NON_COUNTRY_ENTRIES.to_owned(), Value::Array(non_countries));
    }
    document::store(out, root.file, document);
    refs.iso2s = Some(known_iso2);
    refs.iso3s = Some(known_iso3);
}

fn parse_iso_numeric(s: &str) -> Result<String, Invalid> {
    three_digits(s, "an ISO 3166-1 numeric code")
}

pub(crate) fn encode(s: &Stored) -> Value {
    let mut document = s.document(FILE);
    let region_names: HashMap<i32, &str> = s
        .regions
        .iter()
        .map(|(r, _)| (r.id, r.name.as_str()))
        .collect();
    let mut records: Vec<(i64, Value)> = s
        .countries
        .iter()
        .map(|(c, more)| {
            let mut r = document::object(&more.source);
            put(&mut r, "position", c.position);
            put(&mut r, "name", c.name.as_str());
            put(&mut r, "slug", c.slug.as_str());
            put(&mut r, "kind", c.kind.as_str());
            put(&mut r, "iso_alpha2", c.iso2.as_str());
            put(&mut r, "iso_alpha3", c.iso3.as_str());
            put_optional(&mut r, "iso_numeric", more.iso_numeric.as_deref());
            put_optional(&mut r, "region", region_names.get(&c.region_id).copied());
            (i64::from(c.position), ordered(r, FIELDS))
        })
        .collect();
    // Menu entries that are not countries ("Global") go back to their places.
    if let Some(Value::Array(entries)) = document.remove(NON_COUNTRY_ENTRIES) {
        for entry in entries {
            let position = entry
                .get("position")
                .and_then(Value::as_i64)
                .unwrap_or(i64::MAX);
            records.push((position, ordered(document::object(&entry), FIELDS)));
        }
    }
    records.sort_by_key(|(position, _)| *position);
    let records = records.into_iter().map(|(_, r)| r).collect();
    with_records(document, RECORDS, records, DOCUMENT)
}
