//! Small helpers that walk a parsed JSON file, keep the JSON path of every value, and
//! collect problems instead of stopping at the first one: the importer reports every
//! problem of a refused catalogue at once.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use std::hash::Hash;

use chrono::NaiveDate;
use gcm_domain::Invalid;
use gcm_domain::text::{self, Lines};
use serde_json::Value;

use super::Problem;
use super::obj::Obj;

/// Where every problem of one validation run is collected. A problem reported twice
/// (the same file, path and message) is kept once: the character rule runs over every
/// string of a file and again on each typed text field.
#[derive(Debug, Default)]
pub(crate) struct Problems(
    RefCell<Vec<Problem>>,
    RefCell<HashSet<(String, String, String)>>,
);

impl Problems {
    pub fn report(&self, file: &str, path: &str, message: impl Into<String>) {
        let problem = Problem {
            file: file.to_owned(),
            path: path.to_owned(),
            message: message.into(),
        };
        let key = (
            problem.file.clone(),
            problem.path.clone(),
            problem.message.clone(),
        );
        if self.1.borrow_mut().insert(key) {
            self.0.borrow_mut().push(problem);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    pub fn into_vec(self) -> Vec<Problem> {
        self.0.into_inner()
    }
}

/// The path that stands for a whole file (JSONPath's root).
pub(crate) const ROOT: &str = "$";

pub(crate) fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

pub(crate) fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// How a value is named in a message: strings quoted, containers by their kind.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// Applies the character rule of [`gcm_domain::text`] to every string and field name of
/// a parsed file, typed or not (a record's `source` keeps fields no column holds), at
/// its JSON path. The permissive multi-line rule: one-line fields add theirs when read.
pub(crate) fn check_every_string(file: &str, value: &Value, problems: &Problems) {
    fn walk(file: &str, path: &str, value: &Value, problems: &Problems) {
        match value {
            Value::String(s) => {
                if let Err(e) = text::check_chars(s, Lines::Many) {
                    let at = if path.is_empty() { ROOT } else { path };
                    problems.report(file, at, e.0);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(file, &index_path(path, i), item, problems);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    let at = child_path(path, key);
                    if let Err(e) = text::check_chars(key, Lines::Many) {
                        problems.report(file, &at, format!("the field name {}", e.0));
                    }
                    walk(file, &at, item, problems);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    walk(file, "", value, problems);
}

/// Strict YYYY-MM-DD: chrono alone would also take "+2015-1-2".
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, Invalid> {
    let shaped = s.len() == 10
        && s.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| Invalid::new(format!("{s:?} is not a date (YYYY-MM-DD)")))
}

/// Remembers where each natural key was first seen, so a duplicate names both places.
pub(crate) struct Unique<K> {
    seen: HashMap<K, (String, String)>,
}

impl<K: Eq + Hash> Unique<K> {
    pub fn new() -> Self {
        Self {
            seen: HashMap::new(),
        }
    }

    /// Records the value of `field` of `at`; reports it when it was seen before.
    pub fn check(&mut self, at: &Obj<'_>, field: &str, key: K, shown: impl Display) -> bool {
        self.check_path(at.problems, at.file, at.path_of(field), key, shown)
    }

    /// Records `key` found at `path` in `file`; reports it when it was seen before.
    pub fn check_path(
        &mut self,
        problems: &Problems,
        file: &str,
        path: String,
        key: K,
        shown: impl Display,
    ) -> bool {
        match self.seen.get(&key) {
            Some((first_file, first_path)) => {
                let first = if first_file == file {
                    first_path.clone()
                } else {
                    format!("{first_file}: {first_path}")
                };
                problems.report(
                    file,
                    &path,
                    format!("{shown} is used twice (first at {first})"),
                );
                false
            }
            None => {
                self.seen.insert(key, (file.to_owned(), path));
                true
            }
        }
    }
}

/// A string as messages show it: quoted, escaped.
pub(crate) fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// Parses a file's text; a syntax error is reported with its line and column.
pub(crate) fn parse_file(file: &str, text: &str, problems: &Problems) -> Option<Value> {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => Some(value),
        Err(e) => {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let message = full.strip_suffix(&suffix).unwrap_or(&full);
            problems.report(
                file,
                &format!("line {}, column {}", e.line(), e.column()),
                format!("invalid JSON: {message}"),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_real_and_strictly_shaped() {
        assert!(parse_date("2015-04-01").is_ok());
        assert!(parse_date("2024-02-29").is_ok());
        for bad in [
            "2015-02-30",
            "2015-4-01",
            "+2015-04-01",
            "2015/04/01",
            "",
            "2015-04-01T00:00",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            parse_date("2015-02-30").map_err(|e| e.0),
            Err(r#""2015-02-30" is not a date (YYYY-MM-DD)"#.to_owned())
        );
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let problems = Problems::default();
        assert!(parse_file("a.json", "{\n  \"x\": 1,\n}", &problems).is_none());
        let problems = problems.into_vec();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            problems[0].to_string(),
            "a.json: line 3, column 1: invalid JSON: trailing comma"
        );
    }
}
