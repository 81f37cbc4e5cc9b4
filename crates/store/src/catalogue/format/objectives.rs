//! objectives.json: the 23 GCM objectives with their commitment (A/RES/73/195,
//! paragraph N + 16) and its lettered actions. Provenance: the title's source and
//! variants, the Hub term id's evidence and the text's location stay in `source`.

use std::collections::HashMap;

use gcm_domain::{Invalid, ObjectiveNumber};
use serde_json::{Value, json};

use super::{Keys, LONG, NAME, PARAGRAPHS, TITLE, menu_extras};
use crate::catalogue::document::{self, keep, ordered, with_records};
use crate::catalogue::export::{Stored, matching_entry, put, put_optional, put_unless_default};
use crate::catalogue::json::quoted;
use crate::catalogue::model::{Action, Catalogue, Objective};
use crate::catalogue::obj::Obj;
use crate::catalogue::resolve::{ObjectiveFacts, Resolver};

pub(crate) const FILE: &str = "objectives.json";
pub(crate) const RECORDS: &str = "objectives";
/// The menu line after objective 23 that is not an objective ("General").
const GENERAL_MENU_ENTRY: &str = "general_menu_entry";
pub(crate) const DOCUMENT: &[&str] = &["meta", RECORDS, GENERAL_MENU_ENTRY];
pub(crate) const FIELDS: &[&str] = &[
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
];
pub(crate) const KEYS: &[&str] = &["number", "slug", "short_name", "title", "hub_term_id"];
/// An action of a commitment (here and in an objective file's copy of it).
pub(crate) const ACTION_FIELDS: &[&str] = &["letter", "text"];
const ACTION_KEYS: &[&str] = &["letter"];

pub(crate) fn decode(root: &Obj<'_>, refs: &mut Resolver<'_>, out: &mut Catalogue) {
    document::store(out, root.file, keep(root, &[RECORDS]));
    if let Some(Some(entry)) = root.opt_object(GENERAL_MENU_ENTRY) {
        menu_extras::check(&entry);
    }
    let Some(records) = root.records(RECORDS) else {
        return;
    };
    let mut facts = HashMap::new();
    let mut keys = Keys::new(KEYS);
    for o in &records {
        let number = o
            .int("number")
            .and_then(|n| o.check("number", ObjectiveNumber::new(n)))
            .map(ObjectiveNumber::get);
        if let Some(n) = number {
            keys.int(o, "number", n);
        }
        let slug = keys.slug(o, "slug");
        let short_name = keys.text(o, "short_name", NAME);
        let title = keys.text(o, "title", TITLE);
        let paragraph = o.int_in("commitment_paragraph", PARAGRAPHS);
        if let (Some(n), Some(p)) = (number, paragraph) {
            check_commitment_paragraph(o, "commitment_paragraph", n, p);
        }
        let commitment_text = o.opt_text("commitment_text", LONG);
        let actions_lead_in = o.opt_text("actions_lead_in", LONG);
        let hub_term_id = o.opt_int_in("hub_term_id", 1..=i64::from(i32::MAX));
        if let Some(Some(id)) = hub_term_id {
            keys.int(o, "hub_term_id", id);
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
        let objective = || {
            Some(Objective {
                number: number?,
                slug: slug?,
                short_name: short_name?,
                title: title?,
                commitment_paragraph: paragraph?,
                commitment_text: commitment_text?,
                actions_lead_in: actions_lead_in?,
                hub_term_id: hub_term_id?,
                actions: actions?.into_iter().map(|(_, a)| a).collect(),
                source: Value::Object(o.map.clone()),
            })
        };
        out.objectives.extend(objective());
    }
    refs.objectives = Some(facts);
}

/// `(path, action)` for each valid action of an `actions` array; `None` if any is invalid.
pub(crate) fn actions(o: &Obj<'_>) -> Option<Vec<(String, Action)>> {
    let records = o.opt_records("actions")?;
    let mut keys = Keys::new(ACTION_KEYS);
    let mut out = Vec::with_capacity(records.len());
    let mut all_valid = true;
    for a in &records {
        let letter = a.parse("letter", parse_action_letter);
        let text = a.text("text", LONG);
        match (letter, text) {
            (Some(letter), Some(text)) if keys.text_key(a, "letter", &letter) => {
                out.push((a.path.clone(), Action { letter, text }));
            }
            _ => all_valid = false,
        }
    }
    all_valid.then_some(out)
}

pub(crate) fn check_commitment_paragraph(o: &Obj<'_>, key: &str, objective: i32, paragraph: i32) {
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

/// The stored actions of `objective`, each laid over its entry in `source`.
pub(crate) fn action_records(s: &Stored, objective: i32, source: Option<&Value>) -> Vec<Value> {
    s.actions
        .iter()
        .filter(|a| a.objective_number == objective)
        .map(|a| {
            let mut record = matching_entry(source, "letter", &json!(a.letter));
            put(&mut record, "letter", a.letter.as_str());
            put(&mut record, "text", a.text.as_str());
            ordered(record, ACTION_FIELDS)
        })
        .collect()
}

pub(crate) fn encode(s: &Stored) -> Value {
    let records = s
        .objectives
        .iter()
        .map(|(o, more)| {
            let mut r = document::object(&more.source);
            put(&mut r, "number", o.number);
            put(&mut r, "slug", o.slug.as_str());
            put(&mut r, "short_name", o.short_name.as_str());
            put(&mut r, "title", o.title.as_str());
            put(&mut r, "commitment_paragraph", o.commitment_paragraph);
            put_optional(&mut r, "hub_term_id", more.hub_term_id);
            put_optional(&mut r, "commitment_text", o.commitment_text.as_deref());
            put_optional(&mut r, "actions_lead_in", o.actions_lead_in.as_deref());
            let actions = action_records(s, o.number, r.get("actions"));
            put_unless_default(&mut r, "actions", Value::Array(actions), &json!([]));
            ordered(r, FIELDS)
        })
        .collect();
    with_records(s.document(FILE), RECORDS, records, DOCUMENT)
}
