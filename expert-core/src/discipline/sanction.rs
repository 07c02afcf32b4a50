//! What a decision imposes: a measure (warning, suspension, removal) and an
//! optional fine, with stable codes for storage and Chinese wording for
//! notices and letters.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::lifecycle::RestoreMode;

/// The measure against the expert. Serialised with a `kind` tag:
/// `{"kind":"suspension","months":6,"restore":"after_test"}`,
/// `{"kind":"removal","ban_years":null}` (null: barred for good).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Measure {
    /// 警告.
    Warning,
    /// 暂停评标资格 for `months`, ended by the `restore` tier.
    Suspension { months: u32, restore: RestoreMode },
    /// 清除出库, barred from re-admission for `ban_years`, or for good.
    Removal { ban_years: Option<u32> },
}

/// The fieldless kind of a [`Measure`], for columns and filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    Warning,
    Suspension,
    Removal,
}

impl MeasureKind {
    pub const ALL: [MeasureKind; 3] = [
        MeasureKind::Warning,
        MeasureKind::Suspension,
        MeasureKind::Removal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeasureKind::Warning => "warning",
            MeasureKind::Suspension => "suspension",
            MeasureKind::Removal => "removal",
        }
    }

    pub fn parse(s: &str) -> Option<MeasureKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl Measure {
    pub fn kind(&self) -> MeasureKind {
        match self {
            Measure::Warning => MeasureKind::Warning,
            Measure::Suspension { .. } => MeasureKind::Suspension,
            Measure::Removal { .. } => MeasureKind::Removal,
        }
    }

    /// A total order of severity: warning < any suspension (longer is more
    /// severe; at equal length the restore tier breaks the tie, automatic
    /// being the mildest) < any removal (a longer ban is more severe,
    /// permanent the most).
    pub fn severity(&self) -> (u8, u64) {
        match self {
            Measure::Warning => (0, 0),
            Measure::Suspension { months, restore } => {
                let tier = match restore {
                    RestoreMode::Automatic => 0,
                    RestoreMode::OnApplication => 1,
                    RestoreMode::AfterTest => 2,
                };
                (1, u64::from(*months) * 4 + tier)
            }
            Measure::Removal { ban_years: Some(y) } => (2, u64::from(*y)),
            Measure::Removal { ban_years: None } => (2, u64::MAX),
        }
    }

    /// A short stable code: `warning`, `suspension_6_after_test`,
    /// `removal_3y`, `removal_permanent`.
    pub fn code(&self) -> String {
        match self {
            Measure::Warning => "warning".to_owned(),
            Measure::Suspension { months, restore } => {
                format!("suspension_{months}_{}", restore.as_str())
            }
            Measure::Removal { ban_years: Some(y) } => format!("removal_{y}y"),
            Measure::Removal { ban_years: None } => "removal_permanent".to_owned(),
        }
    }

    /// The measure as a notice or letter words it.
    pub fn describe_zh(&self) -> String {
        match self {
            Measure::Warning => "警告".to_owned(),
            Measure::Suspension { months, restore } => {
                let how = match restore {
                    RestoreMode::Automatic => "期满自动恢复",
                    RestoreMode::OnApplication => "期满经本人申请并核准后恢复",
                    RestoreMode::AfterTest => "期满经考试合格后恢复",
                };
                format!("暂停评标专家资格{months}个月，{how}")
            }
            Measure::Removal { ban_years: Some(y) } => {
                format!("清除出评标专家库，{y}年内不得再次申请入库")
            }
            Measure::Removal { ban_years: None } => "清除出评标专家库，终身不得再次入库".to_owned(),
        }
    }

    pub fn describe_en(&self) -> String {
        match self {
            Measure::Warning => "warning".to_owned(),
            Measure::Suspension { months, restore } => {
                format!(
                    "suspension for {months} months, restored {}",
                    restore_en(*restore)
                )
            }
            Measure::Removal { ban_years: Some(y) } => {
                format!("removal from the pool, banned from reapplying for {y} years")
            }
            Measure::Removal { ban_years: None } => "removal from the pool for good".to_owned(),
        }
    }
}

fn restore_en(mode: RestoreMode) -> &'static str {
    match mode {
        RestoreMode::Automatic => "automatically at the end",
        RestoreMode::OnApplication => "on an approved application",
        RestoreMode::AfterTest => "after a passed test",
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

/// A sanction: the measure and, where the baseline allows one, a fine in
/// whole yuan. The fine is recorded here; collecting it is not this
/// system's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sanction {
    pub measure: Measure,
    #[serde(default)]
    pub fine_yuan: Option<u64>,
}

impl Sanction {
    pub fn new(measure: Measure) -> Self {
        Self {
            measure,
            fine_yuan: None,
        }
    }

    pub fn with_fine(measure: Measure, yuan: u64) -> Self {
        Self {
            measure,
            fine_yuan: Some(yuan),
        }
    }

    /// Whether `self` is heavier than `other` on either part: a more severe
    /// measure or a larger fine (a fine where there was none counts).
    pub fn exceeds(&self, other: &Sanction) -> bool {
        self.measure.severity() > other.measure.severity()
            || self.fine_yuan.unwrap_or(0) > other.fine_yuan.unwrap_or(0)
    }

    pub fn describe_zh(&self) -> String {
        match self.fine_yuan {
            Some(yuan) => format!("{}，并处罚款人民币{yuan}元", self.measure.describe_zh()),
            None => self.measure.describe_zh(),
        }
    }

    pub fn describe_en(&self) -> String {
        match self.fine_yuan {
            Some(yuan) => format!("{}, and a fine of CNY {yuan}", self.measure.describe_en()),
            None => self.measure.describe_en(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serde_shapes() {
        let cases = [
            (
                Sanction::new(Measure::Warning),
                json!({"measure": {"kind": "warning"}, "fine_yuan": null}),
            ),
            (
                Sanction::with_fine(
                    Measure::Suspension {
                        months: 6,
                        restore: RestoreMode::AfterTest,
                    },
                    5000,
                ),
                json!({"measure": {"kind": "suspension", "months": 6, "restore": "after_test"}, "fine_yuan": 5000}),
            ),
            (
                Sanction::new(Measure::Removal { ban_years: None }),
                json!({"measure": {"kind": "removal", "ban_years": null}, "fine_yuan": null}),
            ),
        ];
        for (sanction, expected) in cases {
            assert_eq!(serde_json::to_value(sanction).unwrap(), expected);
            assert_eq!(
                serde_json::from_value::<Sanction>(expected).unwrap(),
                sanction
            );
        }
        for k in MeasureKind::ALL {
            assert_eq!(MeasureKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), json!(k.as_str()));
        }
        let extra = json!({"kind": "suspension", "months": 3, "restore": "automatic", "x": 1});
        assert!(serde_json::from_value::<Measure>(extra).is_err());
    }

    #[test]
    fn severity_orders_every_measure() {
        let ordered = [
            Measure::Warning,
            Measure::Suspension {
                months: 3,
                restore: RestoreMode::Automatic,
            },
            Measure::Suspension {
                months: 3,
                restore: RestoreMode::AfterTest,
            },
            Measure::Suspension {
                months: 6,
                restore: RestoreMode::Automatic,
            },
            Measure::Suspension {
                months: 12,
                restore: RestoreMode::OnApplication,
            },
            Measure::Removal { ban_years: Some(1) },
            Measure::Removal { ban_years: Some(5) },
            Measure::Removal { ban_years: None },
        ];
        for pair in ordered.windows(2) {
            assert!(pair[0].severity() < pair[1].severity(), "{pair:?}");
        }
        let codes: Vec<String> = ordered.iter().map(Measure::code).collect();
        assert_eq!(
            codes,
            [
                "warning",
                "suspension_3_automatic",
                "suspension_3_after_test",
                "suspension_6_automatic",
                "suspension_12_on_application",
                "removal_1y",
                "removal_5y",
                "removal_permanent"
            ]
        );
    }

    #[test]
    fn exceeds_compares_measure_and_fine() {
        let warn = Sanction::new(Measure::Warning);
        let warn_fined = Sanction::with_fine(Measure::Warning, 3000);
        let removal = Sanction::new(Measure::Removal { ban_years: Some(2) });
        assert!(warn_fined.exceeds(&warn));
        assert!(!warn.exceeds(&warn_fined));
        assert!(removal.exceeds(&warn_fined));
        assert!(!warn.exceeds(&warn));
    }

    #[test]
    fn wording() {
        let s = Sanction::with_fine(
            Measure::Suspension {
                months: 6,
                restore: RestoreMode::AfterTest,
            },
            3000,
        );
        assert_eq!(
            s.describe_zh(),
            "暂停评标专家资格6个月，期满经考试合格后恢复，并处罚款人民币3000元"
        );
        assert_eq!(
            s.describe_en(),
            "suspension for 6 months, restored after a passed test, and a fine of CNY 3000"
        );
        assert_eq!(
            Measure::Removal { ban_years: None }.describe_zh(),
            "清除出评标专家库，终身不得再次入库"
        );
    }
}
