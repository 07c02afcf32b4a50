//! The evaluation-expert specialty tree (5 levels, e.g. EN > ENA > ENA01 >
//! ENA0101 > ENA010101) that experts register under and panels are drawn from.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::{ReferenceError, records_with_header};

const HEADER: &str = "code,parent,level,name,pool_experts";
static BUILTIN: LazyLock<SpecialtyTree> = LazyLock::new(|| {
    SpecialtyTree::from_csv(include_str!("../../data/specialties.csv")).unwrap_or_default()
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Specialty {
    pub code: String,
    pub parent: Option<String>,
    /// 1 for a root; a child is one level below its parent.
    pub level: u8,
    pub name: String,
    /// How many experts one real provincial pool held under this code; used to
    /// generate realistically skewed synthetic pools.
    pub pool_experts: u64,
}

/// The tree in file order. The `parent` column is authoritative: two codes in
/// the embedded table do not start with their parent's code (see tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecialtyTree {
    items: Vec<Specialty>,
    by_code: HashMap<String, usize>,
    children: Vec<Vec<usize>>,
}

impl SpecialtyTree {
    pub fn builtin() -> &'static SpecialtyTree {
        &BUILTIN
    }

    /// Parses a `code,parent,level,name,pool_experts` table. Codes must be
    /// unique, every parent must exist and every level must be its parent's
    /// plus one (roots: 1), which also rules out cycles.
    pub fn from_csv(text: &str) -> Result<Self, ReferenceError> {
        let mut tree = SpecialtyTree::default();
        let mut lines = Vec::new();
        for r in records_with_header(text, HEADER)? {
            let line = r.line;
            let [code, parent, level, name, pool_experts] = <[String; 5]>::try_from(r.fields)
                .map_err(|f| ReferenceError::FieldCount {
                    line,
                    expected: 5,
                    found: f.len(),
                })?;
            let invalid = |field| ReferenceError::InvalidField { line, field };
            if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(invalid("code"));
            }
            if name.trim().is_empty() {
                return Err(invalid("name"));
            }
            let level: u8 = level.parse().map_err(|_| invalid("level"))?;
            let pool_experts = pool_experts.parse().map_err(|_| invalid("pool_experts"))?;
            if tree.by_code.contains_key(&code) {
                return Err(ReferenceError::Duplicate { line, code });
            }
            tree.by_code.insert(code.clone(), tree.items.len());
            tree.items.push(Specialty {
                code,
                parent: Some(parent).filter(|p| !p.is_empty()),
                level,
                name,
                pool_experts,
            });
            lines.push(line);
        }

        tree.children = vec![Vec::new(); tree.items.len()];
        for (i, (item, line)) in tree.items.iter().zip(lines).enumerate() {
            let parent_level = match &item.parent {
                None => 0,
                Some(parent) => {
                    let p = tree.by_code.get(parent).copied().ok_or_else(|| {
                        ReferenceError::UnknownParent {
                            line,
                            code: item.code.clone(),
                            parent: parent.clone(),
                        }
                    })?;
                    if let Some(siblings) = tree.children.get_mut(p) {
                        siblings.push(i);
                    }
                    tree.items.get(p).map_or(0, |p| p.level)
                }
            };
            if Some(item.level) != parent_level.checked_add(1) {
                return Err(ReferenceError::Level {
                    line,
                    code: item.code.clone(),
                });
            }
        }
        Ok(tree)
    }

    pub fn get(&self, code: &str) -> Option<&Specialty> {
        self.by_code.get(code).and_then(|&i| self.items.get(i))
    }

    pub fn is_known(&self, code: &str) -> bool {
        self.by_code.contains_key(code)
    }

    /// The code itself, then its parent, up to the root; empty if unknown.
    pub fn ancestors<'a>(&'a self, code: &str) -> impl Iterator<Item = &'a Specialty> + 'a {
        // Levels strictly decrease along parents (checked on load), so this
        // walk ends after at most `level` steps.
        std::iter::successors(self.get(code), |s| {
            s.parent.as_deref().and_then(|p| self.get(p))
        })
    }

    /// The code's ancestor at `level` (the code itself at its own level);
    /// `None` if the code is unknown or sits above `level`.
    pub fn ancestor_at_level(&self, code: &str, level: u8) -> Option<&str> {
        self.ancestors(code)
            .find(|s| s.level == level)
            .map(|s| s.code.as_str())
    }

    /// Direct children in file order; empty for a leaf or an unknown code.
    pub fn children<'a>(&'a self, code: &str) -> impl Iterator<Item = &'a Specialty> + 'a {
        self.by_code
            .get(code)
            .and_then(|&i| self.children.get(i))
            .into_iter()
            .flatten()
            .filter_map(|&c| self.items.get(c))
    }

    pub fn roots(&self) -> impl Iterator<Item = &Specialty> {
        self.items.iter().filter(|s| s.parent.is_none())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Specialty> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> &'static SpecialtyTree {
        SpecialtyTree::builtin()
    }

    #[test]
    fn builtin_loads_completely() {
        assert!(SpecialtyTree::from_csv(include_str!("../../data/specialties.csv")).is_ok());
        assert_eq!(tree().len(), 2267);
        let per_level: Vec<usize> = (1..=5)
            .map(|l| tree().iter().filter(|s| s.level == l).count())
            .collect();
        assert_eq!(per_level, vec![2, 6, 73, 392, 1794]);
        let roots: Vec<&str> = tree().roots().map(|s| s.code.as_str()).collect();
        assert_eq!(roots, vec!["EN", "PK"]);
    }

    #[test]
    fn every_parent_exists_one_level_up() {
        for s in tree().iter() {
            match &s.parent {
                None => assert_eq!(s.level, 1, "{}", s.code),
                Some(p) => assert_eq!(tree().get(p).unwrap().level + 1, s.level, "{}", s.code),
            }
            // Codes grow by 1 character at level 2 and 2 characters below.
            let expected_len = [0, 2, 3, 5, 7, 9][usize::from(s.level)];
            assert_eq!(s.code.len(), expected_len, "{}", s.code);
        }
    }

    #[test]
    fn child_codes_extend_their_parent_except_two_known_anomalies() {
        // In the source data ENB014605 (水下与海洋测绘设备) sits under ENB0147
        // (测绘地理信息设备), and ENC011201 (水资源调查评价) sits under ENC0111
        // (环境电磁频谱监测与调查) although ENC0112 is 水文、水资源调查评价.
        // The parent column wins; this test notices if the data changes.
        let anomalies: Vec<(&str, &str)> = tree()
            .iter()
            .filter_map(|s| {
                let p = s.parent.as_deref()?;
                (!s.code.starts_with(p)).then_some((s.code.as_str(), p))
            })
            .collect();
        assert_eq!(
            anomalies,
            vec![("ENB014605", "ENB0147"), ("ENC011201", "ENC0111")]
        );
    }

    #[test]
    fn ancestors_and_children() {
        let t = tree();
        let at = |code, level| t.ancestor_at_level(code, level);
        assert_eq!(at("ENA010101", 1), Some("EN"));
        assert_eq!(at("ENA010101", 2), Some("ENA"));
        assert_eq!(at("ENA010101", 3), Some("ENA01"));
        assert_eq!(at("ENA010101", 4), Some("ENA0101"));
        assert_eq!(at("ENA010101", 5), Some("ENA010101"));
        assert_eq!(at("ENA0101", 5), None);
        assert_eq!(at("ENA0101", 0), None);
        assert_eq!(at("NOPE", 1), None);
        // The parent column wins over the code's prefix.
        assert_eq!(at("ENC011201", 4), Some("ENC0111"));

        let children: Vec<&str> = t.children("ENA").map(|s| s.code.as_str()).collect();
        assert!(children.contains(&"ENA01"));
        assert!(
            t.children("ENA")
                .all(|s| s.parent.as_deref() == Some("ENA"))
        );
        assert_eq!(t.children("ENA010101").count(), 0);
        assert_eq!(t.children("NOPE").count(), 0);
        let total_children: usize = t.iter().map(|s| t.children(&s.code).count()).sum();
        assert_eq!(total_children, t.len() - 2);
        assert_eq!(t.get("ENA01").map(|s| s.name.as_str()), Some("规划"));
        assert_eq!(t.get("EN").map(|s| s.pool_experts), Some(2759));
    }

    #[test]
    fn bad_tables_are_rejected() {
        let h = "code,parent,level,name,pool_experts\n";
        let cases = [
            (
                format!("{h}A,,1,a,1\nAB,X,2,b,1\n"),
                ReferenceError::UnknownParent {
                    line: 3,
                    code: "AB".into(),
                    parent: "X".into(),
                },
            ),
            (
                format!("{h}A,,1,a,1\nAB,A,3,b,1\n"),
                ReferenceError::Level {
                    line: 3,
                    code: "AB".into(),
                },
            ),
            (
                format!("{h}A,,2,a,1\n"),
                ReferenceError::Level {
                    line: 2,
                    code: "A".into(),
                },
            ),
            (
                format!("{h}A,,1,a,1\nA,,1,b,1\n"),
                ReferenceError::Duplicate {
                    line: 3,
                    code: "A".into(),
                },
            ),
            (
                format!("{h}A,,1,a,-1\n"),
                ReferenceError::InvalidField {
                    line: 2,
                    field: "pool_experts",
                },
            ),
            (
                format!("{h}A,,x,a,1\n"),
                ReferenceError::InvalidField {
                    line: 2,
                    field: "level",
                },
            ),
            (
                format!("{h}A B,,1,a,1\n"),
                ReferenceError::InvalidField {
                    line: 2,
                    field: "code",
                },
            ),
            // A two-node cycle cannot pass the level rule.
            (
                format!("{h}A,B,1,a,1\nB,A,2,b,1\n"),
                ReferenceError::Level {
                    line: 2,
                    code: "A".into(),
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(SpecialtyTree::from_csv(&text), Err(expected), "{text}");
        }
        // A child listed before its parent is fine.
        let t = SpecialtyTree::from_csv(&format!("{h}AB,A,2,b,1\nA,,1,a,1\n")).unwrap();
        assert_eq!(t.ancestor_at_level("AB", 1), Some("A"));
    }
}
