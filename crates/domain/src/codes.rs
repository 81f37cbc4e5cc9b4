use std::fmt;

use crate::Invalid;

macro_rules! iso_code {
    ($(#[$doc:meta])* $name:ident, $len:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Accepts exactly the code's length of ASCII letters, in upper case.
            pub fn parse(value: &str) -> Result<Self, Invalid> {
                let bytes = value.as_bytes();
                if bytes.len() == $len && bytes.iter().all(u8::is_ascii_uppercase) {
                    let mut code = [0u8; $len];
                    code.copy_from_slice(bytes);
                    Ok(Self(code))
                } else {
                    Err(Invalid::new(format!("{value:?} is not {}", $what)))
                }
            }

            pub fn as_str(&self) -> &str {
                // Only ASCII upper-case letters are ever stored.
                std::str::from_utf8(&self.0).unwrap_or_default()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
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

iso_code!(
    /// An ISO 3166-1 alpha-2 code, e.g. `MX` (user-assigned `XK` included).
    Iso2, 2, "an ISO 3166-1 alpha-2 code"
);
iso_code!(
    /// An ISO 3166-1 alpha-3 code, e.g. `MEX` (user-assigned `XKX` included).
    Iso3, 3, "an ISO 3166-1 alpha-3 code"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_codes_are_upper_case_letters_of_the_right_length() {
        assert_eq!(Iso3::parse("MEX").map(|c| c.to_string()), Ok("MEX".into()));
        assert!(Iso3::parse("MEXX").is_err());
        assert!(Iso3::parse("mex").is_err());
        assert!(Iso3::parse("M3X").is_err());
        assert!(Iso3::parse("").is_err());
        assert!(Iso2::parse("MX").is_ok());
        assert!(Iso2::parse("MEX").is_err());
        assert!(Iso2::parse("ÉÉ").is_err());
    }
}
