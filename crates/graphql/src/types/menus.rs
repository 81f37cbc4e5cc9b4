//! The Hub's menus as its page shows them, each entry with the filter that selects its items.

use async_graphql::SimpleObject;
use gcm_store::models::menus::{self, MenuEntryRow};

use super::enums::Scope;
use crate::error::{ApiError, corrupt};
use crate::limits::directives::{fixed, list_size};

/// The five "Select to view content by …" menus of the Hub, in page order, with the
/// entries that are not catalogue records: "General" (objectives), "Global geographic
/// scope" (principles) and "Global" (countries).
#[derive(SimpleObject, Debug, Default)]
pub struct HubMenus {
    /// "Select to view content by GCM objective": objectives 1 to 23, then "General".
    #[graphql(directive = list_size::apply(Some(fixed::OBJECTIVES + 1), None, None, None))]
    pub objectives: Vec<HubMenuEntry>,
    /// "Select to view content by GCM guiding principle": the ten principles, then
    /// "Global geographic scope".
    #[graphql(directive = list_size::apply(Some(fixed::PRINCIPLES + 1), None, None, None))]
    pub principles: Vec<HubMenuEntry>,
    /// "Select to view content by region".
    #[graphql(directive = list_size::apply(Some(fixed::REGIONS), None, None, None))]
    pub regions: Vec<HubMenuEntry>,
    /// "Select to view content by country", alphabetical, with "Global" between Ghana
    /// and Greece.
    #[graphql(directive = list_size::apply(Some(fixed::COUNTRIES + 1), None, None, None))]
    pub countries: Vec<HubMenuEntry>,
    /// "Select by type of document".
    #[graphql(directive = list_size::apply(Some(fixed::DOCUMENT_TYPES), None, None, None))]
    pub document_types: Vec<HubMenuEntry>,
}

/// One menu entry.
#[derive(SimpleObject, Debug, Clone)]
pub struct HubMenuEntry {
    /// Place in the menu, from 1.
    pub position: i32,
    /// The label exactly as the Hub writes it, e.g. `22 - Social protection`, `Global`.
    pub label: String,
    /// The catalogue's note on an entry that is not one of its records (what the source
    /// says, or does not say, about it); null for records.
    pub note: Option<String>,
    /// The `ItemFilter` that selects the entry's items: pass it unchanged as the `filter`
    /// argument (its fields are `ItemFilter`'s). Null when the source does not say what
    /// the entry holds.
    pub filter: Option<HubMenuFilter>,
}

/// An `ItemFilter` value, as output: the same fields, unset ones null.
#[derive(SimpleObject, Debug, Clone, Default)]
pub struct HubMenuFilter {
    #[graphql(directive = list_size::apply(Some(ONE_VALUE), None, None, None))]
    pub objectives: Option<Vec<i32>>,
    #[graphql(directive = list_size::apply(Some(ONE_VALUE), None, None, None))]
    pub principles: Option<Vec<String>>,
    #[graphql(directive = list_size::apply(Some(ONE_VALUE), None, None, None))]
    pub regions: Option<Vec<String>>,
    #[graphql(directive = list_size::apply(Some(ONE_VALUE), None, None, None))]
    pub countries: Option<Vec<String>>,
    #[graphql(directive = list_size::apply(Some(ONE_VALUE), None, None, None))]
    pub document_types: Option<Vec<String>>,
    #[graphql(directive = list_size::apply(Some(ONE_VALUE), None, None, None))]
    pub scope: Option<Vec<Scope>>,
    pub general: Option<bool>,
}

/// A menu entry selects one value of one dimension.
const ONE_VALUE: i32 = 1;

impl HubMenuFilter {
    fn of(row: &MenuEntryRow) -> Result<Option<Self>, ApiError> {
        let key = || {
            row.key
                .clone()
                .ok_or_else(|| corrupt("menu entry key", "NULL"))
        };
        let filter = match row.selects.as_deref() {
            None => return Ok(None),
            Some("objective") => HubMenuFilter {
                objectives: Some(vec![
                    key()?
                        .parse()
                        .map_err(|_| corrupt("objective number", &row.label))?,
                ]),
                ..Self::default()
            },
            Some("principle") => HubMenuFilter {
                principles: Some(vec![key()?]),
                ..Self::default()
            },
            Some("region") => HubMenuFilter {
                regions: Some(vec![key()?]),
                ..Self::default()
            },
            Some("country") => HubMenuFilter {
                countries: Some(vec![key()?]),
                ..Self::default()
            },
            Some("document_type") => HubMenuFilter {
                document_types: Some(vec![key()?]),
                ..Self::default()
            },
            Some(menus::GENERAL) => HubMenuFilter {
                general: Some(true),
                ..Self::default()
            },
            Some(menus::SCOPE_GLOBAL) => HubMenuFilter {
                scope: Some(vec![Scope::Global]),
                ..Self::default()
            },
            Some(other) => return Err(corrupt("menu entry kind", other)),
        };
        Ok(Some(filter))
    }
}

impl HubMenus {
    /// Sorts the rows (by menu, then position) into the five menus.
    pub fn from_rows(rows: Vec<MenuEntryRow>) -> Result<Self, ApiError> {
        let mut menus = HubMenus::default();
        for row in rows {
            let entry = HubMenuEntry {
                position: row.position,
                filter: HubMenuFilter::of(&row)?,
                label: row.label,
                note: row.note,
            };
            let menu = match row.menu.as_str() {
                "objectives" => &mut menus.objectives,
                "principles" => &mut menus.principles,
                "regions" => &mut menus.regions,
                "countries" => &mut menus.countries,
                "document_types" => &mut menus.document_types,
                other => return Err(corrupt("menu", other)),
            };
            menu.push(entry);
        }
        Ok(menus)
    }
}
