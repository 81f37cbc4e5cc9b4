//! An item of an objective file (`items` of objective_<N>_content.json): a resource,
//! event or project the Hub lists under the objective. Provenance: a title the
//! curators found elsewhere is `title_candidate_external` (it becomes the shown title);
//! how a title or date was derived, and what the seed said, stay in `source`.

use std::collections::HashMap;

use gcm_domain::text;
use gcm_domain::{
    Invalid, Iso2, ItemKind, ItemStatus, LanguageCode, ObjectiveNumber, ResourceSection, Scope,
    Slug, TitleProvenance,
};
use serde_json::{Map, Value, json};

use super::{CITY, Keys, NAME, ORGANISATION, SUMMARY, TITLE, URL};
use crate::catalogue::document::{self, ordered};
use crate::catalogue::export::{Country, Item, put, put_optional, put_unless_default};
use crate::catalogue::json::quoted;
use crate::catalogue::model::{self, FILE_KINDS, file_kind, parse_file_kind, section_heading};
use crate::catalogue::obj::Obj;
use crate::catalogue::resolve::Resolver;
use crate::models::catalogue_items::ItemRow;

pub(crate) const FIELDS: &[&str] = &[
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
];
/// Within one file: a position per file kind (`document`, `event`, ...).
pub(crate) const KEYS: &[&str] = &["position"];
/// Across every objective file: the item's id.
pub(crate) const ACROSS_FILES_KEYS: &[&str] = &["id"];
const EXTERNAL_TITLE_FIELDS: &[&str] = &["text", "source_url", "note"];
/// Fields only some kinds of item have.
struct KindOnly {
    fields: &'static [&'static str],
    allowed: fn(ItemKind) -> bool,
    who: &'static str,
}

const KIND_ONLY: [KindOnly; 2] = [
    KindOnly {
        fields: &["date_of_publication", "language", "document_type"],
        allowed: |k| k == ItemKind::Resource,
        who: "document, training and video",
    },
    KindOnly {
        fields: &["city", "country", "start_date", "end_date"],
        allowed: |k| k == ItemKind::Event,
        who: "event",
    },
];

/// An item of objective `objective`'s file, or `None` when any field is invalid.
pub(crate) fn decode(
    refs: &Resolver<'_>,
    objective: i32,
    it: &Obj<'_>,
    slug: Option<String>,
    keys: &mut Keys,
) -> Option<model::Item> {
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
    // Absent for an item the Hub does not place (curated or submitted later): sort HUB
    // lists those after the placed ones.
    let position = it.opt_position("position");
    if let (Some((kind, section)), Some(Some(p))) = (kind, position) {
        let name = file_kind(kind, section);
        let shown = format!("position {p} among the {name} items");
        keys.check(it, "position", format!("{name} {p}"), shown);
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

    if let Some((k, s)) = kind {
        let shown_kind = file_kind(k, s);
        for KindOnly {
            fields,
            allowed,
            who,
        } in KIND_ONLY
        {
            if allowed(k) {
                continue;
            }
            for key in fields {
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
    let document_type = it
        .opt_parse("document_type", Slug::parse)
        .and_then(|slug| match slug {
            Some(slug) if !refs.known_document_type(it, slug.as_str()) => None,
            slug => Some(slug.map(Slug::into_string)),
        });
    let organisation = it.opt_text("organisation", ORGANISATION);
    let city = it.opt_text("city", CITY);
    let country = match it.opt_object("country") {
        Some(Some(c)) => c
            .parse("iso_alpha2", Iso2::parse)
            .filter(|code| refs.known_iso2(&c, code.as_str()))
            .map(|code| Some(code.to_string())),
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
    let objectives = other_objectives(refs, objective, it);

    let (kind, section) = kind?;
    let (title, title_provenance) = choose_title(title?, title_derived?, external?);
    Some(model::Item {
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
        position: position?.unwrap_or(0),
        geography_reason: None,
        objectives: objectives?,
        region_slugs: Vec::new(),
        country_iso3s: Vec::new(),
        guidance_slugs: Vec::new(),
        source: Value::Object(it.map.clone()),
    })
}

/// The file's objective, then the item's `other_objectives`; `None` if any is invalid.
fn other_objectives(refs: &Resolver<'_>, objective: i32, it: &Obj<'_>) -> Option<Vec<i32>> {
    let mut objectives = vec![objective];
    let mut all_valid = true;
    for (path, n) in it.opt_ints("other_objectives").unwrap_or_default() {
        let report = |message: String| it.problems.report(it.file, &path, message);
        match ObjectiveNumber::new(n) {
            Err(Invalid(message)) => report(message),
            Ok(n) => {
                let n = n.get();
                if refs.lacks_objective(n) {
                    report(format!(
                        "objective {n} is not in {}",
                        super::objectives::FILE
                    ));
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
        all_valid = false;
    }
    all_valid.then_some(objectives)
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

/// A stored item's kind and section, when they are ones the format knows.
pub(crate) fn kind_of(row: &ItemRow) -> Option<(ItemKind, Option<ResourceSection>)> {
    let kind = ItemKind::parse(row.kind.as_str()).ok()?;
    let section = row
        .section
        .as_ref()
        .and_then(|s| ResourceSection::parse(&s.to_string()).ok());
    Some((kind, section))
}

/// A stored item as a record of objective file's `items`.
pub(crate) fn encode(
    (row, more): &Item,
    other_objectives: &[i32],
    countries: &HashMap<i32, &Country>,
    document_types: &HashMap<i32, &str>,
) -> Value {
    let mut r = document::object(&more.source);
    put(&mut r, "id", row.slug.as_str());
    if let Some((kind, section)) = kind_of(row) {
        put(&mut r, "kind", file_kind(kind, section));
        put(&mut r, "section", section_heading(kind, section));
    }
    if more.position > 0 {
        put(&mut r, "position", more.position);
    } else {
        r.remove("position");
    }
    encode_title(&mut r, row);
    put(&mut r, "summary", row.summary.as_str());
    put(&mut r, "summary_truncated", row.summary_truncated);
    put_optional(&mut r, "url", row.url.as_deref());
    put_optional(
        &mut r,
        "document_type",
        row.document_type_id
            .and_then(|id| document_types.get(&id).copied()),
    );
    put_optional(
        &mut r,
        "date_of_publication",
        row.published_on.map(|d| d.to_string()),
    );
    let language = row.language.as_deref().map(|code| match r.get("language") {
        Some(given) if given.get("code").and_then(Value::as_str) == Some(code) => given.clone(),
        _ => json!({"code": code}),
    });
    put_optional(&mut r, "language", language);
    put_optional(&mut r, "organisation", row.organisation.as_deref());
    put_optional(&mut r, "city", row.city.as_deref());
    let country = row
        .event_country_id
        .and_then(|id| countries.get(&id))
        .map(|(c, _)| match r.get("country") {
            Some(given)
                if given.get("iso_alpha2").and_then(Value::as_str) == Some(c.iso2.as_str()) =>
            {
                given.clone()
            }
            _ => json!({"name": c.name, "iso_alpha2": c.iso2}),
        });
    put_optional(&mut r, "country", country);
    put_optional(&mut r, "start_date", row.starts_on.map(|d| d.to_string()));
    put_optional(&mut r, "end_date", row.ends_on.map(|d| d.to_string()));
    put_unless_default(
        &mut r,
        "status",
        Value::from(row.status.as_str()),
        &Value::from(ItemStatus::Published.as_str()),
    );
    put_unless_default(
        &mut r,
        "other_objectives",
        json!(other_objectives),
        &json!([]),
    );
    ordered(r, FIELDS)
}

/// The reverse of the importer's title rule, so the shown title keeps its provenance.
fn encode_title(r: &mut Map<String, Value>, row: &ItemRow) {
    let title = row.title.as_deref();
    let provenance =
        TitleProvenance::parse(row.title_provenance.as_str()).unwrap_or(TitleProvenance::Seed);
    match provenance {
        TitleProvenance::Seed | TitleProvenance::Derived => {
            put_optional(r, "title", title);
            put(r, "title_derived", provenance == TitleProvenance::Derived);
        }
        TitleProvenance::External => {
            // The seed's own (or derived) title stays as it was; the shown one is the candidate.
            r.entry("title").or_insert(Value::Null);
            r.entry("title_derived").or_insert(Value::Bool(false));
            let mut candidate = r
                .get("title_candidate_external")
                .map(document::object)
                .unwrap_or_default();
            put_optional(&mut candidate, "text", title);
            r.insert(
                "title_candidate_external".into(),
                ordered(candidate, EXTERNAL_TITLE_FIELDS),
            );
        }
    }
}
