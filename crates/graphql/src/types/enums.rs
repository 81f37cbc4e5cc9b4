//! GraphQL enumerations and the conversions from the stored spellings.

use async_graphql::Enum;
use gcm_domain as domain;

use crate::error::{ApiError, corrupt};

/// Parses a stored enumeration value; a value that does not parse is a corrupt row.
pub fn stored<T>(
    what: &str,
    value: &str,
    parse: impl Fn(&str) -> Result<T, domain::Invalid>,
) -> Result<T, ApiError> {
    parse(value).map_err(|_| corrupt(what, value))
}

/// How far an item reaches. The Hub lists global items first, then regional, then national.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
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
pub enum Mechanism {
    /// Special Rapporteurs, Independent Experts and Working Groups of the Human Rights Council.
    SpecialProcedure,
    /// The committees that monitor the human-rights treaties.
    TreatyBody,
}

/// What a catalogue item is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
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
pub enum InstrumentKind {
    /// An ILO convention (binding once ratified), code `C…`.
    Convention,
    /// An ILO recommendation (guidance, not ratified), code `R…`.
    Recommendation,
}

/// What kind of entity a country-menu entry is.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
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
    /// The Hub's rule: global items, then regional, then national; newest first within each. Undated items last.
    #[default]
    GlobalFirst,
    /// Newest first (publication date, or start date for events); undated items last.
    Newest,
    /// By title, A to Z, ignoring case and accents (untitled items by their summary).
    Title,
    /// Best text match first. Needs a text (`filter.text` or `search(text:)`).
    Relevance,
}

macro_rules! enum_mapping {
    ($gql:ident <=> $dom:ty { $($v:ident),+ }) => {
        impl From<$dom> for $gql {
            fn from(value: $dom) -> Self {
                match value { $(<$dom>::$v => $gql::$v),+ }
            }
        }
        impl From<$gql> for $dom {
            fn from(value: $gql) -> Self {
                match value { $($gql::$v => <$dom>::$v),+ }
            }
        }
    };
}

enum_mapping!(Scope <=> domain::Scope { Global, Regional, National });
enum_mapping!(TitleProvenance <=> domain::TitleProvenance { Seed, Derived, External });
enum_mapping!(ResourceSection <=> domain::ResourceSection { Documents, TrainingAndGuidance, Videos });
enum_mapping!(Mechanism <=> domain::MechanismKind { SpecialProcedure, TreatyBody });
enum_mapping!(ItemKind <=> domain::ItemKind { Resource, Event, Project });

impl InstrumentKind {
    pub fn from_stored(value: &str) -> Result<Self, ApiError> {
        match value {
            "convention" => Ok(Self::Convention),
            "recommendation" => Ok(Self::Recommendation),
            other => Err(corrupt("instrument kind", other)),
        }
    }
}

impl CountryKind {
    pub fn from_stored(value: &str) -> Result<Self, ApiError> {
        match value {
            "un_member_state" => Ok(Self::UnMemberState),
            "territory" => Ok(Self::Territory),
            "other_entity" => Ok(Self::OtherEntity),
            other => Err(corrupt("country kind", other)),
        }
    }
}

impl From<ItemSort> for gcm_store::models::item_pages::ItemSort {
    fn from(sort: ItemSort) -> Self {
        use gcm_store::models::item_pages::ItemSort as S;
        match sort {
            ItemSort::GlobalFirst => S::GlobalFirst,
            ItemSort::Newest => S::Newest,
            ItemSort::Title => S::Title,
            ItemSort::Relevance => S::Relevance,
        }
    }
}
