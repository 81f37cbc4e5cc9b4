//! A submitted item, checked with the importer's rules (the same `gcm_domain` parsers and
//! the same column limits) and resolved against the stored reference data. Every problem
//! is reported with the input field (and list index) it concerns.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use gcm_domain::text::{self, TextField};
use gcm_domain::{
    Iso3, ItemKind, LanguageCode, ObjectiveNumber, ResourceSection, Scope, Slug, limits,
};
use serde::{Deserialize, Serialize};

use super::{CurationError, CurationResult};
use crate::schema::{
    countries, document_types, guidance_sources, guiding_principles, objectives, regions,
};

// The importer's fields, by the same rule (`gcm_domain::text`) and limits.
const TITLE: TextField = TextField::line(limits::TITLE);
const SUMMARY: TextField = TextField::multiline(limits::SUMMARY);
const URL: TextField = TextField::line(limits::URL);
const ORGANISATION: TextField = TextField::line(limits::ORGANISATION);
const CITY: TextField = TextField::line(limits::CITY);
/// Most entries one link list may hold (the Hub's largest items list a few dozen).
const MAX_LINKS: usize = 300;

/// What a contributor sends, for any kind (fields of other kinds stay empty).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ItemInput {
    pub title: String,
    pub summary: String,
    pub url: Option<String>,
    /// Resources only: `documents`, `training_and_guidance` or `videos`.
    pub section: Option<String>,
    pub document_type: Option<String>,
    pub objectives: Vec<i32>,
    pub principles: Vec<String>,
    pub regions: Vec<String>,
    pub countries: Vec<String>,
    pub published_on: Option<NaiveDate>,
    pub language: Option<String>,
    pub organisation: Option<String>,
    pub city: Option<String>,
    /// Events only: the iso3 code of the country the event takes place in.
    pub country: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

/// One refused value: the input field (camelCase, as the API spells it), the index in a
/// list field, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: &'static str,
    pub index: Option<usize>,
    pub message: String,
}

/// An input that passed every rule, with its references resolved to ids.
#[derive(Debug, Clone)]
pub struct ValidItem {
    /// The input as it is stored (`submissions.input`, `items.source`): its text in NFC.
    pub input: ItemInput,
    pub kind: ItemKind,
    pub section: Option<ResourceSection>,
    pub title: String,
    pub summary: String,
    pub url: Option<String>,
    pub document_type_id: Option<i32>,
    pub published_on: Option<NaiveDate>,
    pub language: Option<String>,
    pub organisation: Option<String>,
    pub city: Option<String>,
    pub event_country_id: Option<i32>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub scope: Scope,
    pub objectives: Vec<i32>,
    pub principle_ids: Vec<i32>,
    pub region_ids: Vec<i32>,
    pub country_ids: Vec<i32>,
}

#[derive(Default)]
pub(super) struct Problems(pub(super) Vec<FieldProblem>);

impl Problems {
    pub(super) fn at(
        &mut self,
        field: &'static str,
        index: Option<usize>,
        message: impl Into<String>,
    ) {
        self.0.push(FieldProblem {
            field,
            index,
            message: message.into(),
        });
    }

    /// `value` by `rule` (in NFC), or `None` with the problem reported at `field`.
    pub(super) fn text(
        &mut self,
        field: &'static str,
        value: &str,
        rule: TextField,
    ) -> Option<String> {
        rule.clean(value)
            .map_err(|e| self.at(field, None, e.0))
            .ok()
    }

    fn opt_text(
        &mut self,
        field: &'static str,
        value: &Option<String>,
        rule: TextField,
    ) -> Option<String> {
        value.as_deref().and_then(|v| self.text(field, v, rule))
    }

    fn date(&mut self, field: &'static str, value: Option<NaiveDate>) {
        if let Some(Err(e)) = value.map(text::check_date) {
            self.at(field, None, e.0);
        }
    }

    fn forbidden(&mut self, field: &'static str, present: bool, kind: ItemKind) {
        if present {
            self.at(field, None, format!("a {kind} cannot have this field"));
        }
    }
}

/// Checks `input` as an item of `kind` and resolves its references.
pub async fn validate(
    conn: &mut AsyncPgConnection,
    kind: ItemKind,
    input: &ItemInput,
) -> CurationResult<ValidItem> {
    let mut p = Problems::default();
    let title = p.text("title", &input.title, TITLE);
    let summary = p.text("summary", &input.summary, SUMMARY);
    let url = p.opt_text("url", &input.url, URL);
    if let Some(Err(e)) = url.as_deref().map(text::check_url) {
        p.at("url", None, e.0);
    }
    let organisation = p.opt_text("organisation", &input.organisation, ORGANISATION);
    let city = p.opt_text("city", &input.city, CITY);
    p.date("publishedOn", input.published_on);
    p.date("startsOn", input.starts_on);
    p.date("endsOn", input.ends_on);

    let is_resource = kind == ItemKind::Resource;
    let is_event = kind == ItemKind::Event;
    if !is_resource {
        p.forbidden("section", input.section.is_some(), kind);
        p.forbidden("documentType", input.document_type.is_some(), kind);
        p.forbidden("publishedOn", input.published_on.is_some(), kind);
        p.forbidden("language", input.language.is_some(), kind);
    }
    if !is_event {
        p.forbidden("city", input.city.is_some(), kind);
        p.forbidden("country", input.country.is_some(), kind);
        p.forbidden("startsOn", input.starts_on.is_some(), kind);
        p.forbidden("endsOn", input.ends_on.is_some(), kind);
    }
    let section = match (&input.section, is_resource) {
        (Some(s), true) => ResourceSection::parse(s)
            .map_err(|e| p.at("section", None, e.0))
            .ok(),
        (None, true) => {
            p.at("section", None, "a resource needs its section");
            None
        }
        _ => None,
    };
    let language = input.language.as_deref().and_then(|code| {
        LanguageCode::parse(code)
            .map(|c| c.as_str().to_owned())
            .map_err(|e| p.at("language", None, e.0))
            .ok()
    });
    if let (Some(start), Some(end)) = (input.starts_on, input.ends_on)
        && end < start
    {
        p.at("endsOn", None, format!("{end} is before startsOn {start}"));
    }

    if input.objectives.is_empty() {
        p.at("objectives", None, "an item serves at least one objective");
    }
    for (field, len) in [
        ("objectives", input.objectives.len()),
        ("principles", input.principles.len()),
        ("regions", input.regions.len()),
        ("countries", input.countries.len()),
    ] {
        if len > MAX_LINKS {
            p.at(
                field,
                None,
                format!("lists {len} entries, more than {MAX_LINKS}"),
            );
        }
    }
    if [
        input.objectives.len(),
        input.principles.len(),
        input.regions.len(),
        input.countries.len(),
    ]
    .iter()
    .any(|&len| len > MAX_LINKS)
    {
        // Too long to check entry by entry: refuse before touching the database.
        return Err(CurationError::Invalid(p.0));
    }

    // Objectives: in range (the domain rule), listed once, and present in the catalogue.
    let mut objective_numbers = Vec::new();
    for (i, &n) in input.objectives.iter().enumerate() {
        match ObjectiveNumber::new(i64::from(n)) {
            Err(e) => p.at("objectives", Some(i), e.0),
            Ok(n) if objective_numbers.contains(&n.get()) => p.at(
                "objectives",
                Some(i),
                format!("objective {n} is listed twice"),
            ),
            Ok(n) => objective_numbers.push(n.get()),
        }
    }
    let known: Vec<i32> = objectives::table
        .filter(objectives::number.eq_any(&objective_numbers))
        .select(objectives::number)
        .load(conn)
        .await?;
    for (i, &n) in input.objectives.iter().enumerate() {
        if objective_numbers.contains(&n) && !known.contains(&n) {
            p.at(
                "objectives",
                Some(i),
                format!("objective {n} is not in the catalogue"),
            );
        }
    }

    let document_type_id = match &input.document_type {
        None => None,
        Some(slug) => {
            let ids = resolve_slugs(
                conn,
                &mut p,
                SlugTable::DocumentTypes,
                std::slice::from_ref(slug),
            )
            .await?;
            <[i32]>::first(&ids).copied()
        }
    };
    let principle_ids =
        resolve_slugs(conn, &mut p, SlugTable::Principles, &input.principles).await?;
    let region_ids = resolve_slugs(conn, &mut p, SlugTable::Regions, &input.regions).await?;
    let country_ids = resolve_iso3s(conn, &mut p, "countries", &input.countries).await?;
    let event_country_id = match &input.country {
        Some(code) if is_event => {
            let ids = resolve_iso3s(conn, &mut p, "country", std::slice::from_ref(code)).await?;
            <[i32]>::first(&ids).copied()
        }
        _ => None,
    };
    // Single-valued fields were checked as one-entry lists: they have no index.
    for problem in
        p.0.iter_mut()
            .filter(|q| q.field == "country" || q.field == "documentType")
    {
        problem.index = None;
    }

    let (Some(title), Some(summary), true) = (title, summary, p.0.is_empty()) else {
        return Err(CurationError::Invalid(p.0));
    };
    let scope = if !country_ids.is_empty() {
        Scope::National
    } else if !region_ids.is_empty() {
        Scope::Regional
    } else {
        Scope::Global
    };
    let stored = ItemInput {
        title: title.clone(),
        summary: summary.clone(),
        url: url.clone(),
        organisation: organisation.clone(),
        city: city.clone(),
        ..input.clone()
    };
    Ok(ValidItem {
        input: stored,
        kind,
        section,
        title: title.trim().to_owned(),
        summary: summary.trim().to_owned(),
        url,
        document_type_id,
        published_on: input.published_on,
        language,
        organisation,
        city,
        event_country_id,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        scope,
        objectives: objective_numbers,
        principle_ids,
        region_ids,
        country_ids,
    })
}

/// The reference tables whose rows an item links to by slug.
#[derive(Clone, Copy)]
pub(super) enum SlugTable {
    DocumentTypes,
    Principles,
    Regions,
    GuidanceSources,
}

impl SlugTable {
    fn field(self) -> &'static str {
        match self {
            SlugTable::DocumentTypes => "documentType",
            SlugTable::Principles => "principles",
            SlugTable::Regions => "regions",
            SlugTable::GuidanceSources => "guidanceSources",
        }
    }

    async fn ids(
        self,
        conn: &mut AsyncPgConnection,
        slugs: &[String],
    ) -> QueryResult<Vec<(String, i32)>> {
        match self {
            SlugTable::DocumentTypes => {
                document_types::table
                    .filter(document_types::slug.eq_any(slugs))
                    .select((document_types::slug, document_types::id))
                    .load(conn)
                    .await
            }
            SlugTable::Principles => {
                guiding_principles::table
                    .filter(guiding_principles::slug.eq_any(slugs))
                    .select((guiding_principles::slug, guiding_principles::id))
                    .load(conn)
                    .await
            }
            SlugTable::Regions => {
                regions::table
                    .filter(regions::slug.eq_any(slugs))
                    .select((regions::slug, regions::id))
                    .load(conn)
                    .await
            }
            SlugTable::GuidanceSources => {
                guidance_sources::table
                    .filter(guidance_sources::slug.eq_any(slugs))
                    .select((guidance_sources::slug, guidance_sources::id))
                    .load(conn)
                    .await
            }
        }
    }
}

/// Parses each entry as a slug and finds its id; reports malformed, repeated and unknown ones.
pub(super) async fn resolve_slugs(
    conn: &mut AsyncPgConnection,
    p: &mut Problems,
    table: SlugTable,
    values: &[String],
) -> CurationResult<Vec<i32>> {
    let field = table.field();
    let mut wanted = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match Slug::parse(value) {
            Err(e) => p.at(field, Some(i), e.0),
            Ok(_) if wanted.contains(value) => {
                p.at(field, Some(i), format!("{value:?} is listed twice"))
            }
            Ok(_) => wanted.push(value.clone()),
        }
    }
    let found: HashMap<String, i32> = table.ids(conn, &wanted).await?.into_iter().collect();
    Ok(resolved(p, field, values, &wanted, &found))
}

pub(super) async fn resolve_iso3s(
    conn: &mut AsyncPgConnection,
    p: &mut Problems,
    field: &'static str,
    values: &[String],
) -> CurationResult<Vec<i32>> {
    let mut wanted = Vec::new();
    for (i, value) in values.iter().enumerate() {
        match Iso3::parse(value) {
            Err(e) => p.at(field, Some(i), e.0),
            Ok(_) if wanted.contains(value) => {
                p.at(field, Some(i), format!("{value:?} is listed twice"))
            }
            Ok(_) => wanted.push(value.clone()),
        }
    }
    let found: HashMap<String, i32> = countries::table
        .filter(countries::iso3.eq_any(&wanted))
        .select((countries::iso3, countries::id))
        .load::<(String, i32)>(conn)
        .await?
        .into_iter()
        .collect();
    Ok(resolved(p, field, values, &wanted, &found))
}

/// The ids of the well-formed values, in input order; unknown ones are reported.
fn resolved(
    p: &mut Problems,
    field: &'static str,
    values: &[String],
    wanted: &[String],
    found: &HashMap<String, i32>,
) -> Vec<i32> {
    let mut ids = Vec::new();
    for (i, value) in values.iter().enumerate() {
        if !wanted.contains(value) {
            continue;
        }
        match found.get(value) {
            Some(&id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => p.at(field, Some(i), format!("{value:?} is not in the catalogue")),
        }
    }
    ids
}
