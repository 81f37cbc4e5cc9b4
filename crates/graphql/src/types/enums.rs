//! GraphQL enumerations. Each mirrors a domain enum (`remote`), which rows carry typed;
//! only facet keys, which mix dimensions in one column, arrive as text.

use async_graphql::Enum;
use gcm_domain as domain;

use crate::error::{ApiError, corrupt};

/// Parses a stored facet key; a value that does not parse is a corrupt row.
pub fn stored<T>(
    what: &str,
    value: &str,
    parse: impl Fn(&str) -> Result<T, domain::Invalid>,
) -> Result<T, ApiError> {
    parse(value).map_err(|_| corrupt(what, value))
}

/// How far an item reaches. The Hub lists global items first, then regional, then national.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::Scope")]
pub enum Scope {
    /// Not tied to a region or country.
    Global,
    /// Tied to one or more regions.
    Regional,
    /// Tied to named countries.
    National,
}

/// Where an item's title comes from. Only `SEED` titles are the source's own words.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::TitleProvenance")]
pub enum TitleProvenance {
    /// As the Hub seed gives it (or absent when the seed gives none).
    Seed,
    /// Read by the catalogue from the seed's own text, e.g. the summary names the item.
    Derived,
    /// Seen on an external page carrying the same summary; a lead to verify.
    External,
}

/// The Hub section a resource is listed under.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::ResourceSection")]
pub enum ResourceSection {
    /// "Documents".
    Documents,
    /// "Training and guidance".
    TrainingAndGuidance,
    /// "Videos".
    Videos,
}

/// The kind of UN human-rights mechanism a piece of guidance comes from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::MechanismKind")]
pub enum Mechanism {
    /// Special Rapporteurs, Independent Experts and Working Groups of the Human Rights Council.
    SpecialProcedure,
    /// The committees that monitor the human-rights treaties.
    TreatyBody,
}

/// What a catalogue item is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::ItemKind")]
pub enum ItemKind {
    /// A document, training or guidance material, or video.
    Resource,
    /// A conference, forum, workshop or other event.
    Event,
    /// A project or programme.
    Project,
}

/// ILO instrument kinds.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::InstrumentKind")]
pub enum InstrumentKind {
    /// An ILO convention (binding once ratified), code `C…`.
    Convention,
    /// An ILO recommendation (guidance, not ratified), code `R…`.
    Recommendation,
}

/// What kind of entity a country-menu entry is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::CountryKind")]
pub enum CountryKind {
    /// A member state of the United Nations.
    UnMemberState,
    /// A territory, e.g. Sint Maarten (Dutch part).
    Territory,
    /// Another entity, e.g. Kosovo (in the context of UNSC resolution 1244).
    OtherEntity,
}

/// Orders of item lists.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default)]
pub enum ItemSort {
    /// The Hub's own order on an objective's page, as the source lists it: the page's sections in order (Documents, Events, Projects, Training and guidance, Videos), within each the items the page places by their position, then the items it does not place (curated or submitted later) by the Hub's stated rule, global before regional before national, newest first. Only for one objective's items (under an objective, or filtered by exactly one); their default.
    Hub,
    /// Global items, then regional, then national (the Hub's stated rule, "more comprehensive and global resources shown before more specific and regional ones"); newest first within each (the catalogue's choice: the Hub states no order within a scope). Undated items last. The default of every list that is not one objective's.
    #[default]
    GlobalFirst,
    /// Newest first (publication date, or start date for events); undated items last.
    Newest,
    /// By title, A to Z, ignoring case and accents (untitled items by their summary).
    Title,
    /// Best text match first. Needs a text (`filter.text` or `search(text:)`).
    Relevance,
}

impl From<ItemSort> for gcm_store::models::item_pages::ItemSort {
    fn from(sort: ItemSort) -> Self {
        use gcm_store::models::item_pages::ItemSort as S;
        match sort {
            ItemSort::Hub => S::Hub,
            ItemSort::GlobalFirst => S::GlobalFirst,
            ItemSort::Newest => S::Newest,
            ItemSort::Title => S::Title,
            ItemSort::Relevance => S::Relevance,
        }
    }
}

/// Where an item's `scope`, `regions` and `countries` come from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum GeographySource {
    /// Stated by the Hub page itself. (The bundled pages state no geography, so no bundled
    /// item has this source.)
    Seed,
    /// Added by the catalogue's curators (`links.json`), with `geographyReason` when given.
    Curated,
    /// Given by the contributor who submitted the item, checked in review.
    Submitted,
}
