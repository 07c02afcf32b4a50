//! The 18-character unified social credit code of GB 32100-2015 that every
//! employer (company, public institution, agency) is registered under.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{IdKind, IdentityError};

const LEN: usize = 18;
// GB 32100 leaves out I, O, Z, S and V so they cannot be misread as 1, 0, 2, 5 and U.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// A credit code that passed alphabet, region-code and MOD 31 check rules.
/// Lowercase input is accepted and stored in uppercase.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(s: &str) -> Result<Self, IdentityError> {
        let found = s.chars().count();
        if found != LEN {
            return Err(IdentityError::Length {
                kind: IdKind::CreditCode,
                expected: LEN,
                found,
            });
        }
        let normalised = s.to_ascii_uppercase();
        for (i, c) in normalised.chars().enumerate() {
            if value_of(c).is_none() {
                return Err(IdentityError::Character {
                    kind: IdKind::CreditCode,
                    position: i + 1,
                });
            }
        }
        // All characters are in the ASCII alphabet from here on.
        let region = normalised.get(2..8).unwrap_or_default();
        if !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdentityError::RegionCode);
        }
        let expected = check_char(normalised.get(..17).unwrap_or_default());
        if normalised.chars().last() != expected {
            return Err(IdentityError::CheckCharacter {
                kind: IdKind::CreditCode,
            });
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Positions 3-8: the GB/T 2260 code of the registering authority's area.
    pub fn region_code(&self) -> &str {
        self.0.get(2..8).unwrap_or_default()
    }
}

/// The full code for 17 leading characters from the GB 32100 alphabet, or
/// `None` if `first17` is not 17 such characters. The region code is not
/// checked: generators must put digits in positions 3-8.
pub fn with_check_char(first17: &str) -> Option<String> {
    if first17.chars().count() != 17 {
        return None;
    }
    let upper = first17.to_ascii_uppercase();
    let check = check_char(&upper)?;
    let mut code = upper;
    code.push(check);
    Some(code)
}

/// MOD 31 over 17 alphabet characters; `None` if any is outside it.
fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET
        .get(usize::try_from(check).ok()?)
        .copied()
        .map(char::from)
}

fn value_of(c: char) -> Option<u32> {
    let byte = u8::try_from(c).ok()?;
    let index = ALPHABET.iter().position(|&a| a == byte)?;
    u32::try_from(index).ok()
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// An organisation's code is public (printed on its business licence), so
// unlike the personal identifiers it is shown in full.
impl fmt::Debug for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CreditCode").field(&self.0).finish()
    }
}

impl TryFrom<String> for CreditCode {
    type Error = IdentityError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CreditCode> for String {
    fn from(code: CreditCode) -> Self {
        code.0
    }
}

impl std::str::FromStr for CreditCode {
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
    fn accepts_published_codes() {
        for (code, region) in [
            ("91350100M000100Y43", "350100"), // the example in GB 32100-2015 itself
            ("914403001922038216", "440300"), // Huawei Technologies Co., Ltd.
            ("91440300708461136T", "440300"), // Shenzhen Tencent Computer Systems Co., Ltd.
            ("91330100716105852F", "330100"), // Alibaba (China) Co., Ltd.
        ] {
            let parsed = CreditCode::parse(code).unwrap();
            assert_eq!(parsed.as_str(), code);
            assert_eq!(parsed.region_code(), region);
        }
    }

    #[test]
    fn lowercase_is_normalised() {
        let code = CreditCode::parse("91350100m000100y43").unwrap();
        assert_eq!(code.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn each_rule_has_its_own_error() {
        let check = IdentityError::CheckCharacter {
            kind: IdKind::CreditCode,
        };
        let character = |position| IdentityError::Character {
            kind: IdKind::CreditCode,
            position,
        };
        let cases: &[(&str, IdentityError)] = &[
            (
                "91350100M000100Y4",
                IdentityError::Length {
                    kind: IdKind::CreditCode,
                    expected: 18,
                    found: 17,
                },
            ),
            ("91350100M000100Y44", check),
            // I, O, Z, S, V are not in the alphabet.
            ("91350100I000100Y43", character(9)),
            ("91350100O000100Y43", character(9)),
            ("91350100M000100Z43", character(16)),
            ("9S350100M000100Y43", character(2)),
            ("91350100M000100V43", character(16)),
            ("91350100M000100Y4鄂", character(18)),
            ("91A50100M000100Y43", IdentityError::RegionCode),
        ];
        for (input, expected) in cases {
            assert_eq!(CreditCode::parse(input).as_ref(), Err(expected), "{input}");
        }
    }

    #[test]
    fn a_remainder_of_zero_gives_check_zero() {
        // Search a generated code whose weighted sum is a multiple of 31, so
        // the "31 becomes 0" rule is exercised rather than assumed.
        let code = (0..10_000u32)
            .map(|n| format!("91420100MA{n:07}"))
            .filter_map(|first17| with_check_char(&first17))
            .find(|code| code.ends_with('0'))
            .unwrap();
        assert!(CreditCode::parse(&code).is_ok());
    }

    #[test]
    fn with_check_char_rejects_bad_input() {
        assert_eq!(with_check_char("91350100M000100Y"), None);
        assert_eq!(with_check_char("91350100M000100I4"), None);
        assert_eq!(
            with_check_char("91350100M000100Y4").as_deref(),
            Some("91350100M000100Y43")
        );
    }

    #[test]
    fn serde_round_trips_through_the_string() {
        let code = CreditCode::parse("91350100M000100Y43").unwrap();
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, "\"91350100M000100Y43\"");
        assert_eq!(serde_json::from_str::<CreditCode>(&json).unwrap(), code);
        assert!(serde_json::from_str::<CreditCode>("\"91350100M000100Y44\"").is_err());
    }

    proptest! {
        #[test]
        fn generated_codes_parse(
            region in 110_000u32..=829_999,
            rest in "[0-9A-HJ-NPQRTUWXY]{9}",
            head in "[1-9A-HJ-NPQRTUWXY][1-9A-HJ-NPQRTUWXY]",
        ) {
            let code = with_check_char(&format!("{head}{region:06}{rest}")).unwrap();
            let parsed = CreditCode::parse(&code).unwrap();
            prop_assert_eq!(parsed.region_code(), format!("{region:06}"));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = CreditCode::parse(&s);
        }
    }
}
