//! instruments.json: the ILO conventions and recommendations the objectives cite, each
//! with the objectives that reference it. Provenance: the names the seed gives and
//! where each reference was found stay in `source` (`referenced_by` entries).

use gcm_domain::Invalid;
use serde_json::{Value, json};

use super::{Keys, NAME, TITLE};
use crate::catalogue::document::{self, keep, ordered, with_records};
use crate::catalogue::export::{Stored, put, put_unless_default};
use crate::catalogue::json::quoted;
use crate::catalogue::model::{Catalogue, Instrument};
use crate::catalogue::obj::Obj;
use crate::catalogue::resolve::Resolver;

pub(crate) const FILE: &str = "instruments.json";
pub(crate) const RECORDS: &str = "instruments";
pub(crate) const DOCUMENT: &[&str] = &["meta", RECORDS];
pub(crate) const FIELDS: &[&str] = &[
    "id",
    "kind",
    "number",
    "year",
    "title",
    "names_in_seed",
    "referenced_by",
];
pub(crate) const KEYS: &[&str] = &["id"];

pub(crate) fn decode(root: &Obj<'_>, refs: &Resolver<'_>, out: &mut Catalogue) {
    document::store(out, root.file, keep(root, &[RECORDS]));
    let Some(records) = root.records(RECORDS) else {
        return;
    };
    let mut keys = Keys::new(KEYS);
    for i in &records {
        let code = i.parse("id", parse_instrument_code);
        if let Some(code) = &code {
            keys.text_key(i, "id", code);
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
            match refs.objective_ref(&r, "objective") {
                Some(n) if !objectives.contains(&n) => objectives.push(n),
                Some(_) => {}
                None => all_valid = false,
            }
        }
        if let (Some(code), Some(kind), Some(number), Some(year), Some(title), true) =
            (code, kind, number, year, title, all_valid)
        {
            out.instruments.push(Instrument {
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

pub(crate) fn encode(s: &Stored) -> Value {
    let records = s
        .instruments
        .iter()
        .map(|(i, source)| {
            let mut r = document::object(source);
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
            ordered(r, FIELDS)
        })
        .collect();
    with_records(s.document(FILE), RECORDS, records, DOCUMENT)
}
