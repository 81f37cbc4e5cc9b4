//! Validation of a whole catalogue: each file on its own, then the references between
//! files. Every problem is collected; the model is only handed out when there is none.

use std::collections::{HashMap, HashSet};

use gcm_domain::limits;
use gcm_domain::text::{self, TextField};
use gcm_domain::{
    Invalid, Iso2, Iso3, ItemKind, ItemStatus, LanguageCode, MechanismKind, ObjectiveNumber, Scope,
    Slug, TitleProvenance,
};
use serde_json::{Map, Value};

use super::json::{Obj, Problems, ROOT, Unique, check_every_string, describe, parse_file, quoted};
use super::model::{
    Action, COUNTRY_KINDS, Catalogue, Country, DocumentType, FILE_KINDS, FileDocument, GLOBAL_KIND,
    GuidanceSource, Instrument, Item, Objective, ObjectivePage, PolicyOption, Principle, Region,
    RelatedObjective, file_kind, parse_file_kind, section_heading,
};
use super::{CatalogueFile, Problem};

pub(crate) const OBJECTIVES: &str = "objectives.json";
pub(crate) const PRINCIPLES: &str = "principles.json";
pub(crate) const REGIONS: &str = "regions.json";
pub(crate) const COUNTRIES: &str = "countries.json";
pub(crate) const DOCUMENT_TYPES: &str = "document_types.json";
pub(crate) const INSTRUMENTS: &str = "instruments.json";
pub(crate) const GUIDANCE: &str = "guidance.json";
pub(crate) const LINKS: &str = "links.json";

/// The files every catalogue has, in the order they are validated (references point back).
pub(crate) const FIXED_FILES: [&str; 8] = [
    OBJECTIVES,
    PRINCIPLES,
    REGIONS,
    COUNTRIES,
    DOCUMENT_TYPES,
    INSTRUMENTS,
    GUIDANCE,
    LINKS,
];

/// Key of the countries.json document that keeps the menu entries that are not countries
/// ("Global"), so the export can put them back in place.
pub(crate) const NON_COUNTRY_ENTRIES: &str = "$non_country_entries";

pub(crate) fn page_file_name(objective: i32) -> String {
    format!("objective_{objective}_content.json")
}

// The text fields of the files, by the rule of `gcm_domain::text` and its limits.
const NAME: TextField = TextField::line(limits::NAME);
const TITLE: TextField = TextField::line(limits::TITLE);
const SUMMARY: TextField = TextField::multiline(limits::SUMMARY);
const URL: TextField = TextField::line(limits::URL);
const ORGANISATION: TextField = TextField::line(limits::ORGANISATION);
const CITY: TextField = TextField::line(limits::CITY);
const ABBREVIATION: TextField = TextField::line(100);
const PARAGRAPH_LABEL: TextField = TextField::line(50);
/// Paragraph numbers of A/RES/73/195 (it has far fewer; the range only keeps them sane).
const PARAGRAPHS: std::ops::RangeInclusive<i64> = 1..=1000;
/// Long texts: the database only asks that they are not empty.
const LONG: TextField = TextField::multiline(limits::LONG);

enum Role {
    Fixed(&'static str),
    Page(i32),
}

fn classify(name: &str) -> Result<Role, String> {
    if let Some(fixed) = FIXED_FILES.iter().find(|f| **f == name) {
        return Ok(Role::Fixed(fixed));
    }
    let number = name
        .strip_prefix("objective_")
        .and_then(|rest| rest.strip_suffix("_content.json"))
        .and_then(|n| n.parse::<i64>().ok());
    if let Some(n) = number {
        let n = ObjectiveNumber::new(n).map_err(|e| e.0)?.get();
        if page_file_name(n) == name {
            return Ok(Role::Page(n));
        }
    }
    Err(format!(
        "not a catalogue file (expected {} or objective_<N>_content.json)",
        FIXED_FILES.join(", ")
    ))
}

/// Checks every file and the references between them.
pub(crate) fn validate(files: &[CatalogueFile]) -> Result<Catalogue, Vec<Problem>> {
    let problems = Problems::default();
    let mut fixed: HashMap<&'static str, Option<Map<String, Value>>> = HashMap::new();
    let mut pages: Vec<(i32, &str, Map<String, Value>)> = Vec::new();
    let mut every_page_readable = true;
    let mut names = HashSet::new();
    for file in files {
        let name = file.name.as_str();
        if !names.insert(name) {
            problems.report(name, ROOT, "the file is given twice");
            continue;
        }
        let role = match classify(name) {
            Ok(role) => role,
            Err(message) => {
                problems.report(name, ROOT, message);
                continue;
            }
        };
        let parsed = parse_file(name, &file.text, &problems);
        if let Some(value) = &parsed {
            check_every_string(name, value, &problems);
        }
        let root = parsed.and_then(|value| match value {
            Value::Object(map) => Some(map),
            other => {
                problems.report(
                    name,
                    ROOT,
                    format!(
                        "expected an object at the top level, found {}",
                        describe(&other)
                    ),
                );
                None
            }
        });
        match role {
            Role::Fixed(fixed_name) => {
                fixed.insert(fixed_name, root);
            }
            Role::Page(n) => match root {
                Some(map) => pages.push((n, name, map)),
                None => every_page_readable = false,
            },
        }
    }
    for name in FIXED_FILES {
        if !fixed.contains_key(name) {
            problems.report(name, ROOT, "the file is missing");
        }
    }
    pages.sort_by_key(|(n, _, _)| *n);

    let mut v = Validator::new(&problems);
    let root = |name: &'static str| {
        fixed.get(name).and_then(Option::as_ref).map(|map| Obj {
            file: name,
            problems: &problems,
            map,
            path: String::new(),
        })
    };
    if let Some(r) = root(OBJECTIVES) {
        v.objectives(&r);
    }
    if let Some(r) = root(PRINCIPLES) {
        v.principles(&r);
    }
    if let Some(r) = root(REGIONS) {
        v.regions(&r);
    }
    if let Some(r) = root(COUNTRIES) {
        v.countries(&r);
    }
    if let Some(r) = root(DOCUMENT_TYPES) {
        v.document_types(&r);
    }
    if let Some(r) = root(INSTRUMENTS) {
        v.instruments(&r);
    }
    if let Some(r) = root(GUIDANCE) {
        v.guidance(&r);
    }
    for (n, name, map) in &pages {
        let r = Obj {
            file: name,
            problems: &problems,
            map,
            path: String::new(),
        };
        v.page(*n, &r);
    }
    v.every_page_readable = every_page_readable;
    if let Some(r) = root(LINKS) {
        v.links(&r);
    }
    let catalogue = v.out;
    if problems.is_empty() {
        Ok(catalogue)
    } else {
        Err(problems.into_vec())
    }
}

/// What later files need to know about an objective of objectives.json. `None` fields
/// were invalid (already reported), so comparisons with them are skipped.
struct ObjectiveFacts {
    commitment_text: Option<Option<String>>,
    actions_lead_in: Option<Option<String>>,
    actions: Option<Vec<Action>>,
}

struct GuidanceRef {
    id: String,
    objective: Option<i32>,
    index: Option<usize>,
}

struct GuidanceFacts {
    objective: Option<i32>,
    index: Option<usize>,
}

/// Walks the files in dependency order. Each index is `None` when its file could not be
/// read at all: references into it are then not checked (the file's own problem is).
struct Validator<'p> {
    problems: &'p Problems,
    out: Catalogue,
    objectives: Option<HashMap<i32, ObjectiveFacts>>,
    /// Region name → slug (None when the slug is invalid).
    regions_by_name: Option<HashMap<String, Option<String>>>,
    region_slugs: Option<HashSet<String>>,
    /// (name, country_count, path) of regions.json, checked against countries.json.
    region_counts: Vec<(String, i64, String)>,
    iso2s: Option<HashSet<String>>,
    iso3s: Option<HashSet<String>>,
    document_types: Option<HashSet<String>>,
    guidance: Option<HashMap<String, GuidanceFacts>>,
    /// Every item id seen in an objective file, in order.
    items: Vec<String>,
    /// Item id → its index in `out.items` (None when the item itself is invalid).
    item_index: HashMap<String, Option<usize>>,
    item_ids: Unique<String>,
    every_page_readable: bool,
}

impl<'p> Validator<'p> {
    fn new(problems: &'p Problems) -> Self {
        Self {
            problems,
            out: Catalogue::default(),
            objectives: None,
            regions_by_name: None,
            region_slugs: None,
            region_counts: Vec::new(),
            iso2s: None,
            iso3s: None,
            document_types: None,
            guidance: None,
            items: Vec::new(),
            item_index: HashMap::new(),
            item_ids: Unique::new(),
            every_page_readable: true,
        }
    }

    fn push_document(&mut self, file: &str, document: Map<String, Value>) {
        self.out.files.push(FileDocument {
            name: file.to_owned(),
            document: Value::Object(document),
        });
    }

    /// A field naming an objective: a GCM objective number present in objectives.json.
    fn objective_ref(&self, o: &Obj<'_>, key: &str) -> Option<i32> {
        let n = o
            .int(key)
            .and_then(|n| o.check(key, ObjectiveNumber::new(n)))?
            .get();
        self.objective_exists(o, key, n).then_some(n)
    }

    fn objective_exists(&self, o: &Obj<'_>, key: &str, n: i32) -> bool {
        match &self.objectives {
            Some(known) if !known.contains_key(&n) => {
                o.report(key, format!("objective {n} is not in {OBJECTIVES}"));
                false
            }
            _ => true,
        }
    }

    fn objectives(&mut self, root: &Obj<'_>) {
        let document = keep_document(root, &["objectives"]);
        self.push_document(root.file, document);
        let Some(records) = root.records("objectives") else {
            return;
        };
        let mut facts = HashMap::new();
        let (mut numbers, mut slugs, mut short_names, mut titles, mut term_ids) = (
            Unique::new(),
            Unique::new(),
            Unique::new(),
            Unique::new(),
            Unique::new(),
        );
        for o in &records {
            let number = o
                .int("number")
                .and_then(|n| o.check("number", ObjectiveNumber::new(n)));
            let number = number.map(ObjectiveNumber::get);
            if let Some(n) = number {
                numbers.check(o, "number", n, n);
            }
            let slug = unique_slug(o, "slug", &mut slugs);
            let short_name = unique_text(o, "short_name", NAME, &mut short_names);
            let title = unique_text(o, "title", TITLE, &mut titles);
            let paragraph = o.int_in("commitment_paragraph", PARAGRAPHS);
            if let (Some(n), Some(p)) = (number, paragraph) {
                check_commitment_paragraph(o, "commitment_paragraph", n, p);
            }
            let commitment_text = o.opt_text("commitment_text", LONG);
            let actions_lead_in = o.opt_text("actions_lead_in", LONG);
            let hub_term_id = o.opt_int_in("hub_term_id", 1..=i64::from(i32::MAX));
            if let Some(Some(id)) = hub_term_id {
                term_ids.check(o, "hub_term_id", id, id);
            }
            let actions = actions(o);
            if let Some(n) = number {
                facts.insert(
                    n,
                    ObjectiveFacts {
                        commitment_text: commitment_text.clone(),
                        actions_lead_in: actions_lead_in.clone(),
                        actions: actions
                            .as_ref()
                            .map(|a| a.iter().map(|(_, a)| a.clone()).collect()),
                    },
                );
            }
            if let (
                Some(number),
                Some(slug),
                Some(short_name),
                Some(title),
                Some(commitment_paragraph),
                Some(commitment_text),
                Some(actions_lead_in),
                Some(hub_term_id),
                Some(actions),
            ) = (
                number,
                slug,
                short_name,
                title,
                paragraph,
                commitment_text,
                actions_lead_in,
                hub_term_id,
                actions,
            ) {
                self.out.objectives.push(Objective {
                    number,
                    slug,
                    short_name,
                    title,
                    commitment_paragraph,
                    commitment_text,
                    actions_lead_in,
                    hub_term_id,
                    actions: actions.into_iter().map(|(_, a)| a).collect(),
                    source: Value::Object(o.map.clone()),
                });
            }
        }
        self.objectives = Some(facts);
    }

    fn principles(&mut self, root: &Obj<'_>) {
        let document = keep_document(root, &["principles"]);
        self.push_document(root.file, document);
        let Some(records) = root.records("principles") else {
            return;
        };
        let (mut positions, mut slugs, mut names) = (Unique::new(), Unique::new(), Unique::new());
        for p in &records {
            let position = unique_position(p, &mut positions);
            let slug = unique_slug(p, "slug", &mut slugs);
            let name = unique_text(p, "name", NAME, &mut names);
            if let (Some(position), Some(slug), Some(name)) = (position, slug, name) {
                self.out.principles.push(Principle {
                    slug,
                    name,
                    position,
                    source: Value::Object(p.map.clone()),
                });
            }
        }
    }

    fn regions(&mut self, root: &Obj<'_>) {
        let document = keep_document(root, &["regions"]);
        self.push_document(root.file, document);
        let Some(records) = root.records("regions") else {
            return;
        };
        let (mut positions, mut slugs, mut names, mut codes) =
            (Unique::new(), Unique::new(), Unique::new(), Unique::new());
        let mut by_name = HashMap::new();
        let mut known_slugs = HashSet::new();
        for r in &records {
            let position = unique_position(r, &mut positions);
            let slug = unique_slug(r, "slug", &mut slugs);
            let name = unique_text(r, "name", NAME, &mut names);
            let m49 = r.parse("m49_code", parse_m49_code);
            if let Some(code) = &m49 {
                codes.check(r, "m49_code", code.clone(), quoted(code));
            }
            if let Some(Some(count)) = r.opt_int_in("country_count", 0..=10_000)
                && let Some(name) = &name
            {
                self.region_counts
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
                self.out.regions.push(Region {
                    slug,
                    name,
                    m49_code,
                    position,
                    source: Value::Object(r.map.clone()),
                });
            }
        }
        self.regions_by_name = Some(by_name);
        self.region_slugs = Some(known_slugs);
    }

    fn countries(&mut self, root: &Obj<'_>) {
        let mut document = keep_document(root, &["countries"]);
        let Some(records) = root.records("countries") else {
            self.push_document(root.file, document);
            return;
        };
        let (mut positions, mut slugs, mut names) = (Unique::new(), Unique::new(), Unique::new());
        let (mut iso2s, mut iso3s, mut numerics) = (Unique::new(), Unique::new(), Unique::new());
        let (mut known_iso2, mut known_iso3) = (HashSet::new(), HashSet::new());
        let mut non_countries = Vec::new();
        let mut per_region: HashMap<String, i64> = HashMap::new();
        for c in &records {
            let position = unique_position(c, &mut positions);
            let slug = unique_slug(c, "slug", &mut slugs);
            let name = unique_text(c, "name", NAME, &mut names);
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
                for key in ["iso_alpha2", "iso_alpha3", "iso_numeric", "region"] {
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
                iso2s.check(c, "iso_alpha2", code.clone(), quoted(code));
                known_iso2.insert(code.clone());
            }
            let iso3 = c
                .parse("iso_alpha3", Iso3::parse)
                .map(|code| code.to_string());
            if let Some(code) = &iso3 {
                iso3s.check(c, "iso_alpha3", code.clone(), quoted(code));
                known_iso3.insert(code.clone());
            }
            let iso_numeric = c.opt_parse("iso_numeric", parse_iso_numeric);
            if let Some(Some(code)) = &iso_numeric {
                numerics.check(c, "iso_numeric", code.clone(), quoted(code));
            }
            let region = c.text("region", NAME);
            if let Some(region) = &region {
                *per_region.entry(region.clone()).or_default() += 1;
            }
            let region_slug = match (&region, &self.regions_by_name) {
                (Some(region), Some(by_name)) => match by_name.get(region) {
                    Some(slug) => slug.clone(),
                    None => {
                        c.report(
                            "region",
                            format!("{} is not a region in {REGIONS}", quoted(region)),
                        );
                        None
                    }
                },
                _ => None,
            };
            if let (
                Some(position),
                Some(slug),
                Some(name),
                Some(kind),
                Some(iso2),
                Some(iso3),
                Some(iso_numeric),
                Some(region_slug),
            ) = (
                position,
                slug,
                name,
                kind,
                iso2,
                iso3,
                iso_numeric,
                region_slug,
            ) {
                self.out.countries.push(Country {
                    iso2,
                    iso3,
                    iso_numeric,
                    name,
                    slug,
                    kind,
                    region_slug,
                    position,
                    source: Value::Object(c.map.clone()),
                });
            }
        }
        if self.regions_by_name.is_some() {
            for (name, given, path) in &self.region_counts {
                let counted = per_region.get(name).copied().unwrap_or(0);
                if counted != *given {
                    self.problems.report(
                        REGIONS,
                        path,
                        format!(
                            "{given} does not match {COUNTRIES}, which puts {counted} countries in {}",
                            quoted(name)
                        ),
                    );
                }
            }
        }
        if !non_countries.is_empty() {
            document.insert(NON_COUNTRY_ENTRIES.to_owned(), Value::Array(non_countries));
        }
        self.push_document(root.file, document);
        self.iso2s = Some(known_iso2);
        self.iso3s = Some(known_iso3);
    }

    fn document_types(&mut self, root: &Obj<'_>) {
        let document = keep_document(root, &["document_types"]);
        self.push_document(root.file, document);
        let Some(records) = root.records("document_types") else {
            return;
        };
        let (mut positions, mut slugs, mut names) = (Unique::new(), Unique::new(), Unique::new());
        let mut known = HashSet::new();
        for d in &records {
            // The table has no `source` column: any other field would be lost.
            d.only_fields(&["position", "slug", "name"]);
            let position = unique_position(d, &mut positions);
            let slug = unique_slug(d, "slug", &mut slugs);
            let name = unique_text(d, "name", NAME, &mut names);
            if let Some(slug) = &slug {
                known.insert(slug.clone());
            }
            if let (Some(position), Some(slug), Some(name)) = (position, slug, name) {
                self.out.document_types.push(DocumentType {
                    slug,
                    name,
                    position,
                });
            }
        }
        self.document_types = Some(known);
    }

    fn instruments(&mut self, root: &Obj<'_>) {
        let document = keep_document(root, &["instruments"]);
        self.push_document(root.file, document);
        let Some(records) = root.records("instruments") else {
            return;
        };
        let mut codes = Unique::new();
        for i in &records {
            let code = i.parse("id", parse_instrument_code);
            if let Some(code) = &code {
                codes.check(i, "id", code.clone(), quoted(code));
            }
            let kind = i.text("kind", NAME).and_then(|kind| match kind.as_str() {
                "convention" | "recommendation" => Some(kind),
                other => {
                    i.report(
                        "kind",
                        format!(
                            "{} is not an instrument kind (one of convention, recommendation)",
                            quoted(other)
                        ),
                    );
                    None
                }
            });
            let number = i.int_in("number", 1..=999);
            let year = i.int_in("year", 1919..=2100);
            let title = i.text("title", TITLE);
            if let (Some(code), Some(kind), Some(number)) = (&code, &kind, number) {
                let letter = if kind == "convention" { 'C' } else { 'R' };
                let expected = format!("{letter}{number:03}");
                if *code != expected {
                    i.report(
                        "id",
                        format!(
                            "{} does not match kind {} and number {number} (expected {})",
                            quoted(code),
                            quoted(kind),
                            quoted(&expected)
                        ),
                    );
                }
            }
            let mut objectives = Vec::new();
            let mut all_valid = true;
            for r in i.opt_records("referenced_by").unwrap_or_default() {
                match self.objective_ref(&r, "objective") {
                    Some(n) if !objectives.contains(&n) => objectives.push(n),
                    Some(_) => {}
                    None => all_valid = false,
                }
            }
            if let (Some(code), Some(kind), Some(number), Some(year), Some(title), true) =
                (code, kind, number, year, title, all_valid)
            {
                self.out.instruments.push(Instrument {
                    code,
                    kind,
                    number,
                    year,
                    title,
                    objectives,
                    source: Value::Object(i.map.clone()),
                });
            }
        }
    }

    fn guidance(&mut self, root: &Obj<'_>) {
        let mut document = keep_document(root, &["special_procedures"]);
        if let Some(Value::Object(treaty_bodies)) = document.get_mut("treaty_bodies") {
            treaty_bodies.remove("entries");
        }
        self.push_document(root.file, document);
        if let Some(Some(n)) = root.opt_int("objective")
            && let Some(n) = root.check("objective", ObjectiveNumber::new(n))
        {
            self.objective_exists(root, "objective", n.get());
        }
        let mut lists = vec![(
            root.opt_records("special_procedures"),
            MechanismKind::SpecialProcedure,
        )];
        if let Some(Some(treaty_bodies)) = root.opt_object("treaty_bodies") {
            lists.push((
                treaty_bodies.opt_records("entries"),
                MechanismKind::TreatyBody,
            ));
        }
        let mut slugs = Unique::new();
        let mut positions: HashMap<(i32, MechanismKind), i32> = HashMap::new();
        let mut facts = HashMap::new();
        for (records, expected) in lists {
            for g in records.unwrap_or_default() {
                let slug = unique_slug(&g, "id", &mut slugs);
                let objective = self.objective_ref(&g, "objective");
                let mechanism = g
                    .parse("mechanism_kind", MechanismKind::parse)
                    .and_then(|m| {
                        if m == expected {
                            Some(m)
                        } else {
                            g.report(
                                "mechanism_kind",
                                format!(
                                    "{} does not belong in this list (expected {})",
                                    quoted(m.as_str()),
                                    quoted(expected.as_str())
                                ),
                            );
                            None
                        }
                    });
                let body = g.text("body", TITLE);
                let abbreviation = g.opt_text("body_abbreviation", ABBREVIATION);
                let year = g.int_in("year", 1946..=2100);
                let symbol = g.parse("document_symbol", parse_document_symbol);
                let paragraph = g.text("paragraph", PARAGRAPH_LABEL);
                let guidance = g.text("guidance", LONG);
                if let Some(slug) = &slug {
                    facts.insert(
                        slug.clone(),
                        GuidanceFacts {
                            objective,
                            index: None,
                        },
                    );
                }
                if let (
                    Some(slug),
                    Some(objective),
                    Some(mechanism),
                    Some(body),
                    Some(abbreviation),
                    Some(year),
                    Some(symbol),
                    Some(paragraph),
                    Some(guidance),
                ) = (
                    slug,
                    objective,
                    mechanism,
                    body,
                    abbreviation,
                    year,
                    symbol,
                    paragraph,
                    guidance,
                ) {
                    let position = positions.entry((objective, mechanism)).or_default();
                    *position += 1;
                    if let Some(f) = facts.get_mut(&slug) {
                        f.index = Some(self.out.guidance.len());
                    }
                    self.out.guidance.push(GuidanceSource {
                        slug,
                        objective,
                        mechanism,
                        body,
                        abbreviation,
                        year,
                        symbol,
                        paragraph,
                        guidance,
                        position: *position,
                        actions_reason: None,
                        items_reason: None,
                        action_letters: Vec::new(),
                        source: Value::Object(g.map.clone()),
                    });
                }
            }
        }
        self.guidance = Some(facts);
    }

    fn page(&mut self, objective: i32, root: &Obj<'_>) {
        let meta = keep_document(root, &[])
            .into_iter()
            .filter(|(k, _)| k == "meta")
            .collect();
        self.push_document(root.file, meta);
        let mut page_valid = true;
        match root.int("objective") {
            Some(n) if n != i64::from(objective) => {
                root.report(
                    "objective",
                    format!("{n} does not match the file name (objective {objective})"),
                );
                page_valid = false;
            }
            Some(_) => page_valid &= self.objective_exists(root, "objective", objective),
            None => page_valid = false,
        }
        if let Some(Some(commitment)) = root.opt_object("commitment") {
            self.check_commitment(objective, &commitment);
        }

        let mut policy_options = Vec::new();
        let mut numbers = Unique::new();
        for p in root.opt_records("policy_options").unwrap_or_default() {
            let number = p
                .position("number")
                .filter(|n| numbers.check(&p, "number", *n, n));
            let text = p.text("text", LONG);
            let label = p.opt_text("label", LONG);
            let label_derived = p.opt_bool("label_derived");
            match (number, text, label, label_derived) {
                (Some(number), Some(text), Some(label), Some(label_derived)) => {
                    policy_options.push(PolicyOption {
                        number,
                        text,
                        label,
                        label_derived: label_derived.unwrap_or(false),
                    });
                }
                _ => page_valid = false,
            }
        }

        let mut related = Vec::new();
        if let Some(Some(section)) = root.opt_object("related_objectives") {
            let mut seen = Unique::new();
            for (i, r) in section
                .opt_records("items")
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let other = self.objective_ref(r, "objective").filter(|n| {
                    if *n == objective {
                        r.report("objective", "an objective is not related to itself");
                        false
                    } else {
                        seen.check(r, "objective", *n, n)
                    }
                });
                let paragraph = r.int_in("paragraph", PARAGRAPHS);
                if let (Some(other), Some(p)) = (other, paragraph) {
                    check_commitment_paragraph(r, "paragraph", other, p);
                }
                let as_given = r.opt_text("as_given", LONG);
                match (other, paragraph, as_given) {
                    (Some(related_number), Some(paragraph), Some(as_given)) => {
                        related.push(RelatedObjective {
                            related: related_number,
                            paragraph,
                            position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                            as_given,
                        })
                    }
                    _ => page_valid = false,
                }
            }
        }

        let mut positions = Unique::new();
        for item in root.opt_records("items").unwrap_or_default() {
            let slug = item.parse("id", Slug::parse).map(Slug::into_string);
            let parsed = self.item(objective, &item, slug.clone(), &mut positions);
            if let Some(slug) = slug {
                let index = parsed.map(|it| {
                    self.out.items.push(it);
                    self.out.items.len() - 1
                });
                if self
                    .item_ids
                    .check(&item, "id", slug.clone(), quoted(&slug))
                {
                    self.item_index.insert(slug.clone(), index);
                    self.items.push(slug);
                }
            }
        }

        if page_valid {
            let source = keep_document(root, &["meta", "items"])
                .into_iter()
                .collect::<Map<String, Value>>();
            self.out.pages.push(ObjectivePage {
                objective,
                source: Value::Object(source),
                policy_options,
                related,
            });
        }
    }

    /// An objective file's copy of the commitment must be objectives.json's, word for word.
    fn check_commitment(&self, objective: i32, c: &Obj<'_>) {
        if let Some(p) = c.int_in("paragraph", PARAGRAPHS) {
            check_commitment_paragraph(c, "paragraph", objective, p);
        }
        let text = c.opt_text("text", LONG);
        let lead_in = c.opt_text("actions_lead_in", LONG);
        let given_actions = actions(c);
        let Some(facts) = self
            .objectives
            .as_ref()
            .and_then(|known| known.get(&objective))
        else {
            return;
        };
        for (key, given, expected) in [
            ("text", &text, &facts.commitment_text),
            ("actions_lead_in", &lead_in, &facts.actions_lead_in),
        ] {
            if let (Some(given), Some(expected)) = (given, expected)
                && given != expected
            {
                let field = if key == "text" {
                    "commitment_text"
                } else {
                    key
                };
                c.report(
                    key,
                    format!("does not match the {field} of objective {objective} in {OBJECTIVES}"),
                );
            }
        }
        if let (Some(given), Some(expected)) = (given_actions, &facts.actions) {
            for (path, action) in &given {
                match expected.iter().find(|e| e.letter == action.letter) {
                    None => self.problems.report(
                        c.file,
                        &format!("{path}.letter"),
                        format!(
                            "{} is not an action of objective {objective} in {OBJECTIVES}",
                            quoted(&action.letter)
                        ),
                    ),
                    Some(e) if e.text != action.text => self.problems.report(
                        c.file,
                        &format!("{path}.text"),
                        format!(
                            "does not match action ({}) of objective {objective} in {OBJECTIVES}",
                            action.letter
                        ),
                    ),
                    Some(_) => {}
                }
            }
            for e in expected {
                if !given.iter().any(|(_, a)| a.letter == e.letter) {
                    c.report(
                        "actions",
                        format!(
                            "lacks action ({}) of objective {objective} in {OBJECTIVES}",
                            e.letter
                        ),
                    );
                }
            }
        }
    }

    fn item(
        &self,
        objective: i32,
        it: &Obj<'_>,
        slug: Option<String>,
        positions: &mut Unique<(&'static str, i32)>,
    ) -> Option<Item> {
        let kind = it
            .text("kind", NAME)
            .and_then(|k| match parse_file_kind(&k) {
                Some(kind) => Some(kind),
                None => {
                    it.report(
                        "kind",
                        format!(
                            "{} is not an item kind (one of {})",
                            quoted(&k),
                            FILE_KINDS.join(", ")
                        ),
                    );
                    None
                }
            });
        let heading = it.text("section", NAME);
        if let (Some((kind, section)), Some(heading)) = (kind, &heading) {
            let expected = section_heading(kind, section);
            if heading != expected {
                it.report(
                    "section",
                    format!(
                        "{} is not the section of a {} item (expected {})",
                        quoted(heading),
                        file_kind(kind, section),
                        quoted(expected)
                    ),
                );
            }
        }
        let position = it.position("position");
        if let (Some((kind, section)), Some(p)) = (kind, position) {
            let name = file_kind(kind, section);
            positions.check(
                it,
                "position",
                (name, p),
                format!("position {p} among the {name} items"),
            );
        }

        let title = it.opt_text("title", TITLE);
        let title_derived = it.bool("title_derived");
        if let (Some(None), Some(true)) = (&title, title_derived) {
            it.report("title_derived", "is true but there is no title");
        }
        let external = match it.opt_object("title_candidate_external") {
            Some(Some(candidate)) => candidate.text("text", TITLE).map(Some),
            Some(None) => Some(None),
            None => None,
        };
        let summary = it.text("summary", SUMMARY);
        let summary_truncated = it.bool("summary_truncated");
        let url = it.opt_text("url", URL).and_then(|url| match url {
            Some(u) => it.check("url", text::check_url(&u)).map(|()| Some(u)),
            None => Some(None),
        });

        let shown_kind = kind.map(|(k, s)| file_kind(k, s));
        let is_resource = kind.map(|(k, _)| k == ItemKind::Resource);
        let is_event = kind.map(|(k, _)| k == ItemKind::Event);
        for (keys, allowed, who) in [
            (
                &["date_of_publication", "language", "document_type"][..],
                is_resource,
                "document, training and video",
            ),
            (
                &["city", "country", "start_date", "end_date"][..],
                is_event,
                "event",
            ),
        ] {
            if let (Some(false), Some(shown_kind)) = (allowed, shown_kind) {
                for key in keys {
                    if it.present(key).is_some() {
                        it.report(
                            key,
                            format!(
                                "a {shown_kind} item cannot have this field (only {who} items can)"
                            ),
                        );
                    }
                }
            }
        }
        let published_on = it.opt_date("date_of_publication");
        let language = match it.opt_object("language") {
            Some(Some(l)) => l
                .parse("code", LanguageCode::parse)
                .map(|c| Some(c.as_str().to_owned())),
            Some(None) => Some(None),
            None => None,
        };
        let document_type = it.opt_parse("document_type", Slug::parse).and_then(|slug| {
            match (slug, &self.document_types) {
                (Some(slug), Some(known)) if !known.contains(slug.as_str()) => {
                    it.report(
                        "document_type",
                        format!(
                            "{} is not a document type in {DOCUMENT_TYPES}",
                            quoted(slug.as_str())
                        ),
                    );
                    None
                }
                (slug, _) => Some(slug.map(Slug::into_string)),
            }
        });
        let organisation = it.opt_text("organisation", ORGANISATION);
        let city = it.opt_text("city", CITY);
        let country = match it.opt_object("country") {
            Some(Some(c)) => {
                c.parse("iso_alpha2", Iso2::parse)
                    .and_then(|code| match &self.iso2s {
                        Some(known) if !known.contains(code.as_str()) => {
                            c.report(
                                "iso_alpha2",
                                format!(
                                    "{} is not the alpha-2 code of a country in {COUNTRIES}",
                                    quoted(code.as_str())
                                ),
                            );
                            None
                        }
                        _ => Some(Some(code.to_string())),
                    })
            }
            Some(None) => Some(None),
            None => None,
        };
        let starts_on = it.opt_date("start_date");
        let ends_on = it.opt_date("end_date");
        if let (Some(Some(start)), Some(Some(end))) = (starts_on, ends_on)
            && end < start
        {
            it.report("end_date", format!("{end} is before start_date {start}"));
        }
        let status = it.opt_parse("status", ItemStatus::parse);
        let mut objectives = vec![objective];
        let mut others_valid = true;
        for (path, n) in it.opt_ints("other_objectives").unwrap_or_default() {
            let report = |message: String| it.problems.report(it.file, &path, message);
            match ObjectiveNumber::new(n) {
                Err(Invalid(message)) => report(message),
                Ok(n) => {
                    let n = n.get();
                    if self
                        .objectives
                        .as_ref()
                        .is_some_and(|known| !known.contains_key(&n))
                    {
                        report(format!("objective {n} is not in {OBJECTIVES}"));
                    } else if objectives.contains(&n) {
                        report(format!(
                            "objective {n} is listed twice (the file's objective counts)"
                        ));
                    } else {
                        objectives.push(n);
                        continue;
                    }
                }
            }
            others_valid = false;
        }

        let (kind, section) = kind?;
        let (title, title_provenance) = choose_title(title?, title_derived?, external?);
        Some(Item {
            slug: slug?,
            kind,
            section,
            document_type_slug: document_type?,
            title,
            title_provenance,
            summary: summary?,
            summary_truncated: summary_truncated?,
            url: url?,
            published_on: published_on?,
            language: language?,
            organisation: organisation?,
            city: city?,
            event_country_iso2: country?,
            starts_on: starts_on?,
            ends_on: ends_on?,
            scope: Scope::Global,
            status: status?.unwrap_or(ItemStatus::Published),
            position: position?,
            geography_reason: None,
            objectives: others_valid.then_some(objectives)?,
            region_slugs: Vec::new(),
            country_iso3s: Vec::new(),
            guidance_slugs: Vec::new(),
            source: Value::Object(it.map.clone()),
        })
    }

    fn links(&mut self, root: &Obj<'_>) {
        let document = keep_document(
            root,
            &["guidance_actions", "guidance_items", "item_geography"],
        );
        self.push_document(root.file, document);

        let mut seen = Unique::new();
        for e in root.opt_records("guidance_actions").unwrap_or_default() {
            e.only_fields(&["guidance", "objective", "actions", "reason"]);
            let guidance = self.guidance_ref(&e, &mut seen);
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
                self.objectives
                    .as_ref()?
                    .get(&n)?
                    .actions
                    .as_ref()
                    .map(|a| (n, a))
            });
            let mut letters = Vec::new();
            let mut distinct = Unique::new();
            for (path, letter) in e.strings("actions").unwrap_or_default() {
                if let Some((n, actions)) = known_letters
                    && !actions.iter().any(|a| a.letter == letter)
                {
                    self.problems.report(
                        e.file,
                        &path,
                        format!(
                            "{} is not an action of objective {n} in {OBJECTIVES}",
                            quoted(letter)
                        ),
                    );
                    continue;
                }
                if distinct.check_path(self.problems, e.file, path, letter, quoted(letter)) {
                    letters.push(letter.to_owned());
                }
            }
            let reason = e.opt_text("reason", LONG).flatten();
            if let Some(GuidanceRef {
                index: Some(index), ..
            }) = guidance
            {
                let g = &mut self.out.guidance[index];
                g.action_letters = letters;
                g.actions_reason = reason;
            }
        }

        let mut seen = Unique::new();
        for e in root.opt_records("guidance_items").unwrap_or_default() {
            e.only_fields(&["guidance", "items", "reason"]);
            let guidance = self.guidance_ref(&e, &mut seen);
            let mut distinct = Unique::new();
            let mut items = Vec::new();
            for (path, id) in e.strings("items").unwrap_or_default() {
                if let Some(index) = self.item_ref(e.file, &path, id)
                    && distinct.check_path(self.problems, e.file, path, id, quoted(id))
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
                self.out.guidance[index].items_reason = reason;
                for item in items.into_iter().flatten() {
                    self.out.items[item].guidance_slugs.push(id.clone());
                }
            }
        }

        let mut placed = Unique::new();
        let mut with_entry = HashSet::new();
        for e in root.opt_records("item_geography").unwrap_or_default() {
            e.only_fields(&["item", "scope", "regions", "countries", "reason"]);
            let item = e.text("item", NAME).and_then(|id| {
                let path = e.path_of("item");
                let index = self.item_ref(e.file, &path, &id)?;
                placed
                    .check(&e, "item", id.clone(), quoted(&id))
                    .then_some((id, index))
            });
            let scope = e.parse("scope", Scope::parse);
            let mut regions = Vec::new();
            let mut distinct = Unique::new();
            let given_regions = e.strings("regions").unwrap_or_default();
            let has_regions = !given_regions.is_empty();
            for (path, slug) in given_regions {
                if self
                    .region_slugs
                    .as_ref()
                    .is_some_and(|known| !known.contains(slug))
                {
                    self.problems.report(
                        e.file,
                        &path,
                        format!("{} is not a region in {REGIONS}", quoted(slug)),
                    );
                } else if distinct.check_path(self.problems, e.file, path, slug, quoted(slug)) {
                    regions.push(slug.to_owned());
                }
            }
            let mut countries = Vec::new();
            let mut distinct = Unique::new();
            let given_countries = e.strings("countries").unwrap_or_default();
            let has_countries = !given_countries.is_empty();
            for (path, code) in given_countries {
                match Iso3::parse(code) {
                    Err(Invalid(message)) => self.problems.report(e.file, &path, message),
                    Ok(_)
                        if self
                            .iso3s
                            .as_ref()
                            .is_some_and(|known| !known.contains(code)) =>
                    {
                        self.problems.report(
                            e.file,
                            &path,
                            format!(
                                "{} is not the alpha-3 code of a country in {COUNTRIES}",
                                quoted(code)
                            ),
                        );
                    }
                    Ok(_) => {
                        if distinct.check_path(self.problems, e.file, path, code, quoted(code)) {
                            countries.push(code.to_owned());
                        }
                    }
                }
            }
            match scope {
                Some(Scope::Global) if has_regions || has_countries => {
                    e.report("scope", "a global item has no regions and no countries")
                }
                Some(Scope::Regional) if !has_regions => {
                    e.report("scope", "a regional item needs at least one region")
                }
                Some(Scope::National) if !has_countries => {
                    e.report("scope", "a national item needs at least one country")
                }
                _ => {}
            }
            let reason = e.opt_text("reason", LONG).flatten();
            if let Some((id, index)) = item {
                with_entry.insert(id);
                if let (Some(index), Some(scope)) = (index, scope) {
                    let item = &mut self.out.items[index];
                    item.scope = scope;
                    item.region_slugs = regions;
                    item.country_iso3s = countries;
                    item.geography_reason = reason;
                }
            }
        }
        let geography_readable = root.present("item_geography").is_none_or(Value::is_array);
        if geography_readable {
            for id in &self.items {
                if !with_entry.contains(id) {
                    root.report(
                        "item_geography",
                        format!(
                            "no entry for item {} (every item needs exactly one)",
                            quoted(id)
                        ),
                    );
                }
            }
        }
    }

    /// The `guidance` field of a links.json entry: an id of guidance.json, once per list.
    fn guidance_ref(&self, e: &Obj<'_>, seen: &mut Unique<String>) -> Option<GuidanceRef> {
        let id = e.text("guidance", NAME)?;
        let (objective, index) = match &self.guidance {
            Some(known) => match known.get(&id) {
                Some(f) => (f.objective, f.index),
                None => {
                    e.report(
                        "guidance",
                        format!("{} is not a guidance id in {GUIDANCE}", quoted(&id)),
                    );
                    return None;
                }
            },
            None => (None, None),
        };
        seen.check(e, "guidance", id.clone(), quoted(&id))
            .then_some(GuidanceRef {
                id,
                objective,
                index,
            })
    }

    /// An item id in links.json: `Some(index)` when the item is in an objective file
    /// (`index` is None when the item itself is invalid), `None` when it is unknown.
    fn item_ref(&self, file: &str, path: &str, id: &str) -> Option<Option<usize>> {
        match self.item_index.get(id) {
            Some(index) => Some(*index),
            None => {
                if self.every_page_readable {
                    self.problems.report(
                        file,
                        path,
                        format!(
                            "{} is not the id of an item in the objective files",
                            quoted(id)
                        ),
                    );
                }
                None
            }
        }
    }
}

/// Keeps a file's top-level keys other than `records`, for the export.
fn keep_document(root: &Obj<'_>, records: &[&str]) -> Map<String, Value> {
    root.map
        .iter()
        .filter(|(k, _)| !records.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Where a shown title comes from: the seed's own title when it is not derived, else the
/// curators' external candidate, else the title derived from the seed's text.
fn choose_title(
    seed: Option<String>,
    derived: bool,
    external: Option<String>,
) -> (Option<String>, TitleProvenance) {
    match (seed, derived, external) {
        (Some(title), false, _) => (Some(title), TitleProvenance::Seed),
        (_, _, Some(candidate)) => (Some(candidate), TitleProvenance::External),
        (Some(title), true, None) => (Some(title), TitleProvenance::Derived),
        (None, _, None) => (None, TitleProvenance::Seed),
    }
}

/// `(path, action)` for each valid action of an `actions` array; `None` if any is invalid.
fn actions(o: &Obj<'_>) -> Option<Vec<(String, Action)>> {
    let records = o.opt_records("actions")?;
    let mut letters = Unique::new();
    let mut out = Vec::with_capacity(records.len());
    let mut all_valid = true;
    for a in &records {
        let letter = a.parse("letter", parse_action_letter);
        let text = a.text("text", LONG);
        match (letter, text) {
            (Some(letter), Some(text))
                if letters.check(a, "letter", letter.clone(), quoted(&letter)) =>
            {
                out.push((a.path.clone(), Action { letter, text }));
            }
            _ => all_valid = false,
        }
    }
    all_valid.then_some(out)
}

fn check_commitment_paragraph(o: &Obj<'_>, key: &str, objective: i32, paragraph: i32) {
    let expected =
        ObjectiveNumber::new(i64::from(objective)).map(ObjectiveNumber::commitment_paragraph);
    if let Ok(expected) = expected
        && paragraph != expected
    {
        o.report(
            key,
            format!(
                "{paragraph} is not the commitment paragraph of objective {objective} \
                 (A/RES/73/195 states objective N's commitment in paragraph N + 16: {expected})"
            ),
        );
    }
}

fn unique_position(o: &Obj<'_>, seen: &mut Unique<i32>) -> Option<i32> {
    o.position("position")
        .filter(|p| seen.check(o, "position", *p, p))
}

fn unique_slug(o: &Obj<'_>, key: &str, seen: &mut Unique<String>) -> Option<String> {
    o.parse(key, Slug::parse)
        .map(Slug::into_string)
        .filter(|s| seen.check(o, key, s.clone(), quoted(s)))
}

fn unique_text(
    o: &Obj<'_>,
    key: &str,
    field: TextField,
    seen: &mut Unique<String>,
) -> Option<String> {
    o.text(key, field)
        .filter(|s| seen.check(o, key, s.clone(), quoted(s)))
}

fn parse_action_letter(s: &str) -> Result<String, Invalid> {
    if s.len() == 1 && s.bytes().all(|b| b.is_ascii_lowercase()) {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new(format!(
            "{} is not an action letter (one of a to z)",
            quoted(s)
        )))
    }
}

/// Three ASCII digits, as UN M49 and ISO 3166-1 numeric codes are written.
fn three_digits(s: &str, what: &str) -> Result<String, Invalid> {
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new(format!(
            "{} is not {what} (three digits)",
            quoted(s)
        )))
    }
}

fn parse_m49_code(s: &str) -> Result<String, Invalid> {
    three_digits(s, "a UN M49 code")
}

fn parse_iso_numeric(s: &str) -> Result<String, Invalid> {
    three_digits(s, "an ISO 3166-1 numeric code")
}

fn parse_instrument_code(s: &str) -> Result<String, Invalid> {
    let b = s.as_bytes();
    if b.len() == 4 && (b[0] == b'C' || b[0] == b'R') && b[1..].iter().all(u8::is_ascii_digit) {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new(format!(
            "{} is not an ILO instrument code (C or R and three digits, e.g. C097)",
            quoted(s)
        )))
    }
}

fn parse_document_symbol(s: &str) -> Result<String, Invalid> {
    let mut bytes = s.bytes();
    let well_formed = bytes.next().is_some_and(|b| b.is_ascii_uppercase())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"./()-".contains(&b))
        && s.len() <= 200;
    if well_formed {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new(format!(
            "{} is not a UN document symbol (e.g. A/HRC/26/35)",
            quoted(s)
        )))
    }
}
