//! The filters clients pass to item lists, search and facets, validated into the
//! store's `ItemFilter`.

use async_graphql::InputObject;
use gcm_domain::{Iso3, LanguageCode, ObjectiveNumber, Slug};
use gcm_store::models::item_pages::ItemFilter as StoreFilter;

use super::enums::{ItemKind, ResourceSection, Scope};
use super::scalars::Date;
use crate::error::ApiError;

/// Most values one list inside a filter may hold.
pub const MAX_FILTER_VALUES: usize = 100;
/// Longest search text accepted.
pub const MAX_TEXT_LEN: usize = gcm_domain::limits::QUERY_TEXT;

/// An inclusive range of dates; either end may be open.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct DateRange {
    /// First day included.
    pub from: Option<Date>,
    /// Last day included.
    pub to: Option<Date>,
}

/// Narrows an item list. Fields combine with AND; the values inside one list with OR.
/// An omitted field does not filter; an empty list matches nothing.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ItemFilter {
    /// Objective numbers (1 to 23).
    pub objectives: Option<Vec<i32>>,
    /// Guiding-principle slugs, e.g. `human-rights`.
    pub principles: Option<Vec<String>>,
    /// Region slugs, e.g. `africa`.
    pub regions: Option<Vec<String>>,
    /// ISO 3166-1 alpha-3 codes, e.g. `PER`.
    pub countries: Option<Vec<String>>,
    /// Document-type slugs, e.g. `guidelines-toolkits-manuals`.
    pub document_types: Option<Vec<String>>,
    /// Resource sections.
    pub sections: Option<Vec<ResourceSection>>,
    /// Geographic scopes.
    pub scope: Option<Vec<Scope>>,
    /// ISO 639-1 language codes, e.g. `es`.
    pub language: Option<Vec<String>>,
    /// Publication date range (items without a publication date never match a range).
    pub published: Option<DateRange>,
    /// Words to find in titles, organisations and summaries, accents ignored. Web-search
    /// syntax: `"exact phrase"`, `or`, `-excluded`.
    pub text: Option<String>,
    /// Item kinds (useful in `search` and `facets`, which span all kinds).
    pub kinds: Option<Vec<ItemKind>>,
    /// Organisations (publisher, organiser or implementer), each matched whole with case
    /// and accents ignored: `"oim"` finds "OIM". `facets { organisations }` lists them.
    pub organisations: Option<Vec<String>>,
    /// `true`: only the items the Hub's objective menu files under "General" (tagged with
    /// no objective); `false`: only items tagged with at least one objective.
    pub general: Option<bool>,
}

fn checked_list<T, U>(
    field: &str,
    values: &Option<Vec<T>>,
    parse: impl Fn(&T) -> Result<U, ApiError>,
) -> Result<Option<Vec<U>>, ApiError> {
    let Some(values) = values else {
        return Ok(None);
    };
    if values.len() > MAX_FILTER_VALUES {
        return Err(ApiError::bad_input(format!(
            "filter.{field} has {} values; at most {MAX_FILTER_VALUES} are accepted",
            values.len()
        )));
    }
    values
        .iter()
        .map(parse)
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn slug(field: &'static str) -> impl Fn(&String) -> Result<String, ApiError> {
    move |s| {
        Slug::parse(s)
            .map(Slug::into_string)
            .map_err(|e| ApiError::bad_input(format!("filter.{field}: {e}")))
    }
}

/// Checks a search text by the text rule (`gcm_domain::text`: no control character or
/// highlight marker, NFC, at most [`MAX_TEXT_LEN`] characters) and normalises blank
/// text to "no text". `argument` is where the text came from (`text`, `filter.text`).
pub fn search_text(argument: &str, text: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(text) = text else { return Ok(None) };
    gcm_domain::text::clean_query(text, MAX_TEXT_LEN)
        .map_err(|e| ApiError::bad_argument(argument, e))
}

impl ItemFilter {
    /// Validates every value; the first bad one is reported with its field.
    pub fn to_store(&self, kind: Option<gcm_domain::ItemKind>) -> Result<StoreFilter, ApiError> {
        let published = self.published;
        if let Some(DateRange {
            from: Some(from),
            to: Some(to),
        }) = published
            && from.0 > to.0
        {
            return Err(ApiError::bad_input(
                "filter.published: `from` is after `to`",
            ));
        }
        let kinds = match kind {
            // A typed list (resources, events, projects) is of one kind whatever the filter says.
            Some(kind) => {
                let asked =
                    checked_list("kinds", &self.kinds, |k| Ok(gcm_domain::ItemKind::from(*k)))?;
                match asked {
                    Some(asked) if !asked.contains(&kind) => Some(vec![]),
                    _ => Some(vec![kind.as_str().to_owned()]),
                }
            }
            None => checked_list("kinds", &self.kinds, |k| {
                Ok(gcm_domain::ItemKind::from(*k).as_str().to_owned())
            })?,
        };
        Ok(StoreFilter {
            kinds,
            objectives: checked_list("objectives", &self.objectives, |n| {
                ObjectiveNumber::new(i64::from(*n))
                    .map(ObjectiveNumber::get)
                    .map_err(|e| ApiError::bad_input(format!("filter.objectives: {e}")))
            })?,
            principles: checked_list("principles", &self.principles, slug("principles"))?,
            regions: checked_list("regions", &self.regions, slug("regions"))?,
            countries: checked_list("countries", &self.countries, |c| {
                Iso3::parse(c)
                    .map(|c| c.to_string())
                    .map_err(|e| ApiError::bad_input(format!("filter.countries: {e}")))
            })?,
            document_types: checked_list(
                "documentTypes",
                &self.document_types,
                slug("documentTypes"),
            )?,
            sections: checked_list("sections", &self.sections, |s| {
                Ok(gcm_domain::ResourceSection::from(*s).as_str().to_owned())
            })?,
            scopes: checked_list("scope", &self.scope, |s| {
                Ok(gcm_domain::Scope::from(*s).as_str().to_owned())
            })?,
            languages: checked_list("language", &self.language, |l| {
                LanguageCode::parse(l)
                    .map(|l| l.as_str().to_owned())
                    .map_err(|e| ApiError::bad_input(format!("filter.language: {e}")))
            })?,
            published_from: published.and_then(|r| r.from).map(|d| d.0),
            published_to: published.and_then(|r| r.to).map(|d| d.0),
            text: search_text("filter.text", self.text.as_deref())?,
            organisations: checked_list("organisations", &self.organisations, |o| {
                gcm_domain::text::clean_query(o, MAX_TEXT_LEN)
                    .map_err(|e| ApiError::bad_argument("filter.organisations", e))?
                    .ok_or_else(|| {
                        ApiError::bad_input("filter.organisations: a blank organisation")
                    })
            })?,
            general: self.general,
        })
    }
}
