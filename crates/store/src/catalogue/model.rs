//! The catalogue after validation: every value checked, every reference resolved to a
//! natural key that exists in the input. The importer writes exactly this.

use chrono::NaiveDate;
use gcm_domain::{ItemKind, ItemStatus, MechanismKind, ResourceSection, Scope, TitleProvenance};
use serde_json::Value;

#[derive(Debug, Default)]
pub(crate) struct Catalogue {
    /// Per file: the top-level keys that are not records (meta, notes, menu extras).
    pub files: Vec<FileDocument>,
    pub objectives: Vec<Objective>,
    pub principles: Vec<Principle>,
    pub regions: Vec<Region>,
    pub countries: Vec<Country>,
    pub document_types: Vec<DocumentType>,
    pub instruments: Vec<Instrument>,
    pub pages: Vec<ObjectivePage>,
    pub guidance: Vec<GuidanceSource>,
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub(crate) struct FileDocument {
    pub name: String,
    pub document: Value,
}

#[derive(Debug)]
pub(crate) struct Objective {
    pub number: i32,
    pub slug: String,
    pub short_name: String,
    pub title: String,
    pub commitment_paragraph: i32,
    pub commitment_text: Option<String>,
    pub actions_lead_in: Option<String>,
    pub hub_term_id: Option<i32>,
    pub actions: Vec<Action>,
    pub source: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Action {
    pub letter: String,
    pub text: String,
}

#[derive(Debug)]
pub(crate) struct Principle {
    pub slug: String,
    pub name: String,
    pub position: i32,
    pub source: Value,
}

#[derive(Debug)]
pub(crate) struct Region {
    pub slug: String,
    pub name: String,
    pub m49_code: String,
    pub position: i32,
    pub source: Value,
}

#[derive(Debug)]
pub(crate) struct Country {
    pub iso2: String,
    pub iso3: String,
    pub iso_numeric: Option<String>,
    pub name: String,
    pub slug: String,
    pub kind: String,
    pub region_slug: String,
    pub position: i32,
    pub source: Value,
}

#[derive(Debug)]
pub(crate) struct DocumentType {
    pub slug: String,
    pub name: String,
    pub position: i32,
}

#[derive(Debug)]
pub(crate) struct Instrument {
    pub code: String,
    pub kind: String,
    pub number: i32,
    pub year: i32,
    pub title: String,
    /// The objectives that reference it (distinct, in file order).
    pub objectives: Vec<i32>,
    pub source: Value,
}

/// An objective's Hub page (objective_<N>_content.json) without its items.
#[derive(Debug)]
pub(crate) struct ObjectivePage {
    pub objective: i32,
    /// The page's keys other than `meta` and `items`, as given.
    pub source: Value,
    pub policy_options: Vec<PolicyOption>,
    pub related: Vec<RelatedObjective>,
}

#[derive(Debug)]
pub(crate) struct PolicyOption {
    pub number: i32,
    pub text: String,
    pub label: Option<String>,
    pub label_derived: bool,
}

#[derive(Debug)]
pub(crate) struct RelatedObjective {
    pub related: i32,
    pub paragraph: i32,
    pub position: i32,
    pub as_given: Option<String>,
}

#[derive(Debug)]
pub(crate) struct GuidanceSource {
    pub slug: String,
    pub objective: i32,
    pub mechanism: MechanismKind,
    pub body: String,
    pub abbreviation: Option<String>,
    pub year: i32,
    pub symbol: String,
    pub paragraph: String,
    pub guidance: String,
    /// 1-based, per objective and mechanism, in file order.
    pub position: i32,
    pub actions_reason: Option<String>,
    pub items_reason: Option<String>,
    /// Letters of the guidance's objective's actions (links.json guidance_actions).
    pub action_letters: Vec<String>,
    pub source: Value,
}

#[derive(Debug)]
pub(crate) struct Item {
    pub slug: String,
    pub kind: ItemKind,
    pub section: Option<ResourceSection>,
    pub document_type_slug: Option<String>,
    pub title: Option<String>,
    pub title_provenance: TitleProvenance,
    pub summary: String,
    pub summary_truncated: bool,
    pub url: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub language: Option<String>,
    pub organisation: Option<String>,
    pub city: Option<String>,
    pub event_country_iso2: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub scope: Scope,
    pub status: ItemStatus,
    /// Its place in its section on its file's objective page; 0 when the Hub does not
    /// place it (the file gives no `position`).
    pub position: i32,
    pub geography_reason: Option<String>,
    /// The objective of the file it is listed in, then any `other_objectives`.
    pub objectives: Vec<i32>,
    pub region_slugs: Vec<String>,
    pub country_iso3s: Vec<String>,
    pub guidance_slugs: Vec<String>,
    pub source: Value,
}

/// The `kind` an item has in an objective file: the Hub lists resources under three
/// sections, which the files name as three kinds.
pub(crate) fn file_kind(kind: ItemKind, section: Option<ResourceSection>) -> &'static str {
    match (kind, section) {
        (ItemKind::Event, _) => "event",
        (ItemKind::Project, _) => "project",
        (ItemKind::Resource, Some(ResourceSection::TrainingAndGuidance)) => "training",
        (ItemKind::Resource, Some(ResourceSection::Videos)) => "video",
        (ItemKind::Resource, _) => "document",
    }
}

/// The reverse of [`file_kind`].
pub(crate) fn parse_file_kind(kind: &str) -> Option<(ItemKind, Option<ResourceSection>)> {
    Some(match kind {
        "document" => (ItemKind::Resource, Some(ResourceSection::Documents)),
        "training" => (
            ItemKind::Resource,
            Some(ResourceSection::TrainingAndGuidance),
        ),
        "video" => (ItemKind::Resource, Some(ResourceSection::Videos)),
        "event" => (ItemKind::Event, None),
        "project" => (ItemKind::Project, None),
        _ => return None,
    })
}

pub(crate) const FILE_KINDS: &[&str] = &["document", "event", "project", "training", "video"];

/// The heading the Hub prints above an item's section (the files' `section`).
pub(crate) fn section_heading(kind: ItemKind, section: Option<ResourceSection>) -> &'static str {
    match (kind, section) {
        (ItemKind::Event, _) => "Events",
        (ItemKind::Project, _) => "Projects",
        (ItemKind::Resource, Some(section)) => section.hub_heading(),
        (ItemKind::Resource, None) => ResourceSection::Documents.hub_heading(),
    }
}

/// The kinds a stored country has (the file also knows the `global` entry, a scope).
pub(crate) const COUNTRY_KINDS: &[&str] = gcm_domain::CountryKind::NAMES;
pub(crate) const GLOBAL_KIND: &str = "global";
