//! Validation of a whole catalogue: each file is read and classified, then decoded by
//! its format module in dependency order (references point back, through the
//! [`Resolver`]). Every problem is collected; the model is only handed out when there
//! is none.

use std::collections::{HashMap, HashSet};

use gcm_domain::ObjectiveNumber;
use serde_json::{Map, Value};

use super::format::{
    FIXED_FILES, countries, document_types, guidance, instruments, links, objectives, pages,
    principles, regions,
};
use super::json::{Problems, ROOT, check_every_string, describe, parse_file};
use super::model::Catalogue;
use super::obj::Obj;
use super::resolve::Resolver;
use super::{CatalogueFile, Problem};

enum Role {
    Fixed(&'static str),
    Page(i32),
}

fn classify(name: &str) -> Result<Role, String> {
    if let Some(fixed) = FIXED_FILES.iter().find(|f| **f == name) {
        return Ok(Role::Fixed(fixed));
    }
    if let Some(n) = pages::objective_of(name) {
        let n = ObjectiveNumber::new(n).map_err(|e| e.0)?.get();
        if pages::file_name(n) == name {
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
    let mut page_roots: Vec<(i32, &str, Map<String, Value>)> = Vec::new();
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
        let root = read_root(name, &file.text, &problems);
        match role {
            Role::Fixed(fixed_name) => {
                fixed.insert(fixed_name, root);
            }
            Role::Page(n) => match root {
                Some(map) => page_roots.push((n, name, map)),
                None => every_page_readable = false,
            },
        }
    }
    for name in FIXED_FILES {
        if !fixed.contains_key(name) {
            problems.report(name, ROOT, "the file is missing");
        }
    }
    page_roots.sort_by_key(|(n, _, _)| *n);

    let mut refs = Resolver::new(&problems);
    let mut out = Catalogue::default();
    let root = |name: &'static str| {
        fixed.get(name).and_then(Option::as_ref).map(|map| Obj {
            file: name,
            problems: &problems,
            map,
            path: String::new(),
        })
    };
    if let Some(r) = root(objectives::FILE) {
        objectives::decode(&r, &mut refs, &mut out);
    }
    if let Some(r) = root(principles::FILE) {
        principles::decode(&r, &mut out);
    }
    if let Some(r) = root(regions::FILE) {
        regions::decode(&r, &mut refs, &mut out);
    }
    if let Some(r) = root(countries::FILE) {
        countries::decode(&r, &mut refs, &mut out);
    }
    if let Some(r) = root(document_types::FILE) {
        document_types::decode(&r, &mut refs, &mut out);
    }
    if let Some(r) = root(instruments::FILE) {
        instruments::decode(&r, &refs, &mut out);
    }
    if let Some(r) = root(guidance::FILE) {
        guidance::decode(&r, &mut refs, &mut out);
    }
    for (n, name, map) in &page_roots {
        let r = Obj {
            file: name,
            problems: &problems,
            map,
            path: String::new(),
        };
        pages::decode(*n, &r, &mut refs, &mut out);
    }
    refs.every_page_readable = every_page_readable;
    if let Some(r) = root(links::FILE) {
        links::decode(&r, &refs, &mut out);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.into_vec())
    }
}

/// A file's top-level object, after the syntax and the character rule of every string.
fn read_root(name: &str, text: &str, problems: &Problems) -> Option<Map<String, Value>> {
    let parsed = parse_file(name, text, problems);
    if let Some(value) = &parsed {
        check_every_string(name, value, problems);
    }
    parsed.and_then(|value| match value {
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
    })
}
