//! The one rule for untrusted text, whoever sends it: the importer (catalogue files),
//! curation (submissions, reviews, retractions, key names) and the public API (ids,
//! slugs, cursors, filters, search text). Callers attach the input path; messages here
//! never repeat the refused value, so they can be logged and shown safely.
//!
//! - **Characters.** C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls
//!   (U+0080–U+009F) are refused, except tab and line feed, which any text may hold.
//!   Carriage return is allowed only in multi-line fields ([`Lines::Many`]: summaries,
//!   comments, reasons, the catalogue's long texts), where pasted Windows text carries
//!   it; a one-line field (titles, names, organisations, cities, addresses) refuses it.
//!   PostgreSQL refuses a NUL outright (`invalid byte sequence for encoding "UTF8":
//!   0x00`), failing the whole statement; the other controls are invisible junk.
//! - **Highlight markers.** U+E000 and U+E001 mark `<mark>`/`</mark>` in search
//!   snippets ([`MATCH_START`], [`MATCH_END`]); stored text may not hold them, so a
//!   summary cannot forge snippet markup.
//! - **NFC.** Accepted text is normalised to Unicode NFC, so "é" typed as e + U+0301 and
//!   as U+00E9 is one title, one search term, one uniqueness key.
//! - **Not empty** means something visible is left once whitespace (Unicode
//!   White_Space) and invisible fillers ([`is_invisible`]) are removed.
//! - **Length** is counted in characters after NFC; limits live in [`crate::limits`].
//! - **Dates** of items are in the years [`YEARS`] unless a field says otherwise.
//! - **Web addresses** are `http`/`https` URLs with a host, without whitespace or
//!   control characters ([`check_url`]).

use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::Invalid;

/// Opens a highlighted match in a search snippet (a private-use character).
pub const MATCH_START: char = '\u{E000}';
/// Closes a highlighted match in a search snippet.
pub const MATCH_END: char = '\u{E001}';

/// The years a date of the catalogue may fall in, unless a field says otherwise.
pub const YEARS: RangeInclusive<i32> = 1900..=2100;

/// Whether a field holds one line or may hold several (which allows carriage returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Why a character is refused in text of the given kind, or `None` if it is allowed.
pub fn refused_char(c: char, lines: Lines) -> Option<&'static str> {
    match c {
        '\t' | '\n' => None,
        '\r' if lines == Lines::Many => None,
        '\r' => Some("a carriage return (this field holds one line)"),
        '\0' => Some("a NUL character, which text cannot hold"),
        '\u{1}'..='\u{1f}' => Some("a control character"),
        '\u{7f}' => Some("the control character DEL"),
        '\u{80}'..='\u{9f}' => Some("a C1 control character"),
        MATCH_START | MATCH_END => Some("a private-use character reserved for search highlights"),
        _ => None,
    }
}

/// Refuses the characters no text may hold (see the module's rule).
pub fn check_chars(value: &str, lines: Lines) -> Result<(), Invalid> {
    for (i, c) in value.chars().enumerate() {
        if let Some(why) = refused_char(c, lines) {
            return Err(Invalid::new(format!(
                "contains {why} (U+{:04X} at character {})",
                u32::from(c),
                i + 1
            )));
        }
    }
    Ok(())
}

/// A key or identifier (an id's natural key, a slug, a code): no control character at
/// all (not even tab or newline) and no highlight marker.
pub fn check_key(what: &str, value: &str) -> Result<(), Invalid> {
    match value
        .chars()
        .find(|c| c.is_control() || *c == MATCH_START || *c == MATCH_END)
    {
        Some(c) => Err(Invalid::new(format!(
            "{what} contains the {} U+{:04X}",
            if c.is_control() {
                "control character"
            } else {
                "reserved character"
            },
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

/// True for characters that show nothing: Unicode White_Space, zero-width characters,
/// fillers (Hangul, Braille blank) and format marks that have no glyph of their own.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' // zero-width space, non-joiner, joiner; LRM, RLM
                | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
                | '\u{FEFF}' // zero-width no-break space (BOM)
                | '\u{00A0}' // no-break space
                | '\u{00AD}' // soft hyphen
                | '\u{034F}' // combining grapheme joiner
                | '\u{3164}' // Hangul filler
                | '\u{115F}' // Hangul choseong filler
                | '\u{1160}' // Hangul jungseong filler
                | '\u{FFA0}' // halfwidth Hangul filler
                | '\u{2800}' // Braille pattern blank
                | '\u{180E}' // Mongolian vowel separator
        )
}

/// True when nothing visible is left once whitespace and invisible fillers are removed.
pub fn is_blank(value: &str) -> bool {
    value.chars().all(is_invisible)
}

/// `value` in Unicode NFC (borrowed work only when it is not already).
pub fn nfc(value: &str) -> String {
    match is_nfc_quick(value.chars()) {
        IsNormalized::Yes => value.to_owned(),
        _ => value.nfc().collect(),
    }
}

/// How one text field is checked: its length limit, whether it holds one line, and
/// whether it may be blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextField {
    pub max_chars: usize,
    pub lines: Lines,
    pub may_be_blank: bool,
}

impl TextField {
    /// A one-line field that must not be blank.
    pub const fn line(max_chars: usize) -> Self {
        Self {
            max_chars,
            lines: Lines::One,
            may_be_blank: false,
        }
    }

    /// A multi-line field that must not be blank.
    pub const fn multiline(max_chars: usize) -> Self {
        Self {
            max_chars,
            lines: Lines::Many,
            may_be_blank: false,
        }
    }

    /// The same field, but blank text is accepted (an optional comment, a filter).
    pub const fn blank_allowed(self) -> Self {
        Self {
            may_be_blank: true,
            ..self
        }
    }

    /// Applies the rule: refused characters, then NFC, then "not blank", then the length.
    /// Returns the text in NFC (otherwise as given: nothing is trimmed here).
    pub fn clean(self, value: &str) -> Result<String, Invalid> {
        check_chars(value, self.lines)?;
        let value = nfc(value);
        if !self.may_be_blank && is_blank(&value) {
            return Err(Invalid::new("must not be empty"));
        }
        let chars = value.chars().count();
        if chars > self.max_chars {
            return Err(Invalid::new(format!(
                "is {chars} characters long; at most {} are allowed",
                self.max_chars
            )));
        }
        Ok(value)
    }
}

/// A date of an item (publication, start, end): a year in [`YEARS`].
pub fn check_date(date: NaiveDate) -> Result<NaiveDate, Invalid> {
    check_year_in(date, YEARS)
}

/// A date whose field allows other years than [`YEARS`].
pub fn check_year_in(date: NaiveDate, years: RangeInclusive<i32>) -> Result<NaiveDate, Invalid> {
    if years.contains(&date.year()) {
        Ok(date)
    } else {
        Err(Invalid::new(format!(
            "{date} is outside the years {} to {}",
            years.start(),
            years.end()
        )))
    }
}

/// A web address: `http://` or `https://` (lower case, as the catalogue writes them), a
/// host, nothing the WHATWG parser would silently strip or rewrite (whitespace, control
/// characters), and parsed by the `url` crate. The address is kept as given.
pub fn check_url(value: &str) -> Result<(), Invalid> {
    if let Some((i, c)) = value
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_whitespace() || c.is_control() || is_invisible(*c))
    {
        return Err(Invalid::new(format!(
            "is not a web address: it contains whitespace or an invisible or control character (U+{:04X} at character {})",
            u32::from(c),
            i + 1
        )));
    }
    let Some(rest) = value
        .strip_prefix("http://")
        .or_else(|| value.strip_prefix("https://"))
    else {
        return Err(Invalid::new(
            "is not a web address (it must start with http:// or https://)",
        ));
    };
    if rest.starts_with(['/', '\\']) {
        return Err(Invalid::new("is not a web address: it has no host"));
    }
    let url =
        url::Url::parse(value).map_err(|e| Invalid::new(format!("is not a web address: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Invalid::new(
            "is not a web address (it must start with http:// or https://)",
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Invalid::new("is not a web address: it has no host"));
    }
    Ok(())
}

/// Text a client searches or filters by: the character rule and NFC; blank text is
/// "no text" (`None`), as before; longer than `max_chars` is refused.
pub fn clean_query(value: &str, max_chars: usize) -> Result<Option<String>, Invalid> {
    let value = TextField::line(max_chars).blank_allowed().clean(value)?;
    if is_blank(&value) {
        Ok(None)
    } else {
        Ok(Some(value.trim().to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits;

    const TITLE: TextField = TextField::line(limits::TITLE);
    const SUMMARY: TextField = TextField::multiline(limits::SUMMARY);

    fn controls() -> impl Iterator<Item = char> {
        (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32)
    }

    #[test]
    fn keys_refuse_every_control_character() {
        assert!(check_key("id", "PER").is_ok());
        assert!(check_key("id", "obj22-document-01").is_ok());
        for c in controls().chain([MATCH_START, MATCH_END]) {
            let error = check_key("id", &format!("PE{c}R")).expect_err("a control character");
            assert!(error.0.contains("U+"), "{error}");
        }
    }

    #[test]
    fn every_c0_control_but_tab_and_newline_is_refused_and_cr_only_in_one_line() {
        for c in (0u32..0x20).filter_map(char::from_u32) {
            let text = format!("before{c}after");
            let one = TITLE.clean(&text);
            let many = SUMMARY.clean(&text);
            match c {
                '\t' | '\n' => {
                    assert_eq!(one.as_deref(), Ok(text.as_str()));
                    assert_eq!(many.as_deref(), Ok(text.as_str()));
                }
                '\r' => {
                    assert!(one.is_err(), "CR in a one-line field");
                    assert_eq!(many.as_deref(), Ok(text.as_str()));
                }
                _ => {
                    for result in [one, many] {
                        let error = result.expect_err("a C0 control");
                        assert!(
                            error.0.contains(&format!("U+{:04X}", u32::from(c))),
                            "{error}"
                        );
                        assert!(!error.0.contains("before"), "no raw value: {error}");
                    }
                }
            }
        }
    }

    #[test]
    fn del_and_every_c1_control_are_refused() {
        for c in (0x7fu32..0xa0).filter_map(char::from_u32) {
            for field in [TITLE, SUMMARY] {
                let error = field.clean(&format!("a{c}b")).expect_err("DEL or C1");
                assert!(
                    error.0.contains(&format!("U+{:04X}", u32::from(c))),
                    "{error}"
                );
            }
        }
        assert!(TITLE.clean("a\u{a0}b").is_ok(), "U+00A0 is not a control");
    }

    #[test]
    fn highlight_markers_are_refused_in_any_text() {
        for c in [MATCH_START, MATCH_END] {
            for field in [TITLE, SUMMARY, TITLE.blank_allowed()] {
                let error = field
                    .clean(&format!("a {c}forged{c} b"))
                    .expect_err("marker");
                assert!(error.0.contains("search highlights"), "{error}");
            }
            assert!(clean_query(&format!("x{c}"), 500).is_err());
        }
    }

    #[test]
    fn invisible_only_titles_are_empty() {
        for blank in [
            "",
            "   ",
            "\u{200B}",
            "\u{3164}\u{A0}",
            "\u{200C}\u{200D}\u{2060}\u{FEFF}",
            "\u{115F}\u{1160}\u{FFA0}\u{2800}\u{180E}",
            "\u{2003}\u{3000}\u{2028}\t\n",
        ] {
            assert_eq!(
                TITLE.clean(blank),
                Err(Invalid::new("must not be empty")),
                "{blank:?}"
            );
            assert_eq!(TITLE.blank_allowed().clean(blank).as_deref(), Ok(blank));
            assert_eq!(clean_query(blank, 500), Ok(None));
        }
        assert_eq!(TITLE.clean("\u{200B}x").as_deref(), Ok("\u{200B}x"));
    }

    #[test]
    fn text_is_normalised_to_nfc_and_measured_after() {
        assert_eq!(TITLE.clean("Cafe\u{301}").as_deref(), Ok("Caf\u{e9}"));
        assert_eq!(TITLE.clean("Caf\u{e9}").as_deref(), Ok("Caf\u{e9}"));
        // Hangul jamo compose: 2 characters in, 1 out.
        assert_eq!(TITLE.clean("\u{1100}\u{1161}").as_deref(), Ok("\u{AC00}"));
        let decomposed = "e\u{301}".repeat(300);
        assert_eq!(
            TITLE.clean(&decomposed).map(|s| s.chars().count()),
            Ok(300),
            "600 characters sent, 300 after NFC: within 500"
        );
        assert_eq!(
            TITLE.clean(&"x".repeat(501)),
            Err(Invalid::new(
                "is 501 characters long; at most 500 are allowed"
            ))
        );
        assert_eq!(
            clean_query("  cafe\u{301} ", 500),
            Ok(Some("caf\u{e9}".to_owned()))
        );
    }

    #[test]
    fn dates_are_within_1900_to_2100() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a date");
        for ok in [date(1900, 1, 1), date(2015, 4, 1), date(2100, 12, 31)] {
            assert_eq!(check_date(ok), Ok(ok));
        }
        for bad in [date(1850, 6, 1), date(1899, 12, 31), date(2101, 1, 1)] {
            let error = check_date(bad).expect_err("out of range");
            assert!(error.0.contains("1900 to 2100"), "{error}");
        }
        assert!(check_year_in(date(1850, 1, 1), 1800..=2100).is_ok());
    }

    #[test]
    fn urls_are_http_or_https_with_a_host_and_no_space_or_control() {
        for ok in [
            "https://example.org/handbook",
            "http://example.org",
            "https://www.ilo.org/global/topics/labour-migration/lang--en/index.htm",
            "https://example.org/a?b=c&d=%20e#f",
            "https://exämple.org/ü",
        ] {
            assert_eq!(check_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "ftp://example.org/x",
            "https://example.org/a b",
            " https://example.org",
            "https://example.org/\t",
            "https://example.org/\n",
            "https://example.org/\u{0}",
            "https://example.org/\u{85}",
            "https://example.org/\u{200B}",
            "https://",
            "http:///path",
            "https:\\\\example.org",
            "https://exa mple.org",
            "//example.org",
            "example.org",
            "data:text/html,<b>x</b>",
            "https://[::1",
        ] {
            assert!(check_url(bad).is_err(), "{bad:?} accepted");
        }
    }

    mod properties {
        use proptest::prelude::*;

        use super::super::*;

        /// Strings mixing ordinary text with everything the rule is about.
        fn hostile() -> impl Strategy<Value = String> {
            let special = prop_oneof![
                (0u32..0x20).prop_map(|n| char::from_u32(n).unwrap_or('\0')),
                (0x7fu32..0xa0).prop_map(|n| char::from_u32(n).unwrap_or('\0')),
                prop::sample::select(vec![
                    MATCH_START,
                    MATCH_END,
                    '\u{200B}',
                    '\u{200C}',
                    '\u{200D}',
                    '\u{2060}',
                    '\u{FEFF}',
                    '\u{A0}',
                    '\u{3164}',
                    '\u{115F}',
                    '\u{1160}',
                    '\u{FFA0}',
                    '\u{2800}',
                    '\u{180E}',
                    '\u{301}',
                    ' ',
                ]),
                any::<char>(),
                prop::char::range('a', 'z'),
            ];
            prop::collection::vec(special, 0..40).prop_map(|cs| cs.into_iter().collect())
        }

        proptest! {
            #[test]
            fn accepted_text_is_nfc_visible_bounded_and_clean(s in hostile()) {
                for field in [TextField::line(20), TextField::multiline(20)] {
                    match field.clean(&s) {
                        Ok(clean) => {
                            prop_assert!(clean.chars().count() <= 20);
                            prop_assert!(!is_blank(&clean));
                            prop_assert_eq!(nfc(&clean), clean.clone());
                            prop_assert!(check_chars(&clean, field.lines).is_ok());
                            prop_assert!(!clean.contains([MATCH_START, MATCH_END, '\0']));
                        }
                        Err(e) => prop_assert!(!e.0.is_empty()),
                    }
                }
                let _ = check_url(&s);
                let _ = check_key("id", &s);
                if let Ok(Some(q)) = clean_query(&s, 20) {
                    prop_assert!(!is_blank(&q));
                }
            }
        }
    }
}
