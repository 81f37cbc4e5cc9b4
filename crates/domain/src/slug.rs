use std::fmt;

use unicode_normalization::UnicodeNormalization;

use crate::Invalid;

/// A URL-safe key: lowercase ASCII letters and digits in words joined by single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 200;

    pub fn parse(value: &str) -> Result<Self, Invalid> {
        let well_formed = !value.is_empty()
            && value.len() <= Self::MAX_LEN
            && value.split('-').all(|word| {
                !word.is_empty()
                    && word
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            });
        if well_formed {
            Ok(Self(value.to_owned()))
        } else {
            Err(Invalid::new(format!(
                "{value:?} is not a slug (lowercase letters and digits joined by single hyphens, at most {} characters)",
                Self::MAX_LEN
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Turns a name into a slug: accents dropped ("Côte d’Ivoire" → "cote-d-ivoire").
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_hyphen = false;
    for c in name.nfkd().filter(|c| c.is_ascii()) {
        if c.is_ascii_alphanumeric() {
            if pending_hyphen && !out.is_empty() {
                out.push('-');
            }
            pending_hyphen = false;
            out.push(c.to_ascii_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_well_formed_slugs_only() {
        assert!(Slug::parse("social-protection").is_ok());
        assert!(Slug::parse("c097").is_ok());
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "é", "a_b"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Slug::parse(&"a".repeat(201)).is_err());
    }

    #[test]
    fn slugify_drops_accents_and_punctuation() {
        assert_eq!(slugify("Côte d’Ivoire"), "cote-d-ivoire");
        assert_eq!(
            slugify("Sint Maarten (Dutch part)"),
            "sint-maarten-dutch-part"
        );
        assert_eq!(slugify("Türkiye"), "turkiye");
        assert_eq!(slugify("Kosovo*"), "kosovo");
    }
}
