//! Hubei's province and its 17 prefecture-level units with GB/T 2260 codes:
//! the places an expert may be registered in.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::{ReferenceError, records_with_header};

const HEADER: &str = "code,name,level";
static BUILTIN: LazyLock<Regions> = LazyLock::new(|| {
    Regions::from_csv(include_str!("../../data/hubei-regions.csv")).unwrap_or_default()
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 省: registrations at this level are the province-level units (省直).
    Province,
    /// 地级市、自治州.
    Prefecture,
    /// 省直管县级市 (仙桃, 潜江, 天门).
    ProvinceAdministeredCity,
    /// 省直管林区 (神农架).
    ProvinceAdministeredForestry,
}

impl RegionLevel {
    /// The wording used in the embedded table.
    fn from_table(s: &str) -> Option<Self> {
        match s {
            "province" => Some(Self::Province),
            "prefecture" => Some(Self::Prefecture),
            "county-level city directly under the province" => Some(Self::ProvinceAdministeredCity),
            "forestry district directly under the province" => {
                Some(Self::ProvinceAdministeredForestry)
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
}

/// The region table in file order, with a lookup by code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Regions {
    regions: Vec<Region>,
    by_code: HashMap<String, usize>,
}

impl Regions {
    pub fn builtin() -> &'static Regions {
        &BUILTIN
    }

    /// Parses a `code,name,level` table; codes must be six digits and unique.
    pub fn from_csv(text: &str) -> Result<Self, ReferenceError> {
        let mut table = Regions::default();
        for r in records_with_header(text, HEADER)? {
            let [code, name, level] =
                <[String; 3]>::try_from(r.fields).map_err(|f| ReferenceError::FieldCount {
                    line: r.line,
                    expected: 3,
                    found: f.len(),
                })?;
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ReferenceError::InvalidField {
                    line: r.line,
                    field: "code",
                });
            }
            if name.trim().is_empty() {
                return Err(ReferenceError::InvalidField {
                    line: r.line,
                    field: "name",
                });
            }
            let level = RegionLevel::from_table(&level).ok_or(ReferenceError::InvalidField {
                line: r.line,
                field: "level",
            })?;
            if table.by_code.contains_key(&code) {
                return Err(ReferenceError::Duplicate { line: r.line, code });
            }
            table.by_code.insert(code.clone(), table.regions.len());
            table.regions.push(Region { code, name, level });
        }
        Ok(table)
    }

    pub fn get(&self, code: &str) -> Option<&Region> {
        self.by_code.get(code).and_then(|&i| self.regions.get(i))
    }

    pub fn is_known(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    pub fn len(&self) -> usize {
        self.regions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_the_province_and_17_units() {
        let regions = Regions::builtin();
        assert!(Regions::from_csv(include_str!("../../data/hubei-regions.csv")).is_ok());
        assert_eq!(regions.len(), 18);
        let count = |level| regions.iter().filter(|r| r.level == level).count();
        assert_eq!(count(RegionLevel::Province), 1);
        assert_eq!(count(RegionLevel::Prefecture), 13);
        assert_eq!(count(RegionLevel::ProvinceAdministeredCity), 3);
        assert_eq!(count(RegionLevel::ProvinceAdministeredForestry), 1);
        assert!(regions.iter().all(|r| r.code.starts_with("42")));
        assert_eq!(
            regions.get("420100").map(|r| r.name.as_str()),
            Some("武汉市")
        );
        assert_eq!(
            regions.get("422800").map(|r| r.name.as_str()),
            Some("恩施土家族苗族自治州")
        );
        assert!(regions.is_known("429021"));
        assert!(!regions.is_known("420400")); // no such unit since 1990s mergers
        assert!(!regions.is_known("110000"));
        assert!(regions.get("").is_none());
    }

    #[test]
    fn bad_tables_are_rejected() {
        let cases = [
            ("code,name\n", ReferenceError::Header { expected: HEADER }),
            (
                "code,name,level\n42000,湖北省,province\n",
                ReferenceError::InvalidField {
                    line: 2,
                    field: "code",
                },
            ),
            (
                "code,name,level\n420000,湖北省,state\n",
                ReferenceError::InvalidField {
                    line: 2,
                    field: "level",
                },
            ),
            (
                "code,name,level\n420000,湖北省\n",
                ReferenceError::FieldCount {
                    line: 2,
                    expected: 3,
                    found: 2,
                },
            ),
            (
                "code,name,level\n420000,a,province\n420000,b,province\n",
                ReferenceError::Duplicate {
                    line: 3,
                    code: "420000".into(),
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Regions::from_csv(text), Err(expected), "{text}");
        }
    }
}
