//! The 18-character citizen identity number of GB 11643-1999: address code,
//! birth date, sequence and an ISO 7064 MOD 11-2 check character.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{IdKind, IdentityError, mask};

const LEN: usize = 18;
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: [u8; 11] = *b"10X98765432";
// GB 11643's own examples include people born in the 1880s; earlier years can
// only be typing errors (year 0000 is a calendar date for chrono, not for us).
const MIN_BIRTH_YEAR: i32 = 1800;

/// A citizen ID that passed length, character, birth-date and check-character
/// rules. A lowercase `x` is accepted and stored as `X`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

impl ResidentId {
    pub fn parse(s: &str) -> Result<Self, IdentityError> {
        let found = s.chars().count();
        if found != LEN {
            return Err(IdentityError::Length {
                kind: IdKind::ResidentId,
                expected: LEN,
                found,
            });
        }
        for (i, c) in s.chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == LEN - 1 && (c == 'X' || c == 'x'));
            if !ok {
                return Err(IdentityError::Character {
                    kind: IdKind::ResidentId,
                    position: i + 1,
                });
            }
        }
        // All ASCII from here on, so byte slicing is safe.
        let normalised = s.to_ascii_uppercase();
        if birth_date_of(&normalised).is_none() {
            return Err(IdentityError::BirthDate);
        }
        let expected = check_char(normalised.get(..17).unwrap_or_default());
        if normalised.as_bytes().last().copied().map(char::from) != expected {
            return Err(IdentityError::CheckCharacter {
                kind: IdKind::ResidentId,
            });
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit GB/T 2260 address code of the place of first registration.
    pub fn address_code(&self) -> &str {
        self.0.get(..6).unwrap_or_default()
    }

    pub fn birth_date(&self) -> NaiveDate {
        // parse() only builds values whose birth date is valid.
        birth_date_of(&self.0).unwrap_or_default()
    }

    /// `420106********1234`: the address code and the last four characters.
    pub fn masked(&self) -> String {
        mask::mask_resident_id(&self.0)
    }
}

/// The 18-character ID for 17 leading digits, or `None` if `first17` is not
/// exactly 17 ASCII digits. The birth date is not checked: generators that
/// want a valid ID must put a real date in positions 7-14.
pub fn with_check_digit(first17: &str) -> Option<String> {
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let check = check_char(first17)?;
    let mut id = String::with_capacity(LEN);
    id.push_str(first17);
    id.push(check);
    Some(id)
}

/// ISO 7064 MOD 11-2 over 17 ASCII digits.
fn check_char(first17: &str) -> Option<char> {
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b.wrapping_sub(b'0')) * w)
        .sum();
    let index = usize::try_from(sum % 11).ok()?;
    CHECK_CHARS.get(index).copied().map(char::from)
}

fn birth_date_of(id: &str) -> Option<NaiveDate> {
    let year = id.get(6..10)?.parse().ok()?;
    let month = id.get(10..12)?.parse().ok()?;
    let day = id.get(12..14)?.parse().ok()?;
    if year < MIN_BIRTH_YEAR {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResidentId").field(&self.masked()).finish()
    }
}

impl TryFrom<String> for ResidentId {
    type Error = IdentityError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ResidentId> for String {
    fn from(id: ResidentId) -> Self {
        id.0
    }
}

impl std::str::FromStr for ResidentId {
    type Err = IdentityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_standards_examples_and_a_generated_hubei_id() {
        for (id, birth, address) in [
            ("11010519491231002X", (1949, 12, 31), "110105"),
            ("440524188001010014", (1880, 1, 1), "440524"),
            ("420106199001011231", (1990, 1, 1), "420106"),
        ] {
            let parsed = ResidentId::parse(id).unwrap();
            assert_eq!(parsed.as_str(), id);
            let (y, m, d) = birth;
            assert_eq!(
                parsed.birth_date(),
                NaiveDate::from_ymd_opt(y, m, d).unwrap()
            );
            assert_eq!(parsed.address_code(), address);
        }
    }

    #[test]
    fn lowercase_x_is_normalised() {
        let id = ResidentId::parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.to_string(), "11010519491231002X");
    }

    #[test]
    fn each_rule_has_its_own_error() {
        let length = |found| IdentityError::Length {
            kind: IdKind::ResidentId,
            expected: 18,
            found,
        };
        let character = |position| IdentityError::Character {
            kind: IdKind::ResidentId,
            position,
        };
        let check = IdentityError::CheckCharacter {
            kind: IdKind::ResidentId,
        };
        let cases: &[(&str, IdentityError)] = &[
            ("", length(0)),
            ("11010519491231002", length(17)),
            ("11010519491231002XX", length(19)),
            // Multi-byte characters count as one each, not by bytes.
            ("11010519491231002鄂", character(18)),
            ("1101051949123100鄂X", character(17)),
            ("X1010519491231002X", character(1)),
            ("11010519491231 02X", character(15)),
            ("110105194912310021", check.clone()),
            ("110105199902290011", IdentityError::BirthDate), // 1999 is not a leap year
            ("110105200013010011", IdentityError::BirthDate),
            ("110105179901010011", IdentityError::BirthDate),
        ];
        for (input, expected) in cases {
            assert_eq!(ResidentId::parse(input).as_ref(), Err(expected), "{input}");
        }
        // A real leap day is fine once its check digit is right.
        let leap = with_check_digit("42010620000229001").unwrap();
        assert!(ResidentId::parse(&leap).is_ok());
    }

    #[test]
    fn masked_and_debug_hide_the_middle() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(format!("{id:?}"), "ResidentId(\"110105********002X\")");
    }

    #[test]
    fn serde_is_the_plain_string_and_validates() {
        let id = ResidentId::parse("11010519491231002X").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"11010519491231002X\"");
        assert_eq!(serde_json::from_str::<ResidentId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ResidentId>("\"110105194912310021\"").is_err());
    }

    #[test]
    fn with_check_digit_rejects_non_digits() {
        assert_eq!(with_check_digit("1101051949123100"), None);
        assert_eq!(with_check_digit("1101051949123100X"), None);
        assert_eq!(with_check_digit("110105194912310０2"), None);
        assert_eq!(
            with_check_digit("11010519491231002").as_deref(),
            Some("11010519491231002X")
        );
    }

    proptest! {
        #[test]
        fn with_check_digit_always_yields_a_valid_id(
            address in 110_000u32..=829_999,
            days in 0i64..80_000,
            sequence in 0u32..1000,
        ) {
            let birth = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + chrono::Duration::days(days);
            let first17 = format!("{address:06}{}{sequence:03}", birth.format("%Y%m%d"));
            let id = with_check_digit(&first17).unwrap();
            let parsed = ResidentId::parse(&id).unwrap();
            prop_assert_eq!(parsed.birth_date(), birth);
            prop_assert_eq!(parsed.address_code(), format!("{address:06}"));
        }

        #[test]
        fn a_single_changed_digit_is_always_caught(
            days in 0i64..40_000,
            position in 0usize..17,
            delta in 1u8..10,
        ) {
            let birth = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap() + chrono::Duration::days(days);
            let first17 = format!("420106{}123", birth.format("%Y%m%d"));
            let mut bytes = with_check_digit(&first17).unwrap().into_bytes();
            bytes[position] = b'0' + (bytes[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(ResidentId::parse(&changed).is_err());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = ResidentId::parse(&s);
        }
    }
}
