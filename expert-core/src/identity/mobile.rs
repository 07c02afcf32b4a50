//! Mainland China mobile numbers (11 digits, 13x-19x), the channel for draw
//! notices; the number is personal data and is shown masked by default.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{IdKind, IdentityError, mask};

const LEN: usize = 11;

/// An 11-digit mainland mobile number matching `^1[3-9]\d{9}$`. No `+86`
/// prefix or separators: normalising user input is the caller's job.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Mobile(String);

impl Mobile {
    pub fn parse(s: &str) -> Result<Self, IdentityError> {
        let found = s.chars().count();
        if found != LEN {
            return Err(IdentityError::Length {
                kind: IdKind::Mobile,
                expected: LEN,
                found,
            });
        }
        if let Some(i) = s.chars().position(|c| !c.is_ascii_digit()) {
            return Err(IdentityError::Character {
                kind: IdKind::Mobile,
                position: i + 1,
            });
        }
        let bytes = s.as_bytes();
        let prefix_ok =
            bytes.first() == Some(&b'1') && bytes.get(1).is_some_and(|b| (b'3'..=b'9').contains(b));
        if !prefix_ok {
            return Err(IdentityError::MobilePrefix);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`.
    pub fn masked(&self) -> String {
        mask::mask_mobile(&self.0)
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Mobile").field(&self.masked()).finish()
    }
}

impl TryFrom<String> for Mobile {
    type Error = IdentityError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Mobile> for String {
    fn from(m: Mobile) -> Self {
        m.0
    }
}

impl std::str::FromStr for Mobile {
    type Err = IdentityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_valid_second_digit() {
        for second in 3..=9 {
            let number = format!("1{second}812345678");
            assert_eq!(Mobile::parse(&number).unwrap().as_str(), number);
        }
    }

    #[test]
    fn rejections() {
        let length = |found| IdentityError::Length {
            kind: IdKind::Mobile,
            expected: 11,
            found,
        };
        let cases: &[(&str, IdentityError)] = &[
            ("", length(0)),
            ("1381234567", length(10)),
            ("138123456789", length(12)),
            ("+8613812345678", length(14)),
            (
                "138-1234567",
                IdentityError::Character {
                    kind: IdKind::Mobile,
                    position: 4,
                },
            ),
            (
                "１3812345678",
                IdentityError::Character {
                    kind: IdKind::Mobile,
                    position: 1,
                },
            ),
            ("12812345678", IdentityError::MobilePrefix),
            ("23812345678", IdentityError::MobilePrefix),
        ];
        for (input, expected) in cases {
            assert_eq!(Mobile::parse(input).as_ref(), Err(expected), "{input}");
        }
    }

    #[test]
    fn masked_debug_and_serde() {
        let m = Mobile::parse("13812345678").unwrap();
        assert_eq!(m.masked(), "138****5678");
        assert_eq!(format!("{m:?}"), "Mobile(\"138****5678\")");
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, "\"13812345678\"");
        assert_eq!(serde_json::from_str::<Mobile>(&json).unwrap(), m);
        assert!(serde_json::from_str::<Mobile>("\"12812345678\"").is_err());
    }
}
