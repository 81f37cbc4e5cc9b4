//! Small helpers that walk a parsed JSON file, keep the JSON path of every value, and
//! collect problems instead of stopping at the first one: the importer reports every
//! problem of a refused catalogue at once.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use std::hash::Hash;

use chrono::NaiveDate;
use gcm_domain::Invalid;
use gcm_domain::text::{self, Lines, TextField};
use serde_json::{Map, Value};

use super::Problem;

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

/// A JSON object inside a file, with its path; accessors report what is wrong with a
/// field at the field's own path and return `None` for it.
///
/// Optional fields return `Option<Option<T>>`: `None` when the value is invalid (already
/// reported), `Some(None)` when the field is absent or null.
#[derive(Clone)]
pub(crate) struct Obj<'a> {
    pub file: &'a str,
    pub problems: &'a Problems,
    pub map: &'a Map<String, Value>,
    pub path: String,
}

impl<'a> Obj<'a> {
    pub fn path_of(&self, key: &str) -> String {
        child_path(&self.path, key)
    }

    /// Reports a problem with the field `key`.
    pub fn report(&self, key: &str, message: impl Into<String>) {
        self.problems.report(self.file, &self.path_of(key), message);
    }

    /// The raw value, present and not null.
    pub fn present(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn required(&self, key: &str) -> Option<&'a Value> {
        match self.map.get(key) {
            None => {
                self.report(key, "required field is missing");
                None
            }
            Some(Value::Null) => {
                self.report(key, "required field is null");
                None
            }
            Some(v) => Some(v),
        }
    }

    fn wrong_type(&self, key: &str, expected: &str, found: &Value) {
        self.report(
            key,
            format!("expected {expected}, found {}", describe(found)),
        );
    }

    fn as_str(&self, key: &str, value: &'a Value) -> Option<&'a str> {
        match value {
            Value::String(s) => Some(s),
            other => {
                self.wrong_type(key, "a string", other);
                None
            }
        }
    }

    fn as_int(&self, key: &str, value: &Value) -> Option<i64> {
        match value.as_i64() {
            Some(n) => Some(n),
            None => {
                self.wrong_type(key, "an integer", value);
                None
            }
        }
    }

    fn as_bool(&self, key: &str, value: &Value) -> Option<bool> {
        match value {
            Value::Bool(b) => Some(*b),
            other => {
                self.wrong_type(key, "true or false", other);
                None
            }
        }
    }

    /// A string that passes `field`'s rule ([`gcm_domain::text`]), in NFC.
    fn as_text(&self, key: &str, value: &'a Value, field: TextField) -> Option<String> {
        let s = self.as_str(key, value)?;
        self.check(key, field.clean(s))
    }

    pub fn text(&self, key: &str, field: TextField) -> Option<String> {
        self.required(key).and_then(|v| self.as_text(key, v, field))
    }

    pub fn opt_text(&self, key: &str, field: TextField) -> Option<Option<String>> {
        match self.present(key) {
            None => Some(None),
            Some(v) => self.as_text(key, v, field).map(Some),
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        self.required(key).and_then(|v| self.as_int(key, v))
    }

    pub fn opt_int(&self, key: &str) -> Option<Option<i64>> {
        match self.present(key) {
            None => Some(None),
            Some(v) => self.as_int(key, v).map(Some),
        }
    }

    /// An integer in `range`.
    pub fn int_in(&self, key: &str, range: std::ops::RangeInclusive<i64>) -> Option<i32> {
        let n = self.required(key).and_then(|v| self.as_int(key, v))?;
        self.check_range(key, n, range)
    }

    pub fn opt_int_in(
        &self,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<Option<i32>> {
        match self.present(key) {
            None => Some(None),
            Some(v) => {
                let n = self.as_int(key, v)?;
                self.check_range(key, n, range).map(Some)
            }
        }
    }

    fn check_range(&self, key: &str, n: i64, range: std::ops::RangeInclusive<i64>) -> Option<i32> {
        if range.contains(&n) {
            i32::try_from(n).ok()
        } else {
            self.report(
                key,
                format!("{n} is out of range ({} to {})", range.start(), range.end()),
            );
            None
        }
    }

    /// A position in a list: 1 or more, and well below the range the writer parks rows
    /// in while it reorders a table.
    pub fn position(&self, key: &str) -> Option<i32> {
        self.int_in(key, 1..=100_000_000)
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        self.required(key).and_then(|v| self.as_bool(key, v))
    }

    pub fn opt_bool(&self, key: &str) -> Option<Option<bool>> {
        match self.present(key) {
            None => Some(None),
            Some(v) => self.as_bool(key, v).map(Some),
        }
    }

    /// A required string checked by a domain type's parser (whose message is user-facing).
    pub fn parse<T>(&self, key: &str, parse: impl FnOnce(&str) -> Result<T, Invalid>) -> Option<T> {
        let s = self.required(key).and_then(|v| self.as_str(key, v))?;
        self.check(key, parse(s))
    }

    pub fn opt_parse<T>(
        &self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, Invalid>,
    ) -> Option<Option<T>> {
        match self.present(key) {
            None => Some(None),
            Some(v) => {
                let s = self.as_str(key, v)?;
                self.check(key, parse(s)).map(Some)
            }
        }
    }

    /// Reports a failed domain check at `key`.
    pub fn check<T>(&self, key: &str, result: Result<T, Invalid>) -> Option<T> {
        result.map_err(|e| self.report(key, e.0)).ok()
    }

    /// An optional ISO 8601 calendar date (YYYY-MM-DD) of an item: a year in
    /// [`text::YEARS`].
    pub fn opt_date(&self, key: &str) -> Option<Option<NaiveDate>> {
        self.opt_parse(key, |s| parse_date(s).and_then(text::check_date))
    }

    pub fn opt_object(&self, key: &str) -> Option<Option<Obj<'a>>> {
        match self.present(key) {
            None => Some(None),
            Some(v) => self.as_object(key, v).map(Some),
        }
    }

    fn as_object(&self, key: &str, value: &'a Value) -> Option<Obj<'a>> {
        match value {
            Value::Object(map) => Some(self.nested(map, self.path_of(key))),
            other => {
                self.wrong_type(key, "an object", other);
                None
            }
        }
    }

    fn nested(&self, map: &'a Map<String, Value>, path: String) -> Obj<'a> {
        Obj {
            file: self.file,
            problems: self.problems,
            map,
            path,
        }
    }

    fn array(&self, key: &str) -> Option<&'a Vec<Value>> {
        match self.required(key)? {
            Value::Array(items) => Some(items),
            other => {
                self.wrong_type(key, "an array", other);
                None
            }
        }
    }

    /// A required array of objects; elements that are not objects are reported and skipped.
    pub fn records(&self, key: &str) -> Option<Vec<Obj<'a>>> {
        let items = self.array(key)?;
        let path = self.path_of(key);
        Some(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| match v {
                    Value::Object(map) => Some(self.nested(map, index_path(&path, i))),
                    other => {
                        self.problems.report(
                            self.file,
                            &index_path(&path, i),
                            format!("expected an object, found {}", describe(other)),
                        );
                        None
                    }
                })
                .collect(),
        )
    }

    /// An array that may be absent or null (then empty).
    pub fn opt_records(&self, key: &str) -> Option<Vec<Obj<'a>>> {
        if self.present(key).is_none() {
            Some(Vec::new())
        } else {
            self.records(key)
        }
    }

    /// A required array of strings, each with its path.
    pub fn strings(&self, key: &str) -> Option<Vec<(String, &'a str)>> {
        let items = self.array(key)?;
        let path = self.path_of(key);
        let mut out = Vec::with_capacity(items.len());
        let mut all_valid = true;
        for (i, v) in items.iter().enumerate() {
            let at = index_path(&path, i);
            match v {
                Value::String(s) => out.push((at, s.as_str())),
                other => {
                    all_valid = false;
                    self.problems.report(
                        self.file,
                        &at,
                        format!("expected a string, found {}", describe(other)),
                    );
                }
            }
        }
        all_valid.then_some(out)
    }

    /// An array of integers that may be absent or null (then empty).
    pub fn opt_ints(&self, key: &str) -> Option<Vec<(String, i64)>> {
        if self.present(key).is_none() {
            return Some(Vec::new());
        }
        let items = self.array(key)?;
        let path = self.path_of(key);
        let mut out = Vec::with_capacity(items.len());
        let mut all_valid = true;
        for (i, v) in items.iter().enumerate() {
            let at = index_path(&path, i);
            match v.as_i64() {
                Some(n) => out.push((at, n)),
                None => {
                    all_valid = false;
                    self.problems.report(
                        self.file,
                        &at,
                        format!("expected an integer, found {}", describe(v)),
                    );
                }
            }
        }
        all_valid.then_some(out)
    }

    /// Refuses fields outside `known`: used for records that have no `source` column, whose
    /// other fields would otherwise be lost on import.
    pub fn only_fields(&self, known: &[&str]) {
        for key in self.map.keys() {
            if !known.contains(&key.as_str()) {
                self.report(
                    key,
                    format!(
                        "unknown field (these records hold only {})",
                        known.join(", ")
                    ),
                );
            }
        }
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

    #[test]
    fn accessors_report_at_the_field_path() {
        let value: Value = serde_json::json!({"n": "22", "s": 3, "b": null});
        let problems = Problems::default();
        let Value::Object(map) = &value else {
            panic!("object")
        };
        let obj = Obj {
            file: "f.json",
            problems: &problems,
            map,
            path: "xs[2]".into(),
        };
        assert_eq!(obj.int_in("n", 1..=23), None);
        assert_eq!(obj.text("s", TextField::line(10)), None);
        assert_eq!(obj.bool("b"), None);
        assert_eq!(obj.text("missing", TextField::line(10)), None);
        assert_eq!(obj.opt_text("absent", TextField::line(10)), Some(None));
        let messages: Vec<String> = problems
            .into_vec()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            messages,
            [
                r#"f.json: xs[2].n: expected an integer, found "22""#,
                "f.json: xs[2].s: expected a string, found 3",
                "f.json: xs[2].b: required field is null",
                "f.json: xs[2].missing: required field is missing",
            ]
        );
    }
}
