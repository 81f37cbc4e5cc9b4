//! objective_<N>_content.json: an objective's Hub page. It quotes the objective's
//! commitment (which must be objectives.json's, word for word), lists its policy
//! options and related objectives, and holds its [`items`](super::items). The page's
//! other keys (headings, paragraphs, notes) are kept as its `source`; `meta` goes to the
//! file's document.

use std::collections::HashMap;

use gcm_domain::Slug;
use serde_json::{Map, Value, json};

use super::objectives::{self, action_records, actions, check_commitment_paragraph};
use super::{Keys, LONG, PARAGRAPHS, items};
use crate::catalogue::document::{self, keep, ordered};
use crate::catalogue::export::{
    Item, Stored, matching_entry, put, put_optional, put_unless_default,
};
use crate::catalogue::json::quoted;
use crate::catalogue::model::{Catalogue, ObjectivePage, PolicyOption, RelatedObjective};
use crate::catalogue::obj::Obj;
use crate::catalogue::resolve::Resolver;

pub(crate) fn file_name(objective: i32) -> String {
    format!("objective_{objective}_content.json")
}

/// The objective a file name is the page of, if it has the shape of one.
pub(crate) fn objective_of(name: &str) -> Option<i64> {
    name.strip_prefix("objective_")
        .and_then(|rest| rest.strip_suffix("_content.json"))
        .and_then(|n| n.parse::<i64>().ok())
}

pub(crate) const DOCUMENT: &[&str] = &[
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
];
/// The keys of the page that are not its `source`.
const NOT_SOURCE: &[&str] = &["meta", "items"];
const COMMITMENT_FIELDS: &[&str] = &[
    "paragraph",
    "text",
    "actions_lead_in",
    "actions",
    "citation_as_given",
    "raw",
];
pub(crate) const POLICY_OPTION_FIELDS: &[&str] = &["number", "text", "label", "label_derived"];
const POLICY_OPTION_KEYS: &[&str] = &["number"];
const RELATED_SECTION: &[&str] = &["section_heading", "lead_in", "items"];
pub(crate) const RELATED_FIELDS: &[&str] = &["objective", "paragraph", "as_given"];
const RELATED_KEYS: &[&str] = &["objective"];

pub(crate) fn decode(objective: i32, root: &Obj<'_>, refs: &mut Resolver<'_>, out: &mut Catalogue) {
    let meta = keep(root, &[])
        .into_iter()
        .filter(|(k, _)| k == "meta")
        .collect();
    document::store(out, root.file, meta);
    let mut page_valid = true;
    match root.int("objective") {
        Some(n) if n != i64::from(objective) => {
            root.report(
                "objective",
                format!("{n} does not match the file name (objective {objective})"),
            );
            page_valid = false;
        }
        Some(_) => page_valid &= refs.objective_exists(root, "objective", objective),
        None => page_valid = false,
    }
    if let Some(Some(commitment)) = root.opt_object("commitment") {
        check_commitment(refs, objective, &commitment);
    }

    let mut policy_options = Vec::new();
    let mut keys = Keys::new(POLICY_OPTION_KEYS);
    for p in root.opt_records("policy_options").unwrap_or_default() {
        let number = p.position("number").filter(|n| keys.int(&p, "number", *n));
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
        let mut keys = Keys::new(RELATED_KEYS);
        let entries = section.opt_records("items").unwrap_or_default();
        for (i, r) in entries.iter().enumerate() {
            let other = refs.objective_ref(r, "objective").filter(|n| {
                if *n == objective {
                    r.report("objective", "an objective is not related to itself");
                    false
                } else {
                    keys.int(r, "objective", *n)
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

    let mut keys = Keys::new(items::KEYS);
    for item in root.opt_records("items").unwrap_or_default() {
        let slug = item.parse("id", Slug::parse).map(Slug::into_string);
        let parsed = items::decode(refs, objective, &item, slug.clone(), &mut keys);
        if let Some(slug) = slug {
            let index = parsed.map(|it| {
                out.items.push(it);
                out.items.len() - 1
            });
            refs.register_item(&item, slug, index);
        }
    }

    if page_valid {
        out.pages.push(ObjectivePage {
            objective,
            source: Value::Object(keep(root, NOT_SOURCE)),
            policy_options,
            related,
        });
    }
}

/// An objective file's copy of the commitment must be objectives.json's, word for word.
fn check_commitment(refs: &Resolver<'_>, objective: i32, c: &Obj<'_>) {
    if let Some(p) = c.int_in("paragraph", PARAGRAPHS) {
        check_commitment_paragraph(c, "paragraph", objective, p);
    }
    let text = c.opt_text("text", LONG);
    let lead_in = c.opt_text("actions_lead_in", LONG);
    let given_actions = actions(c);
    let Some(facts) = refs.objective_facts(objective) else {
        return;
    };
    let of = format!("of objective {objective} in {}", objectives::FILE);
    for (key, field, given, expected) in [
        ("text", "commitment_text", &text, &facts.commitment_text),
        (
            "actions_lead_in",
            "actions_lead_in",
            &lead_in,
            &facts.actions_lead_in,
        ),
    ] {
        if let (Some(given), Some(expected)) = (given, expected)
            && given != expected
        {
            c.report(key, format!("does not match the {field} {of}"));
        }
    }
    let (Some(given), Some(expected)) = (given_actions, &facts.actions) else {
        return;
    };
    for (path, action) in &given {
        match expected.iter().find(|e| e.letter == action.letter) {
            None => refs.problems.report(
                c.file,
                &format!("{path}.letter"),
                format!("{} is not an action {of}", quoted(&action.letter)),
            ),
            Some(e) if e.text != action.text => refs.problems.report(
                c.file,
                &format!("{path}.text"),
                format!("does not match action ({}) {of}", action.letter),
            ),
            Some(_) => {}
        }
    }
    for e in expected {
        if !given.iter().any(|(_, a)| a.letter == e.letter) {
            c.report("actions", format!("lacks action ({}) {of}", e.letter));
        }
    }
}

/// Objective `objective`'s page with `items`, the items listed in it.
pub(crate) fn encode(
    s: &Stored,
    objective: i32,
    items: &[&Item],
    item_objectives: &HashMap<i32, Vec<i32>>,
) -> Value {
    let mut page = s
        .pages
        .iter()
        .find(|(n, _)| *n == objective)
        .map(|(_, source)| document::object(source))
        .unwrap_or_default();
    if let Some(meta) = s.document(&file_name(objective)).get("meta") {
        page.insert("meta".into(), meta.clone());
    }
    put(&mut page, "objective", objective);
    encode_commitment(s, objective, &mut page);

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
            ordered(r, POLICY_OPTION_FIELDS)
        })
        .collect();
    put_unless_default(
        &mut page,
        "policy_options",
        Value::Array(options),
        &json!([]),
    );
    encode_related(s, objective, &mut page);

    let countries = s.countries.iter().map(|c| (c.0.id, c)).collect();
    let document_types = s
        .document_types
        .iter()
        .map(|d| (d.id, d.slug.as_str()))
        .collect();
    let records: Vec<Value> = items
        .iter()
        .map(|item| {
            let others: Vec<i32> = item_objectives
                .get(&item.0.id)
                .map(|all| all.iter().copied().filter(|n| *n != objective).collect())
                .unwrap_or_default();
            items::encode(item, &others, &countries, &document_types)
        })
        .collect();
    page.insert("items".into(), Value::Array(records));
    ordered(page, DOCUMENT)
}

/// The page quotes the commitment: it is objectives.json's, as stored now.
fn encode_commitment(s: &Stored, objective: i32, page: &mut Map<String, Value>) {
    let (Some(Value::Object(commitment)), Some((o, _))) = (
        page.get("commitment"),
        s.objectives.iter().find(|(o, _)| o.number == objective),
    ) else {
        return;
    };
    let mut c = commitment.clone();
    put(&mut c, "paragraph", o.commitment_paragraph);
    put_optional(&mut c, "text", o.commitment_text.as_deref());
    put_optional(&mut c, "actions_lead_in", o.actions_lead_in.as_deref());
    let actions = action_records(s, objective, c.get("actions"));
    put_unless_default(&mut c, "actions", Value::Array(actions), &json!([]));
    page.insert("commitment".into(), ordered(c, COMMITMENT_FIELDS));
}

fn encode_related(s: &Stored, objective: i32, page: &mut Map<String, Value>) {
    let related: Vec<_> = s
        .related
        .iter()
        .filter(|(r, _)| r.objective_number == objective)
        .collect();
    if related.is_empty() && !page.contains_key("related_objectives") {
        return;
    }
    let mut section = page
        .get("related_objectives")
        .map(document::object)
        .unwrap_or_default();
    let entries: Vec<Value> = related
        .iter()
        .map(|(r, as_given)| {
            let mut e = matching_entry(section.get("items"), "objective", &json!(r.related_number));
            put(&mut e, "objective", r.related_number);
            put(&mut e, "paragraph", r.paragraph);
            put_optional(&mut e, "as_given", as_given.as_deref());
            ordered(e, RELATED_FIELDS)
        })
        .collect();
    section.insert("items".into(), Value::Array(entries));
    page.insert(
        "related_objectives".into(),
        ordered(section, RELATED_SECTION),
    );
}
