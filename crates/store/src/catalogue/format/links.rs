//! links.json: the links between records of other files, each list with the curators'
//! reason: the actions each guidance text speaks to, the items it is about, and every
//! item's geography (exactly one entry per item). The tables hold no `source` for these
//! entries, so an entry holds exactly its list's fields.

use std::collections::{BTreeMap, HashMap, HashSet};

use gcm_domain::{Invalid, Iso3, ObjectiveNumber, Scope};
use serde_json::{Map, Value};

use super::{Keys, LONG, NAME, countries, objectives, regions};
use crate::catalogue::document::{self, keep, ordered};
use crate::catalogue::export::{Item, Stored, put, put_optional};
use crate::catalogue::json::quoted;
use crate::catalogue::model::Catalogue;
use crate::catalogue::obj::Obj;
use crate::catalogue::resolve::{GuidanceRef, Resolver};

pub(crate) const FILE: &str = "links.json";
const GUIDANCE_ACTIONS: &str = "guidance_actions";
const GUIDANCE_ITEMS: &str = "guidance_items";
const ITEM_GEOGRAPHY: &str = "item_geography";
pub(crate) const DOCUMENT: &[&str] = &["meta", GUIDANCE_ACTIONS, GUIDANCE_ITEMS, ITEM_GEOGRAPHY];
pub(crate) const GUIDANCE_ACTION_FIELDS: &[&str] = &["guidance", "objective", "actions", "reason"];
pub(crate) const GUIDANCE_ITEM_FIELDS: &[&str] = &["guidance", "items", "reason"];
pub(crate) const ITEM_GEOGRAPHY_FIELDS: &[&str] =
    &["item", "scope", "regions", "countries", "reason"];
/// Each list has one entry per guidance text (or item); the values of an entry's own
/// lists are distinct.
const KEYS: &[&str] = &[
    "guidance",
    "item",
    "actions",
    "items",
    "regions",
    "countries",
];

pub(crate) fn decode(root: &Obj<'_>, refs: &Resolver<'_>, out: &mut Catalogue) {
    document::store(
        out,
        root.file,
        keep(root, &[GUIDANCE_ACTIONS, GUIDANCE_ITEMS, ITEM_GEOGRAPHY]),
    );
    guidance_actions(root, refs, out);
    guidance_items(root, refs, out);
    item_geography(root, refs, out);
}

fn guidance_actions(root: &Obj<'_>, refs: &Resolver<'_>, out: &mut Catalogue) {
    let mut seen = Keys::new(KEYS);
    for e in root.opt_records(GUIDANCE_ACTIONS).unwrap_or_default() {
        e.only_fields(GUIDANCE_ACTION_FIELDS);
        let guidance = refs.guidance_ref(&e, &mut seen);
        let mut objective = guidance.as_ref().and_then(|g| g.objective);
        if let Some(Some(n)) = e.opt_int("objective") {
            match (
                e.check("objective", ObjectiveNumber::new(n)),
                guidance.as_ref(),
            ) {
                (
                    Some(n),
                    Some(GuidanceRef {
                        id,
                        objective: Some(of_guidance),
                        ..
                    }),
                ) if n.get() != *of_guidance => e.report(
                    "objective",
                    format!(
                        "{n} is not the objective of guidance {} (it is {of_guidance})",
                        quoted(id)
                    ),
                ),
                (Some(n), _) => objective = objective.or(Some(n.get())),
                (None, _) => {}
            }
        }
        let known_letters = objective.and_then(|n| {
            let actions = refs.objective_facts(n)?.actions.as_ref()?;
            Some((n, actions))
        });
        let mut letters = Vec::new();
        let mut distinct = Keys::new(KEYS);
        for (path, letter) in e.strings("actions").unwrap_or_default() {
            if let Some((n, actions)) = known_letters
                && !actions.iter().any(|a| a.letter == letter)
            {
                refs.problems.report(
                    e.file,
                    &path,
                    format!(
                        "{} is not an action of objective {n} in {}",
                        quoted(letter),
                        objectives::FILE
                    ),
                );
                continue;
            }
            if distinct.check_at(refs.problems, e.file, "actions", path, letter) {
                letters.push(letter.to_owned());
            }
        }
        let reason = e.opt_text("reason", LONG).flatten();
        if let Some(GuidanceRef {
            index: Some(index), ..
        }) = guidance
        {
            let g = &mut out.guidance[index];
            g.action_letters = letters;
            g.actions_reason = reason;
        }
    }
}

fn guidance_items(root: &Obj<'_>, refs: &Resolver<'_>, out: &mut Catalogue) {
    let mut seen = Keys::new(KEYS);
    for e in root.opt_records(GUIDANCE_ITEMS).unwrap_or_default() {
        e.only_fields(GUIDANCE_ITEM_FIELDS);
        let guidance = refs.guidance_ref(&e, &mut seen);
        let mut distinct = Keys::new(KEYS);
        let mut items = Vec::new();
        for (path, id) in e.strings("items").unwrap_or_default() {
            if let Some(index) = refs.item_ref(e.file, &path, id)
                && distinct.check_at(refs.problems, e.file, "items", path, id)
            {
                items.push(index);
            }
        }
        let reason = e.opt_text("reason", LONG).flatten();
        if let Some(GuidanceRef {
            id,
            index: Some(index),
            ..
        }) = guidance
        {
            out.guidance[index].items_reason = reason;
            for item in items.into_iter().flatten() {
                out.items[item].guidance_slugs.push(id.clone());
            }
        }
    }
}

fn item_geography(root: &Obj<'_>, refs: &Resolver<'_>, out: &mut Catalogue) {
    let mut placed = Keys::new(KEYS);
    let mut with_entry = HashSet::new();
    for e in root.opt_records(ITEM_GEOGRAPHY).unwrap_or_default() {
        e.only_fields(ITEM_GEOGRAPHY_FIELDS);
        let item = e.text("item", NAME).and_then(|id| {
            let index = refs.item_ref(e.file, &e.path_of("item"), &id)?;
            placed.text_key(&e, "item", &id).then_some((id, index))
        });
        let scope = e.parse("scope", Scope::parse);
        let mut regions = Vec::new();
        let mut distinct = Keys::new(KEYS);
        let given_regions = e.strings("regions").unwrap_or_default();
        let has_regions = !given_regions.is_empty();
        for (path, slug) in given_regions {
            if refs.lacks_region_slug(slug) {
                refs.problems.report(
                    e.file,
                    &path,
                    format!("{} is not a region in {}", quoted(slug), regions::FILE),
                );
            } else if distinct.check_at(refs.problems, e.file, "regions", path, slug) {
                regions.push(slug.to_owned());
            }
        }
        let mut countries = Vec::new();
        let given_countries = e.strings("countries").unwrap_or_default();
        let has_countries = !given_countries.is_empty();
        for (path, code) in given_countries {
            match Iso3::parse(code) {
                Err(Invalid(message)) => refs.problems.report(e.file, &path, message),
                Ok(_) if refs.lacks_iso3(code) => refs.problems.report(
                    e.file,
                    &path,
                    format!(
                        "{} is not the alpha-3 code of a country in {}",
                        quoted(code),
                        countries::FILE
                    ),
                ),
                Ok(_) => {
                    if distinct.check_at(refs.problems, e.file, "countries", path, code) {
                        countries.push(code.to_owned());
                    }
                }
            }
        }
        if let Some(problem) = scope.and_then(|s| s.geography_problem(has_regions, has_countries)) {
            e.report("scope", problem);
        }
        let reason = e.opt_text("reason", LONG).flatten();
        if let Some((id, index)) = item {
            with_entry.insert(id);
            if let (Some(index), Some(scope)) = (index, scope) {
                let item = &mut out.items[index];
                item.scope = scope;
                item.region_slugs = regions;
                item.country_iso3s = countries;
                item.geography_reason = reason;
            }
        }
    }
    if root.present(ITEM_GEOGRAPHY).is_none_or(Value::is_array) {
        for id in &refs.items {
            if !with_entry.contains(id) {
                root.report(
                    ITEM_GEOGRAPHY,
                    format!(
                        "no entry for item {} (every item needs exactly one)",
                        quoted(id)
                    ),
                );
            }
        }
    }
}

/// Link rows grouped by their first column: one pass, then a lookup per record.
fn grouped<K: std::hash::Hash + Eq, V>(pairs: impl Iterator<Item = (K, V)>) -> HashMap<K, Vec<V>> {
    let mut out: HashMap<K, Vec<V>> = HashMap::new();
    for (k, v) in pairs {
        out.entry(k).or_default().push(v);
    }
    out
}

fn linked(groups: &HashMap<i32, Vec<i32>>, key: i32) -> &[i32] {
    groups.get(&key).map(Vec::as_slice).unwrap_or_default()
}

/// links.json for the stored links of `items_by_objective`, the exported items.
pub(crate) fn encode(s: &Stored, items_by_objective: &BTreeMap<i32, Vec<&Item>>) -> Value {
    let exported: Vec<&Item> = items_by_objective.values().flatten().copied().collect();
    let item_slugs: HashMap<i32, &str> = exported
        .iter()
        .map(|(i, _)| (i.id, i.slug.as_str()))
        .collect();
    let letters_of = grouped(s.guidance_actions.iter().map(|(g, l)| (*g, l.as_str())));
    let items_of = grouped(s.item_guidance.iter().map(|(item, g)| (*g, *item)));

    let mut guidance_actions = Vec::new();
    let mut guidance_items = Vec::new();
    for (g, more) in &s.guidance {
        let letters: Vec<&str> = letters_of.get(&g.id).cloned().unwrap_or_default();
        if !letters.is_empty() || more.actions_reason.is_some() {
            let mut entry = Map::new();
            put(&mut entry, "guidance", g.slug.as_str());
            put(&mut entry, "objective", g.objective_number);
            put(&mut entry, "actions", letters);
            put_optional(&mut entry, "reason", more.actions_reason.as_deref());
            guidance_actions.push(ordered(entry, GUIDANCE_ACTION_FIELDS));
        }
        let mut items: Vec<&str> = linked(&items_of, g.id)
            .iter()
            .filter_map(|item| item_slugs.get(item).copied())
            .collect();
        items.sort_unstable();
        if !items.is_empty() || more.items_reason.is_some() {
            let mut entry = Map::new();
            put(&mut entry, "guidance", g.slug.as_str());
            put(&mut entry, "items", items);
            put_optional(&mut entry, "reason", more.items_reason.as_deref());
            guidance_items.push(ordered(entry, GUIDANCE_ITEM_FIELDS));
        }
    }

    let mut document = s.document(FILE);
    document.insert(GUIDANCE_ACTIONS.into(), Value::Array(guidance_actions));
    document.insert(GUIDANCE_ITEMS.into(), Value::Array(guidance_items));
    document.insert(ITEM_GEOGRAPHY.into(), geography(s, &exported));
    ordered(document, DOCUMENT)
}

/// One entry per exported item, by item id.
fn geography(s: &Stored, exported: &[&Item]) -> Value {
    let region_slugs: HashMap<i32, (i32, &str)> = s
        .regions
        .iter()
        .map(|(r, _)| (r.id, (r.position, r.slug.as_str())))
        .collect();
    let country_codes: HashMap<i32, &str> = s
        .countries
        .iter()
        .map(|(c, _)| (c.id, c.iso3.as_str()))
        .collect();
    let regions_of = grouped(s.item_regions.iter().copied());
    let countries_of = grouped(s.item_countries.iter().copied());
    let mut entries: Vec<(&str, Value)> = exported
        .iter()
        .map(|(item, more)| {
            let mut regions: Vec<(i32, &str)> = linked(&regions_of, item.id)
                .iter()
                .filter_map(|r| region_slugs.get(r).copied())
                .collect();
            regions.sort_unstable();
            let mut countries: Vec<&str> = linked(&countries_of, item.id)
                .iter()
                .filter_map(|c| country_codes.get(c).copied())
                .collect();
            countries.sort_unstable();
            let regions: Vec<&str> = regions.into_iter().map(|(_, slug)| slug).collect();
            let mut entry = Map::new();
            put(&mut entry, "item", item.slug.as_str());
            put(&mut entry, "scope", item.scope.as_str());
            put(&mut entry, "regions", regions);
            put(&mut entry, "countries", countries);
            put_optional(&mut entry, "reason", more.geography_reason.as_deref());
            (item.slug.as_str(), ordered(entry, ITEM_GEOGRAPHY_FIELDS))
        })
        .collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    Value::Array(entries.into_iter().map(|(_, e)| e).collect())
}
