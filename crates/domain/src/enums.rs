//! The catalogue's enumerations. Each has one spelling in the database (`as_str`) and
//! parses from it; the importer also accepts the Hub's own headings where they differ.

use std::fmt;

use crate::Invalid;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

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

text_enum!(
    /// Where an item's title came from. A derived or external title is never shown as
    /// the seed's own.
    TitleProvenance, "a title provenance" {
        Seed => "seed",
        Derived => "derived",
        External => "external",
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
