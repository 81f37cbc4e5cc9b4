//! guidance.json: what UN special procedures and treaty bodies recommend for one
//! objective, quoted from their documents. Records are in two lists, one per mechanism;
//! a record's position is its place in its list. Provenance: the source as given stays
//! in `source`, the publication and notes in the file's document.

use std::collections::HashMap;

use gcm_domain::{Invalid, MechanismKind, ObjectiveNumber, Slug, limits};
use serde_json::Value;

use super::{ABBREVIATION, Keys, LONG, PARAGRAPH_LABEL, TITLE};
use crate::catalogue::document::{self, keep, ordered};
use crate::catalogue::export::{Stored, put, put_optional};
use crate::catalogue::json::quoted;
use crate::catalogue::model::{Catalogue, GuidanceSource};
use crate::catalogue::obj::Obj;
use crate::catalogue::resolve::{GuidanceFacts, Resolver};

pub(crate) const FILE: &str = "guidance.json";
/// The special procedures' list, at the top level.
const SPECIAL_PROCEDURES: &str = "special_procedures";
/// The treaty bodies' list is `entries` inside this object.
const TREATY_BODIES: &str = "treaty_bodies";
pub(crate) const DOCUMENT: &[&str] = &[
    "meta",
    PUBLICATION,
    "objective",
    "objective_title_as_given",
    SPECIAL_PROCEDURES,
    TREATY_BODIES,
];
/// The publication that compiled the file, with its `id`.
const PUBLICATION: &str = "publication";
const TREATY_BODIES_ORDER: &[&str] = &["entries", PUBLICATION, "note_as_given"];
pub(crate) const FIELDS: &[&str] = &[
    "id",
    PUBLICATION,
    "objective",
    "mechanism_kind",
    "body",
    "body_abbreviation",
    "year",
    "document_symbol",
    "paragraph",
    "source_as_given",
    "guidance",
];
/// `id` is unique across both lists.
pub(crate) const KEYS: &[&str] = &["id"];

pub(crate) fn decode(root: &Obj<'_>, refs: &mut Resolver<'_>, out: &mut Catalogue) {
    let mut document = keep(root, &[SPECIAL_PROCEDURES]);
    if let Some(Value::Object(treaty_bodies)) = document.get_mut(TREATY_BODIES) {
        treaty_bodies.remove("entries");
    }
    document::store(out, root.file, document);
    if let Some(Some(n)) = root.opt_int("objective")
        && let Some(n) = root.check("objective", ObjectiveNumber::new(n))
    {
        refs.objective_exists(root, "objective", n.get());
    }
    let publication = Publication::of(root);
    let mut lists = vec![(
        root.opt_records(SPECIAL_PROCEDURES),
        MechanismKind::SpecialProcedure,
    )];
    let treaty_bodies = root.opt_object(TREATY_BODIES).flatten();
    if let Some(treaty_bodies) = &treaty_bodies {
        lists.push((
            treaty_bodies.opt_records("entries"),
            MechanismKind::TreatyBody,
        ));
    }
    let mut keys = Keys::new(KEYS);
    let mut positions: HashMap<(i32, MechanismKind), i32> = HashMap::new();
    let mut facts = HashMap::new();
    for (records, expected) in lists {
        for g in records.unwrap_or_default() {
            let slug = keys.slug(&g, "id");
            publication.check_reference(&g);
            let objective = refs.objective_ref(&g, "objective");
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
            let (Some(slug), Some(objective), Some(mechanism)) = (slug, objective, mechanism)
            else {
                continue;
            };
            let (Some(body), Some(abbreviation), Some(year)) = (body, abbreviation, year) else {
                continue;
            };
            let (Some(symbol), Some(paragraph), Some(guidance)) = (symbol, paragraph, guidance)
            else {
                continue;
            };
            let position = positions.entry((objective, mechanism)).or_default();
            *position += 1;
            if let Some(f) = facts.get_mut(&slug) {
                f.index = Some(out.guidance.len());
            }
            out.guidance.push(GuidanceSource {
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
    // The statement follows its entries in the file, and so do its problems.
    if let Some(treaty_bodies) = &treaty_bodies {
        publication.check_reference(treaty_bodies);
    }
    refs.guidance = Some(facts);
}

/// The publication a guidance file describes (its `publication`, keyed by its `id`), which
/// its rows and statements may name in their own `publication`.
struct Publication {
    id: Option<String>,
}

impl Publication {
    fn of(root: &Obj<'_>) -> Self {
        let id = match root.opt_object(PUBLICATION) {
            Some(Some(publication)) => publication
                .opt_parse("id", Slug::parse)
                .flatten()
                .map(Slug::into_string),
            _ => None,
        };
        Self { id }
    }

    /// Refuses a `publication` of `record` that names another than the file's.
    fn check_reference(&self, record: &Obj<'_>) {
        let Some(Some(named)) = record.opt_parse(PUBLICATION, Slug::parse) else {
            return;
        };
        let known = match &self.id {
            Some(id) if id == named.as_str() => return,
            Some(id) => format!("the file describes {}", quoted(id)),
            None => "the file describes no publication with an id".to_owned(),
        };
        record.report(
            PUBLICATION,
            format!("{} names no publication ({known})", quoted(named.as_str())),
        );
    }
}

fn parse_document_symbol(s: &str) -> Result<String, Invalid> {
    let mut bytes = s.bytes();
    let well_formed = bytes.next().is_some_and(|b| b.is_ascii_uppercase())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b"./()-".contains(&b))
        && s.len() <= limits::DOCUMENT_SYMBOL;
    if well_formed {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new(format!(
            "{} is not a UN document symbol (e.g. A/HRC/26/35)",
            quoted(s)
        )))
    }
}

pub(crate) fn encode(s: &Stored) -> Value {
    let records = |mechanism: MechanismKind| -> Value {
        let list = s
            .guidance
            .iter()
            .filter(|(g, _)| g.mechanism.as_str() == mechanism.as_str())
            .map(|(g, more)| {
                let mut r = document::object(&more.source);
                put(&mut r, "id", g.slug.as_str());
                put(&mut r, "objective", g.objective_number);
                put(&mut r, "mechanism_kind", g.mechanism.as_str());
                put(&mut r, "body", g.body.as_str());
                put_optional(&mut r, "body_abbreviation", g.abbreviation.as_deref());
                put(&mut r, "year", g.year);
                put(&mut r, "document_symbol", g.symbol.as_str());
                put(&mut r, "paragraph", g.paragraph.as_str());
                put(&mut r, "guidance", g.guidance.as_str());
                ordered(r, FIELDS)
            })
            .collect();
        Value::Array(list)
    };
    let mut document = s.document(FILE);
    document.insert(
        SPECIAL_PROCEDURES.into(),
        records(MechanismKind::SpecialProcedure),
    );
    let mut treaty_bodies = document
        .get(TREATY_BODIES)
        .map(document::object)
        .unwrap_or_default();
    treaty_bodies.insert("entries".into(), records(MechanismKind::TreatyBody));
    document.insert(
        TREATY_BODIES.into(),
        ordered(treaty_bodies, TREATY_BODIES_ORDER),
    );
    ordered(document, DOCUMENT)
}
