//! Rebuilds the catalogue files from the database.
//!
//! Each record starts from its stored `source` (the record exactly as imported, so
//! provenance fields survive) and the modeled fields are laid over it from the columns,
//! so edits made in the database show up. A field the source did not have is only added
//! when its value is not the default. For the bundled catalogue the result parses to
//! the same JSON values as the input files.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use gcm_domain::{ItemKind, ItemStatus, ResourceSection, TitleProvenance};
use serde_json::{Map, Value, json};

use super::CatalogueFile;
use super::model::{file_kind, section_heading};
use super::validate::{
    COUNTRIES, DOCUMENT_TYPES, GUIDANCE, INSTRUMENTS, LINKS, NON_COUNTRY_ENTRIES, OBJECTIVES,
    PRINCIPLES, REGIONS, page_file_name,
};
use crate::schema::*;
use crate::{Pool, StoreError};

#[derive(Queryable, Selectable)]
#[diesel(table_name = objectives)]
struct ObjectiveRow {
    number: i32,
    slug: String,
    short_name: String,
    title: String,
    commitment_paragraph: i32,
    commitment_text: Option<String>,
    actions_lead_in: Option<String>,
    hub_term_id: Option<i32>,
    source: Value,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = actions)]
struct ActionRow {
    objective_number: i32,
    letter: String,
    text: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = guiding_principles)]
struct PrincipleRow {
    slug: String,
    name: String,
    position: i32,
    source: Value,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = regions)]
struct RegionRow {
    id: i32,
    slug: String,
    name: String,
    m49_code: String,
    position: i32,
    source: Value,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = countries)]
struct CountryRow {
    id: i32,
    iso2: String,
    iso3: String,
    iso_numeric: Option<String>,
    name: String,
    slug: String,
    kind: String,
    region_id: i32,
    position: i32,
    source: Value,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = document_types)]
struct DocumentTypeRow {
    id: i32,
    slug: String,
    name: String,
    position: i32,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = instruments)]
struct InstrumentRow {
    id: i32,
    code: String,
    kind: String,
    number: i32,
    year: i32,
    title: String,
    source: Value,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = policy_options)]
struct PolicyOptionRow {
    objective_number: i32,
    number: i32,
    text: String,
    label: Option<String>,
    label_derived: bool,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = related_objectives)]
struct RelatedRow {
    objective_number: i32,
    related_number: i32,
    paragraph: i32,
    as_given: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = guidance_sources)]
struct GuidanceRow {
    id: i32,
    slug: String,
    objective_number: i32,
    mechanism: String,
    body: String,
    abbreviation: Option<String>,
    year: i32,
    symbol: String,
    paragraph: String,
    guidance: String,
    actions_reason: Option<String>,
    items_reason: Option<String>,
    source: Value,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = items)]
struct ItemRow {
    id: i32,
    slug: String,
    kind: String,
    section: Option<String>,
    document_type_id: Option<i32>,
    title: Option<String>,
    title_provenance: String,
    summary: String,
    summary_truncated: bool,
    url: Option<String>,
    published_on: Option<NaiveDate>,
    language: Option<String>,
    organisation: Option<String>,
    city: Option<String>,
    event_country_id: Option<i32>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    scope: String,
    status: String,
    position: i32,
    geography_reason: Option<String>,
    source: Value,
}

/// Everything the files are built from, read in one snapshot.
struct Stored {
    files: HashMap<String, Value>,
    objectives: Vec<ObjectiveRow>,
    actions: Vec<ActionRow>,
    principles: Vec<PrincipleRow>,
    regions: Vec<RegionRow>,
    countries: Vec<CountryRow>,
    document_types: Vec<DocumentTypeRow>,
    instruments: Vec<InstrumentRow>,
    /// (instrument id, objective number)
    objective_instruments: Vec<(i32, i32)>,
    pages: Vec<(i32, Value)>,
    policy_options: Vec<PolicyOptionRow>,
    related: Vec<RelatedRow>,
    guidance: Vec<GuidanceRow>,
    /// (guidance source id, action letter)
    guidance_actions: Vec<(i32, String)>,
    items: Vec<ItemRow>,
    /// (item id, objective number), objectives ascending per item
    item_objectives: Vec<(i32, i32)>,
    item_regions: Vec<(i32, i32)>,
    item_countries: Vec<(i32, i32)>,
    item_guidance: Vec<(i32, i32)>,
}

pub(crate) async fn export(pool: &Pool) -> Result<Vec<CatalogueFile>, StoreError> {
    let mut conn = pool.get().await?;
    // One snapshot, so the files agree with each other even while the catalogue changes.
    let stored = conn
        .build_transaction()
        .read_only()
        .repeatable_read()
        .run::<_, StoreError, _>(async |conn| load(conn).await)
        .await?;
    build(&stored)
}

async fn load(conn: &mut AsyncPgConnection) -> Result<Stored, StoreError> {
    let files = catalogue_files::table
        .select((catalogue_files::file_name, catalogue_files::document))
        .load::<(String, Value)>(conn)
        .await?
        .into_iter()
        .collect();
    Ok(Stored {
        files,
        objectives: objectives::table
            .select(ObjectiveRow::as_select())
            .order(objectives::number)
            .load(conn)
            .await?,
        actions: actions::table
            .select(ActionRow::as_select())
            .order((actions::objective_number, actions::letter))
            .load(conn)
            .await?,
        principles: guiding_principles::table
            .select(PrincipleRow::as_select())
            .order(guiding_principles::position)
            .load(conn)
            .await?,
        regions: regions::table
            .select(RegionRow::as_select())
            .order(regions::position)
            .load(conn)
            .await?,
        countries: countries::table
            .select(CountryRow::as_select())
            .order(countries::position)
            .load(conn)
            .await?,
        document_types: document_types::table
            .select(DocumentTypeRow::as_select())
            .order(document_types::position)
            .load(conn)
            .await?,
        instruments: instruments::table
            .select(InstrumentRow::as_select())
            .order(instruments::code)
            .load(conn)
            .await?,
        objective_instruments: objective_instruments::table
            .select((
                objective_instruments::instrument_id,
                objective_instruments::objective_number,
            ))
            .order((
                objective_instruments::instrument_id,
                objective_instruments::objective_number,
            ))
            .load(conn)
            .await?,
        pages: objective_pages::table
            .select((objective_pages::objective_number, objective_pages::source))
            .order(objective_pages::objective_number)
            .load(conn)
            .await?,
        policy_options: policy_options::table
            .select(PolicyOptionRow::as_select())
            .order((policy_options::objective_number, policy_options::number))
            .load(conn)
            .await?,
        related: related_objectives::table
            .select(RelatedRow::as_select())
            .order((
                related_objectives::objective_number,
                related_objectives::position,
            ))
            .load(conn)
            .await?,
        guidance: guidance_sources::table
            .select(GuidanceRow::as_select())
            .order((
                guidance_sources::objective_number,
                guidance_sources::mechanism,
                guidance_sources::position,
            ))
            .load(conn)
            .await?,
        guidance_actions: guidance_source_actions::table
            .inner_join(actions::table)
            .select((guidance_source_actions::guidance_source_id, actions::letter))
            .order((guidance_source_actions::guidance_source_id, actions::letter))
            .load(conn)
            .await?,
        items: items::table
            .select(ItemRow::as_select())
            .order(items::slug)
            .load(conn)
            .await?,
        item_objectives: item_objectives::table
            .select((item_objectives::item_id, item_objectives::objective_number))
            .order((item_objectives::item_id, item_objectives::objective_number))
            .load(conn)
            .await?,
        item_regions: item_regions::table
            .select((item_regions::item_id, item_regions::region_id))
            .load(conn)
            .await?,
        item_countries: item_countries::table
            .select((item_countries::item_id, item_countries::country_id))
            .load(conn)
            .await?,
        item_guidance: item_guidance_sources::table
            .select((
                item_guidance_sources::item_id,
                item_guidance_sources::guidance_source_id,
            ))
            .load(conn)
            .await?,
    })
}

/// A stored value that should be an object (a source record or file document).
fn object(value: &Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    }
}

/// Sets a modeled field.
fn put(record: &mut Map<String, Value>, key: &str, value: impl Into<Value>) {
    record.insert(key.to_owned(), value.into());
}

/// Sets a field whose absence means its default: added only when the value differs from
/// the default or the source already had the field.
fn put_unless_default(record: &mut Map<String, Value>, key: &str, value: Value, default: &Value) {
    if value != *default || record.contains_key(key) {
        record.insert(key.to_owned(), value);
    }
}

fn put_optional<T: Into<Value>>(record: &mut Map<String, Value>, key: &str, value: Option<T>) {
    put_unless_default(
        record,
        key,
        value.map_or(Value::Null, Into::into),
        &Value::Null,
    );
}

/// `keys` first, in that order, then any others as they come (jsonb keeps its own order).
fn ordered(mut record: Map<String, Value>, keys: &[&str]) -> Value {
    let mut out = Map::with_capacity(record.len());
    for key in keys {
        if let Some(value) = record.remove(*key) {
            out.insert((*key).to_owned(), value);
        }
    }
    out.extend(record);
    Value::Object(out)
}

/// The entry of a source array whose `key` equals `value`, to lay new values over.
fn matching_entry(source: Option<&Value>, key: &str, value: &Value) -> Map<String, Value> {
    source
        .and_then(Value::as_array)
        .and_then(|entries| entries.iter().find(|e| e.get(key) == Some(value)))
        .map(object)
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

fn parse_kind(item: &ItemRow) -> Option<(ItemKind, Option<ResourceSection>)> {
    let kind = ItemKind::parse(&item.kind).ok()?;
    let section = item
        .section
        .as_deref()
        .and_then(|s| ResourceSection::parse(s).ok());
    Some((kind, section))
}

fn build(s: &Stored) -> Result<Vec<CatalogueFile>, StoreError> {
    let document = |name: &str| s.files.get(name).map(object).unwrap_or_default();
    let mut item_objectives: HashMap<i32, Vec<i32>> = HashMap::new();
    for (item, objective) in &s.item_objectives {
        item_objectives.entry(*item).or_default().push(*objective);
    }
    let mut items_by_objective: BTreeMap<i32, Vec<&ItemRow>> = BTreeMap::new();
    for item in &s.items {
        // An item is listed in the file of its first objective; one without any objective
        // has no place in the format and is left out.
        if let Some(first) = item_objectives.get(&item.id).and_then(|o| o.iter().next()) {
            items_by_objective.entry(*first).or_default().push(item);
        }
    }
    for items in items_by_objective.values_mut() {
        let kind = |i: &ItemRow| {
            parse_kind(i)
                .map(|(k, s)| file_kind(k, s))
                .unwrap_or_default()
        };
        items.sort_by(|a, b| (kind(a), a.position, &a.slug).cmp(&(kind(b), b.position, &b.slug)));
    }

    let mut files = vec![
        file(OBJECTIVES, objectives_file(s, document(OBJECTIVES)))?,
        file(PRINCIPLES, principles_file(s, document(PRINCIPLES)))?,
        file(REGIONS, regions_file(s, document(REGIONS)))?,
        file(COUNTRIES, countries_file(s, document(COUNTRIES)))?,
        file(
            DOCUMENT_TYPES,
            document_types_file(s, document(DOCUMENT_TYPES)),
        )?,
        file(INSTRUMENTS, instruments_file(s, document(INSTRUMENTS)))?,
        file(GUIDANCE, guidance_file(s, document(GUIDANCE)))?,
        file(LINKS, links_file(s, document(LINKS), &items_by_objective))?,
    ];
    let page_objectives: BTreeSet<i32> = s
        .pages
        .iter()
        .map(|(n, _)| *n)
        .chain(items_by_objective.keys().copied())
        .collect();
    for objective in page_objectives {
        let name = page_file_name(objective);
        let items = items_by_objective
            .get(&objective)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let page = page_file(s, objective, document(&name), items, &item_objectives);
        files.push(file(&name, page)?);
    }
    Ok(files)
}

fn action_records(s: &Stored, objective: i32, source: Option<&Value>) -> Vec<Value> {
    s.actions
        .iter()
        .filter(|a| a.objective_number == objective)
        .map(|a| {
            let mut record = matching_entry(source, "letter", &json!(a.letter));
            put(&mut record, "letter", a.letter.as_str());
            put(&mut record, "text", a.text.as_str());
            ordered(record, &["letter", "text"])
        })
        .collect()
}

fn objectives_file(s: &Stored, mut document: Map<String, Value>) -> Value {
    let records: Vec<Value> = s
        .objectives
        .iter()
        .map(|o| {
            let mut r = object(&o.source);
            put(&mut r, "number", o.number);
            put(&mut r, "slug", o.slug.as_str());
            put(&mut r, "short_name", o.short_name.as_str());
            put(&mut r, "title", o.title.as_str());
            put(&mut r, "commitment_paragraph", o.commitment_paragraph);
            put_optional(&mut r, "hub_term_id", o.hub_term_id);
            put_optional(&mut r, "commitment_text", o.commitment_text.as_deref());
            put_optional(&mut r, "actions_lead_in", o.actions_lead_in.as_deref());
            let actions = action_records(s, o.number, r.get("actions"));
            put_unless_default(&mut r, "actions", Value::Array(actions), &json!([]));
            ordered(
                r,
                &[
                    "id",
                    "number",
                    "slug",
                    "short_name",
                    "menu_label",
                    "title",
                    "title_source",
                    "title_checked_at",
                    "title_variants",
                    "commitment_paragraph",
                    "hub_term_id",
                    "hub_term_id_evidence",
                    "commitment_text",
                    "actions_lead_in",
                    "actions",
                    "text_source",
                    "text_status",
                    "text_located_at",
                    "text_notes",
                ],
            )
        })
        .collect();
    document.insert("objectives".into(), Value::Array(records));
    ordered(document, &["meta", "objectives", "general_menu_entry"])
}

fn principles_file(s: &Stored, mut document: Map<String, Value>) -> Value {
    let records: Vec<Value> = s
        .principles
        .iter()
        .map(|p| {
            let mut r = object(&p.source);
            put(&mut r, "position", p.position);
            put(&mut r, "slug", p.slug.as_str());
            put(&mut r, "name", p.name.as_str());
            ordered(
                r,
                &[
                    "position",
                    "slug",
                    "name",
                    "gcm_para15_letter",
                    "hub_term_id",
                ],
            )
        })
        .collect();
    document.insert("principles".into(), Value::Array(records));
    ordered(document, &["meta", "principles", "extra_menu_entries"])
}

fn regions_file(s: &Stored, mut document: Map<String, Value>) -> Value {
    let records: Vec<Value> = s
        .regions
        .iter()
        .map(|region| {
            let mut r = object(&region.source);
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
                    .filter(|c| c.region_id == region.id)
                    .count();
                put(&mut r, "country_count", count);
            }
            ordered(
                r,
                &["position", "slug", "name", "m49_code", "country_count"],
            )
        })
        .collect();
    document.insert("regions".into(), Value::Array(records));
    ordered(document, &["meta", "regions"])
}

const COUNTRY_KEYS: &[&str] = &[
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

fn countries_file(s: &Stored, mut document: Map<String, Value>) -> Value {
    let region_names: HashMap<i32, &str> =
        s.regions.iter().map(|r| (r.id, r.name.as_str())).collect();
    let mut records: Vec<(i64, Value)> = s
        .countries
        .iter()
        .map(|c| {
            let mut r = object(&c.source);
            put(&mut r, "position", c.position);
            put(&mut r, "name", c.name.as_str());
            put(&mut r, "slug", c.slug.as_str());
            put(&mut r, "kind", c.kind.as_str());
            put(&mut r, "iso_alpha2", c.iso2.as_str());
            put(&mut r, "iso_alpha3", c.iso3.as_str());
            put_optional(&mut r, "iso_numeric", c.iso_numeric.as_deref());
            put_optional(&mut r, "region", region_names.get(&c.region_id).copied());
            (i64::from(c.position), ordered(r, COUNTRY_KEYS))
        })
        .collect();
    // Menu entries that are not countries ("Global") go back to their places.
    if let Some(Value::Array(entries)) = document.remove(NON_COUNTRY_ENTRIES) {
        for entry in entries {
            let position = entry
                .get("position")
                .and_then(Value::as_i64)
                .unwrap_or(i64::MAX);
            records.push((position, ordered(object(&entry), COUNTRY_KEYS)));
        }
    }
    records.sort_by_key(|(position, _)| *position);
    document.insert(
        "countries".into(),
        Value::Array(records.into_iter().map(|(_, r)| r).collect()),
    );
    ordered(document, &["meta", "countries"])
}

fn document_types_file(s: &Stored, mut document: Map<String, Value>) -> Value {
    let records: Vec<Value> = s
        .document_types
        .iter()
        .map(|d| json!({"position": d.position, "slug": d.slug, "name": d.name}))
        .collect();
    document.insert("document_types".into(), Value::Array(records));
    ordered(document, &["meta", "document_types"])
}

fn instruments_file(s: &Stored, mut document: Map<String, Value>) -> Value {
    let records: Vec<Value> = s
        .instruments
        .iter()
        .map(|i| {
            let mut r = object(&i.source);
            put(&mut r, "id", i.code.as_str());
            put(&mut r, "kind", i.kind.as_str());
            put(&mut r, "number", i.number);
            put(&mut r, "year", i.year);
            put(&mut r, "title", i.title.as_str());
            let linked: Vec<i64> = s
                .objective_instruments
                .iter()
                .filter(|(instrument, _)| *instrument == i.id)
                .map(|(_, objective)| i64::from(*objective))
                .collect();
            let objective_of = |e: &Value| e.get("objective").and_then(Value::as_i64);
            // The source's entries say where each reference is: keep those still linked.
            let mut references: Vec<Value> = r
                .get("referenced_by")
                .and_then(Value::as_array)
                .map(|entries| {
                    entries
                        .iter()
                        .filter(|e| objective_of(e).is_some_and(|n| linked.contains(&n)))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            for objective in &linked {
                if !references
                    .iter()
                    .any(|e| objective_of(e) == Some(*objective))
                {
                    references.push(json!({"objective": objective}));
                }
            }
            put_unless_default(
                &mut r,
                "referenced_by",
                Value::Array(references),
                &json!([]),
            );
            ordered(
                r,
                &[
                    "id",
                    "kind",
                    "number",
                    "year",
                    "title",
                    "names_in_seed",
                    "referenced_by",
                ],
            )
        })
        .collect();
    document.insert("instruments".into(), Value::Array(records));
    ordered(document, &["meta", "instruments"])
}

fn guidance_file(s: &Stored, mut document: Map<String, Value>) -> Value {
    let records = |mechanism: &str| -> Vec<Value> {
        s.guidance
            .iter()
            .filter(|g| g.mechanism == mechanism)
            .map(|g| {
                let mut r = object(&g.source);
                put(&mut r, "id", g.slug.as_str());
                put(&mut r, "objective", g.objective_number);
                put(&mut r, "mechanism_kind", g.mechanism.as_str());
                put(&mut r, "body", g.body.as_str());
                put_optional(&mut r, "body_abbreviation", g.abbreviation.as_deref());
                put(&mut r, "year", g.year);
                put(&mut r, "document_symbol", g.symbol.as_str());
                put(&mut r, "paragraph", g.paragraph.as_str());
                put(&mut r, "guidance", g.guidance.as_str());
                ordered(
                    r,
                    &[
                        "id",
                        "objective",
                        "mechanism_kind",
                        "body",
                        "body_abbreviation",
                        "year",
                        "document_symbol",
                        "paragraph",
                        "source_as_given",
                        "guidance",
                    ],
                )
            })
            .collect()
    };
    document.insert(
        "special_procedures".into(),
        Value::Array(records("special_procedure")),
    );
    let mut treaty_bodies = document
        .get("treaty_bodies")
        .map(object)
        .unwrap_or_default();
    treaty_bodies.insert("entries".into(), Value::Array(records("treaty_body")));
    document.insert(
        "treaty_bodies".into(),
        ordered(treaty_bodies, &["entries", "note_as_given"]),
    );
    ordered(
        document,
        &[
            "meta",
            "publication",
            "objective",
            "objective_title_as_given",
            "special_procedures",
            "treaty_bodies",
        ],
    )
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

fn links_file(
    s: &Stored,
    mut document: Map<String, Value>,
    items_by_objective: &BTreeMap<i32, Vec<&ItemRow>>,
) -> Value {
    let exported: Vec<&ItemRow> = items_by_objective.values().flatten().copied().collect();
    let item_slugs: HashMap<i32, &str> = exported.iter().map(|i| (i.id, i.slug.as_str())).collect();
    let region_slugs: HashMap<i32, (i32, &str)> = s
        .regions
        .iter()
        .map(|r| (r.id, (r.position, r.slug.as_str())))
        .collect();
    let country_codes: HashMap<i32, &str> = s
        .countries
        .iter()
        .map(|c| (c.id, c.iso3.as_str()))
        .collect();

    let letters_of = grouped(s.guidance_actions.iter().map(|(g, l)| (*g, l.as_str())));
    let items_of = grouped(s.item_guidance.iter().map(|(item, g)| (*g, *item)));
    let regions_of = grouped(s.item_regions.iter().copied());
    let countries_of = grouped(s.item_countries.iter().copied());

    let mut guidance_actions = Vec::new();
    let mut guidance_items = Vec::new();
    for g in &s.guidance {
        let letters: Vec<&str> = letters_of.get(&g.id).cloned().unwrap_or_default();
        if !letters.is_empty() || g.actions_reason.is_some() {
            let mut entry = Map::new();
            put(&mut entry, "guidance", g.slug.as_str());
            put(&mut entry, "objective", g.objective_number);
            put(&mut entry, "actions", letters);
            put_optional(&mut entry, "reason", g.actions_reason.as_deref());
            guidance_actions.push(Value::Object(entry));
        }
        let mut items: Vec<&str> = linked(&items_of, g.id)
            .iter()
            .filter_map(|item| item_slugs.get(item).copied())
            .collect();
        items.sort_unstable();
        if !items.is_empty() || g.items_reason.is_some() {
            let mut entry = Map::new();
            put(&mut entry, "guidance", g.slug.as_str());
            put(&mut entry, "items", items);
            put_optional(&mut entry, "reason", g.items_reason.as_deref());
            guidance_items.push(Value::Object(entry));
        }
    }

    let mut geography: Vec<(&str, Value)> = exported
        .iter()
        .map(|item| {
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
            let mut entry = Map::new();
            put(&mut entry, "item", item.slug.as_str());
            put(&mut entry, "scope", item.scope.as_str());
            put(
                &mut entry,
                "regions",
                regions
                    .into_iter()
                    .map(|(_, slug)| slug)
                    .collect::<Vec<_>>(),
            );
            put(&mut entry, "countries", countries);
            put_optional(&mut entry, "reason", item.geography_reason.as_deref());
            (item.slug.as_str(), Value::Object(entry))
        })
        .collect();
    geography.sort_by(|a, b| a.0.cmp(b.0));

    document.insert("guidance_actions".into(), Value::Array(guidance_actions));
    document.insert("guidance_items".into(), Value::Array(guidance_items));
    document.insert(
        "item_geography".into(),
        Value::Array(geography.into_iter().map(|(_, e)| e).collect()),
    );
    ordered(
        document,
        &[
            "meta",
            "guidance_actions",
            "guidance_items",
            "item_geography",
        ],
    )
}

fn page_file(
    s: &Stored,
    objective: i32,
    document: Map<String, Value>,
    items: &[&ItemRow],
    item_objectives: &HashMap<i32, Vec<i32>>,
) -> Value {
    let mut page = s
        .pages
        .iter()
        .find(|(n, _)| *n == objective)
        .map(|(_, source)| object(source))
        .unwrap_or_default();
    if let Some(meta) = document.get("meta") {
        page.insert("meta".into(), meta.clone());
    }
    put(&mut page, "objective", objective);

    // The page quotes the commitment: it is objectives.json's, as stored now.
    if let (Some(Value::Object(commitment)), Some(o)) = (
        page.get("commitment"),
        s.objectives.iter().find(|o| o.number == objective),
    ) {
        let mut c = commitment.clone();
        put(&mut c, "paragraph", o.commitment_paragraph);
        put_optional(&mut c, "text", o.commitment_text.as_deref());
        put_optional(&mut c, "actions_lead_in", o.actions_lead_in.as_deref());
        let actions = action_records(s, objective, c.get("actions"));
        put_unless_default(&mut c, "actions", Value::Array(actions), &json!([]));
        page.insert(
            "commitment".into(),
            ordered(
                c,
                &[
                    "paragraph",
                    "text",
                    "actions_lead_in",
                    "actions",
                    "citation_as_given",
                    "raw",
                ],
            ),
        );
    }

    let options: Vec<Value> = s
        .policy_options
        .iter()
        .filter(|p| p.objective_number == objective)
        .map(|p| {
            let mut r = matching_entry(page.get("policy_options"), "number", &json!(p.number));
            put(&mut r, "number", p.number);
            put(&mut r, "text", p.text.as_str());
            put_optional(&mut r, "label", p.label.as_deref());
            put_unless_default(
                &mut r,
                "label_derived",
                Value::Bool(p.label_derived),
                &Value::Bool(false),
            );
            ordered(r, &["number", "text", "label", "label_derived"])
        })
        .collect();
    put_unless_default(
        &mut page,
        "policy_options",
        Value::Array(options),
        &json!([]),
    );

    let related: Vec<&RelatedRow> = s
        .related
        .iter()
        .filter(|r| r.objective_number == objective)
        .collect();
    if !related.is_empty() || page.contains_key("related_objectives") {
        let mut section = page
            .get("related_objectives")
            .map(object)
            .unwrap_or_default();
        let entries: Vec<Value> = related
            .iter()
            .map(|r| {
                let mut e =
                    matching_entry(section.get("items"), "objective", &json!(r.related_number));
                put(&mut e, "objective", r.related_number);
                put(&mut e, "paragraph", r.paragraph);
                put_optional(&mut e, "as_given", r.as_given.as_deref());
                ordered(e, &["objective", "paragraph", "as_given"])
            })
            .collect();
        section.insert("items".into(), Value::Array(entries));
        page.insert(
            "related_objectives".into(),
            ordered(section, &["section_heading", "lead_in", "items"]),
        );
    }

    let countries: HashMap<i32, &CountryRow> = s.countries.iter().map(|c| (c.id, c)).collect();
    let document_types: HashMap<i32, &str> = s
        .document_types
        .iter()
        .map(|d| (d.id, d.slug.as_str()))
        .collect();
    let records: Vec<Value> = items
        .iter()
        .map(|item| {
            let others: Vec<i32> = item_objectives
                .get(&item.id)
                .map(|all| all.iter().copied().filter(|n| *n != objective).collect())
                .unwrap_or_default();
            item_record(item, &others, &countries, &document_types)
        })
        .collect();
    page.insert("items".into(), Value::Array(records));
    ordered(
        page,
        &[
            "meta",
            "objective",
            "page_heading",
            "title",
            "lead_paragraph",
            "commitment",
            "introduction_paragraphs",
            "policy_options",
            "policy_options_note",
            "related_objectives",
            "closing_paragraphs",
            "gcm_report_languages",
            "items",
        ],
    )
}

fn item_record(
    item: &ItemRow,
    other_objectives: &[i32],
    countries: &HashMap<i32, &CountryRow>,
    document_types: &HashMap<i32, &str>,
) -> Value {
    let mut r = object(&item.source);
    put(&mut r, "id", item.slug.as_str());
    if let Some((kind, section)) = parse_kind(item) {
        put(&mut r, "kind", file_kind(kind, section));
        put(&mut r, "section", section_heading(kind, section));
    }
    put(&mut r, "position", item.position);

    // The reverse of the importer's title rule, so the shown title keeps its provenance.
    match TitleProvenance::parse(&item.title_provenance).unwrap_or(TitleProvenance::Seed) {
        TitleProvenance::Seed => {
            put_optional(&mut r, "title", item.title.as_deref());
            put(&mut r, "title_derived", false);
        }
        TitleProvenance::Derived => {
            put_optional(&mut r, "title", item.title.as_deref());
            put(&mut r, "title_derived", true);
        }
        TitleProvenance::External => {
            // The seed's own (or derived) title stays as it was; the shown one is the candidate.
            r.entry("title").or_insert(Value::Null);
            r.entry("title_derived").or_insert(Value::Bool(false));
            let mut candidate = r
                .get("title_candidate_external")
                .map(object)
                .unwrap_or_default();
            put_optional(&mut candidate, "text", item.title.as_deref());
            r.insert(
                "title_candidate_external".into(),
                ordered(candidate, &["text", "source_url", "note"]),
            );
        }
    }
    put(&mut r, "summary", item.summary.as_str());
    put(&mut r, "summary_truncated", item.summary_truncated);
    put_optional(&mut r, "url", item.url.as_deref());
    put_optional(
        &mut r,
        "document_type",
        item.document_type_id
            .and_then(|id| document_types.get(&id).copied()),
    );
    put_optional(
        &mut r,
        "date_of_publication",
        item.published_on.map(|d| d.to_string()),
    );
    let language = item
        .language
        .as_deref()
        .map(|code| match r.get("language") {
            Some(given) if given.get("code").and_then(Value::as_str) == Some(code) => given.clone(),
            _ => json!({"code": code}),
        });
    put_optional(&mut r, "language", language);
    put_optional(&mut r, "organisation", item.organisation.as_deref());
    put_optional(&mut r, "city", item.city.as_deref());
    let country = item
        .event_country_id
        .and_then(|id| countries.get(&id))
        .map(|c| match r.get("country") {
            Some(given)
                if given.get("iso_alpha2").and_then(Value::as_str) == Some(c.iso2.as_str()) =>
            {
                given.clone()
            }
            _ => json!({"name": c.name, "iso_alpha2": c.iso2}),
        });
    put_optional(&mut r, "country", country);
    put_optional(&mut r, "start_date", item.starts_on.map(|d| d.to_string()));
    put_optional(&mut r, "end_date", item.ends_on.map(|d| d.to_string()));
    put_unless_default(
        &mut r,
        "status",
        Value::from(item.status.as_str()),
        &Value::from(ItemStatus::Published.as_str()),
    );
    put_unless_default(
        &mut r,
        "other_objectives",
        json!(other_objectives),
        &json!([]),
    );
    ordered(
        r,
        &[
            "id",
            "kind",
            "section",
            "position",
            "status",
            "title",
            "title_derived",
            "title_derivation",
            "summary",
            "summary_truncated",
            "summary_note",
            "url",
            "document_type",
            "date_of_publication",
            "date_as_given",
            "information_type",
            "information_type_note",
            "city",
            "country",
            "location_as_given",
            "start_date",
            "end_date",
            "dates_as_given",
            "dates_note",
            "organisation",
            "organisation_source",
            "language",
            "language_basis",
            "countries_mentioned",
            "mentions",
            "other_objectives",
            "title_candidate_external",
        ],
    )
}
