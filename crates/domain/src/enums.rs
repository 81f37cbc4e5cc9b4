//! The catalogue's enumerations. Each has one spelling in the database (`as_str`) and
//! parses from it; the importer also accepts the Hub's own headings where they differ.

use std::fmt;

use crate::Invalid;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(
            feature = "diesel",
            derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
            diesel(sql_type = diesel::sql_types::Text)
        )]
        pub enum $name { $($variant),+ }

        /// Stored as its text, so rows carry the enum and a column compares with it.
        #[cfg(feature = "diesel")]
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                use std::io::Write;
                out.write_all(self.as_str().as_bytes())?;
                Ok(diesel::serialize::IsNull::No)
            }
        }

        /// A stored text that is not one of the spellings is corrupt data: the read fails.
        #[cfg(feature = "diesel")]
        impl diesel::deserialize::FromSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn from_sql(bytes: diesel::pg::PgValue<'_>) -> diesel::deserialize::Result<Self> {
                let text = std::str::from_utf8(bytes.as_bytes())?;
                Self::parse(text).map_err(|e| e.0.into())
            }
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];
            /// The spellings of [`Self::ALL`], in order.
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            /// The spelling stored in the database and used in the catalogue files.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(value: &str) -> Result<Self, Invalid> {
                match value {
                    $($text => Ok(Self::$variant),)+
                    other => Err(Invalid::new(format!(
                        "{other:?} is not {} (one of {})",
                        $what,
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Invalid;
            fn from_str(s: &str) -> Result<Self, Invalid> {
                Self::parse(s)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

text_enum!(
    /// The kind of UN human-rights mechanism a piece of guidance comes from.
    MechanismKind, "a mechanism kind" {
        SpecialProcedure => "special_procedure",
        TreatyBody => "treaty_body",
    }
);

text_enum!(
    /// The Hub section a resource is listed under.
    ResourceSection, "a resource section" {
        Documents => "documents",
        TrainingAndGuidance => "training_and_guidance",
        Videos => "videos",
    }
);

impl ResourceSection {
    /// The heading the Hub prints above the section.
    pub fn hub_heading(self) -> &'static str {
        match self {
            Self::Documents => "Documents",
            Self::TrainingAndGuidance => "Training and guidance",
            Self::Videos => "Videos",
        }
    }
}

text_enum!(
    /// What a catalogue item is.
    ItemKind, "an item kind" {
        Resource => "resource",
        Event => "event",
        Project => "project",
    }
);

text_enum!(
    /// Where an item stands in the review workflow. Only `published` items are public.
    ItemStatus, "an item status" {
        UnderReview => "under_review",
        ChangesRequested => "changes_requested",
        Published => "published",
        Rejected => "rejected",
        Retracted => "retracted",
    }
);

text_enum!(
    /// How far an item reaches: the Hub lists global items before regional before national.
    Scope, "a geographic scope" {
        Global => "global",
        Regional => "regional",
        National => "national",
    }
);

impl Scope {
    /// The catalogue's rule for a scope and the geography beside it, which the importer
    /// (`links.json`) and curation both apply: why they disagree, if they do.
    pub fn geography_problem(self, has_regions: bool, has_countries: bool) -> Option<&'static str> {
        match self {
            Scope::Global if has_regions || has_countries => {
                Some("a global item has no regions and no countries")
            }
            Scope::Regional if !has_regions => Some("a regional item needs at least one region"),
            Scope::National if !has_countries => Some("a national item needs at least one country"),
            _ => None,
        }
    }
}

text_enum!(
    /// Where an item's title came from. A derived or external title is never shown as
    /// the seed's own.
    TitleProvenance, "a title provenance" {
        Seed => "seed",
        Derived => "derived",
        External => "external",
    }
);

text_enum!(
    /// What a country entry is: the Hub's country menu mixes UN member states with
    /// territories and other entities.
    CountryKind, "a country kind" {
        UnMemberState => "un_member_state",
        Territory => "territory",
        OtherEntity => "other_entity",
    }
);

text_enum!(
    /// An ILO instrument's kind (the code says it too: C… conventions, R… recommendations).
    InstrumentKind, "an instrument kind" {
        Convention => "convention",
        Recommendation => "recommendation",
    }
);

text_enum!(
    /// What an API key may do: contributors submit, reviewers review, admins do both
    /// and manage.
    Role, "a key role" {
        Contributor => "contributor",
        Reviewer => "reviewer",
        Admin => "admin",
    }
);

text_enum!(
    /// A reviewer's affiliation, which decides the threshold the review counts towards.
    Affiliation, "a reviewer affiliation" {
        Internal => "internal",
        External => "external",
    }
);

text_enum!(
    /// Where a submission stands. Unlike an item, a submission can be `withdrawn` by
    /// its contributor.
    SubmissionStatus, "a submission status" {
        UnderReview => "under_review",
        ChangesRequested => "changes_requested",
        Published => "published",
        Rejected => "rejected",
        Withdrawn => "withdrawn",
        Retracted => "retracted",
    }
);

impl SubmissionStatus {
    /// The item's status: items know no `withdrawn`, and a withdrawn item is as hidden as
    /// a rejected one.
    pub fn item_status(self) -> ItemStatus {
        match self {
            Self::UnderReview => ItemStatus::UnderReview,
            Self::ChangesRequested => ItemStatus::ChangesRequested,
            Self::Published => ItemStatus::Published,
            Self::Rejected | Self::Withdrawn => ItemStatus::Rejected,
            Self::Retracted => ItemStatus::Retracted,
        }
    }

    /// While open, the contributor may still change or withdraw it.
    pub fn is_open(self) -> bool {
        matches!(self, Self::UnderReview | Self::ChangesRequested)
    }
}

text_enum!(
    /// A reviewer's decision on a submission.
    Decision, "a review decision" {
        Approve => "approve",
        RequestChanges => "request_changes",
        Reject => "reject",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Ok(*s));
        }
        for s in ItemStatus::ALL {
            assert_eq!(ItemStatus::parse(s.as_str()), Ok(*s));
        }
        for s in ResourceSection::ALL {
            assert_eq!(ResourceSection::parse(s.as_str()), Ok(*s));
        }
        assert_eq!(
            MechanismKind::parse("treaty-body").map_err(|e| e.0),
            Err(
                r#""treaty-body" is not a mechanism kind (one of special_procedure, treaty_body)"#
                    .into()
            )
        );
    }
}
