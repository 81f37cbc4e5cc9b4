use std::fmt;

use crate::Invalid;

/// The number of a GCM objective: 1 to 23, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct ObjectiveNumber(i32);

impl ObjectiveNumber {
    pub const MIN: i32 = 1;
    pub const MAX: i32 = 23;

    pub fn new(number: i64) -> Result<Self, Invalid> {
        if (i64::from(Self::MIN)..=i64::from(Self::MAX)).contains(&number) {
            // The range check above makes the cast lossless.
            Ok(Self(number as i32))
        } else {
            Err(Invalid::new(format!(
                "{number} is not a GCM objective number (1 to 23)"
            )))
        }
    }

    pub fn get(self) -> i32 {
        self.0
    }

    /// A/RES/73/195 states objective N's commitment in paragraph N + 16.
    pub fn commitment_paragraph(self) -> i32 {
        self.0 + 16
    }

    pub fn all() -> impl Iterator<Item = Self> {
        (Self::MIN..=Self::MAX).map(Self)
    }
}

impl fmt::Display for ObjectiveNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> serde::Deserialize<'de> for ObjectiveNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = i64::deserialize(d)?;
        Self::new(n).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_one_to_twenty_three_only() {
        assert!(ObjectiveNumber::new(0).is_err());
        assert_eq!(ObjectiveNumber::new(1).map(|n| n.get()), Ok(1));
        assert_eq!(ObjectiveNumber::new(23).map(|n| n.get()), Ok(23));
        assert!(ObjectiveNumber::new(24).is_err());
        assert!(ObjectiveNumber::new(-22).is_err());
        assert!(ObjectiveNumber::new(i64::MAX).is_err());
        assert_eq!(ObjectiveNumber::all().count(), 23);
    }

    #[test]
    fn commitment_paragraph_is_number_plus_sixteen() {
        let n = ObjectiveNumber::new(22).expect("valid");
        assert_eq!(n.commitment_paragraph(), 38);
    }
}
