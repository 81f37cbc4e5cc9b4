//! The catalogue file format, one module per file kind. Each states once a record's
//! fields in file order (`FIELDS`, the order the exporter writes; fields the model does
//! not hold travel in the record's `source`), the top-level keys of its file
//! (`DOCUMENT`), its natural keys (`KEYS`, unique per file), the rule of each field, and
//! how a record is decoded and encoded. References between files go through
//! [`super::resolve`]; the non-record keys a file keeps through [`super::document`].

use std::collections::HashMap;
use std::fmt::Display;
use std::ops::RangeInclusive;

use gcm_domain::text::TextField;
use gcm_domain::{Invalid, Slug, limits};

use super::json::{Problems, Unique, quoted};
use super::obj::Obj;

pub(crate) mod countries;
pub(crate) mod document_types;
pub(crate) mod guidance;
pub(crate) mod instruments;
pub(crate) mod items;
pub(crate) mod links;
pub(crate) mod menu_extras;
pub(crate) mod objectives;
pub(crate) mod pages;
pub(crate) mod principles;
pub(crate) mod regions;

/// The files every catalogue has, in the order they are validated (references point back).
pub(crate) const FIXED_FILES: [&str; 8] = [
    objectives::FILE,
    principles::FILE,
    regions::FILE,
    countries::FILE,
    document_types::FILE,
    instruments::FILE,
    guidance::FILE,
    links::FILE,
];

// The text fields of the files, by the rule of `gcm_domain::text` and its limits.
pub(crate) const NAME: TextField = TextField::line(limits::NAME);
pub(crate) const TITLE: TextField = TextField::line(limits::TITLE);
pub(crate) const SUMMARY: TextField = TextField::multiline(limits::SUMMARY);
pub(crate) const URL: TextField = TextField::line(limits::URL);
pub(crate) const ORGANISATION: TextField = TextField::line(limits::ORGANISATION);
pub(crate) const CITY: TextField = TextField::line(limits::CITY);
pub(crate) const ABBREVIATION: TextField = TextField::line(limits::ABBREVIATION);
pub(crate) const PARAGRAPH_LABEL: TextField = TextField::line(limits::PARAGRAPH_LABEL);
/// Long texts: the database only asks that they are not empty.
pub(crate) const LONG: TextField = TextField::multiline(limits::LONG);
/// Paragraph numbers of A/RES/73/195 (it has far fewer; the range only keeps them sane).
pub(crate) const PARAGRAPHS: RangeInclusive<i64> = 1..=1000;

/// The natural keys of one kind of record, as its module declares them: each field
/// named is checked for duplicates as it is read, so a duplicate names both places.
pub(crate) struct Keys {
    fields: &'static [&'static str],
    seen: HashMap<&'static str, Unique<String>>,
}

impl Keys {
    pub fn new(fields: &'static [&'static str]) -> Self {
        Self {
            fields,
            seen: HashMap::new(),
        }
    }

    fn unique(&mut self, field: &str) -> &mut Unique<String> {
        let declared = self.fields.iter().copied().find(|f| *f == field);
        debug_assert!(declared.is_some(), "{field} is not a declared key");
        self.seen
            .entry(declared.unwrap_or("?"))
            .or_insert_with(Unique::new)
    }

    /// Records `key`, the value of `field` of `record`; false (and reported) when taken.
    pub fn check(
        &mut self,
        record: &Obj<'_>,
        field: &str,
        key: String,
        shown: impl Display,
    ) -> bool {
        self.unique(field).check(record, field, key, shown)
    }

    /// As [`Keys::check`], for a value found at `path` (an element of a list).
    pub fn check_at(
        &mut self,
        problems: &Problems,
        file: &str,
        field: &str,
        path: String,
        key: &str,
    ) -> bool {
        self.unique(field)
            .check_path(problems, file, path, key.to_owned(), quoted(key))
    }

    /// An integer key, shown as is.
    pub fn int(&mut self, record: &Obj<'_>, field: &str, n: impl Into<i64> + Display) -> bool {
        let shown = n.to_string();
        self.check(record, field, shown.clone(), shown)
    }

    /// A text key, shown quoted.
    pub fn text_key(&mut self, record: &Obj<'_>, field: &str, s: &str) -> bool {
        self.check(record, field, s.to_owned(), quoted(s))
    }

    /// The record's `position` (1 or more), unique.
    pub fn position(&mut self, record: &Obj<'_>) -> Option<i32> {
        record
            .position("position")
            .filter(|p| self.int(record, "position", *p))
    }

    /// A slug field, unique.
    pub fn slug(&mut self, record: &Obj<'_>, field: &str) -> Option<String> {
        record
            .parse(field, Slug::parse)
            .map(Slug::into_string)
            .filter(|s| self.text_key(record, field, s))
    }

    /// A text field by `rule`, unique.
    pub fn text(&mut self, record: &Obj<'_>, field: &str, rule: TextField) -> Option<String> {
        record
            .text(field, rule)
            .filter(|s| self.text_key(record, field, s))
    }
}

/// Three ASCII digits, as UN M49 and ISO 3166-1 numeric codes are written.
pub(crate) fn three_digits(s: &str, what: &str) -> Result<String, Invalid> {
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_owned())
    } else {
        Err(Invalid::new(format!(
            "{} is not {what} (three digits)",
            quoted(s)
        )))
    }
}
