//! A JSON object of a catalogue file with its path: typed accessors that report what is
//! wrong with a field at the field's own path, so every problem is collected at once.

use chrono::NaiveDate;
use gcm_domain::Invalid;
use gcm_domain::limits::MAX_POSITION;
use gcm_domain::text::{self, TextField};
use serde_json::{Map, Value};

use super::json::{Problems, child_path, describe, index_path, parse_date};

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
        self.int_in(key, 1..=i64::from(MAX_POSITION))
    }

    /// As [`Obj::position`], when the field may be absent.
    pub fn opt_position(&self, key: &str) -> Option<Option<i32>> {
        self.opt_int_in(key, 1..=i64::from(MAX_POSITION))
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
        self.array_of(key, "a string", Value::as_str)
    }

    /// An array of integers that may be absent or null (then empty).
    pub fn opt_ints(&self, key: &str) -> Option<Vec<(String, i64)>> {
        if self.present(key).is_none() {
            return Some(Vec::new());
        }
        self.array_of(key, "an integer", Value::as_i64)
    }

    /// A required array whose every element `read` accepts, each with its path; every
    /// element it refuses is reported as not being `what`.
    fn array_of<T>(
        &self,
        key: &str,
        what: &str,
        read: impl Fn(&'a Value) -> Option<T>,
    ) -> Option<Vec<(String, T)>> {
        let items = self.array(key)?;
        let path = self.path_of(key);
        let mut out = Vec::with_capacity(items.len());
        let mut all_valid = true;
        for (i, v) in items.iter().enumerate() {
            let at = index_path(&path, i);
            match read(v) {
                Some(value) => out.push((at, value)),
                None => {
                    all_valid = false;
                    self.problems.report(
                        self.file,
                        &at,
                        format!("expected {what}, found {}", describe(v)),
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

#[cfg(test)]
mod tests {
    use super::*;

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
