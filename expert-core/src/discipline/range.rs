//! The sanctions one rule of the baseline allows: which measures, which
//! suspension lengths and restore tiers, which bans and which fines.

use serde::{Deserialize, Serialize};

use super::sanction::Measure;
use crate::expert::{FieldError, Rule};
use crate::lifecycle::RestoreMode;

/// A range of sanctions. Deserialises from a partial table: missing keys
/// allow nothing, so `{ warning = true }` allows a warning only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SanctionRange {
    pub warning: bool,
    /// Allowed suspension lengths in months (e.g. `[3, 6, 12]`).
    pub suspension_months: Vec<u32>,
    /// Restore tiers a suspension may carry.
    pub restore: Vec<RestoreMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removal: Option<RemovalRange>,
    /// A fine in whole yuan, inclusive bounds. Absent: no fine allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fine_yuan: Option<AmountRange>,
}

/// Which bans a removal may carry: a number of years within `ban_years`,
/// and/or a permanent bar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RemovalRange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ban_years: Option<AmountRange>,
    pub permanent: bool,
}

/// Inclusive `min..=max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountRange {
    pub min: u64,
    pub max: u64,
}

impl AmountRange {
    pub fn contains(&self, value: u64) -> bool {
        self.min <= value && value <= self.max
    }
}

impl SanctionRange {
    pub fn allows_measure(&self, measure: &Measure) -> bool {
        match measure {
            Measure::Warning => self.warning,
            Measure::Suspension { months, restore } => {
                self.suspension_months.contains(months) && self.restore.contains(restore)
            }
            Measure::Removal { ban_years } => {
                self.removal.as_ref().is_some_and(|r| match ban_years {
                    None => r.permanent,
                    Some(y) => r
                        .ban_years
                        .is_some_and(|range| range.contains(u64::from(*y))),
                })
            }
        }
    }

    /// `None` (no fine) is always allowed; an amount must lie in the range.
    pub fn allows_fine(&self, fine_yuan: Option<u64>) -> bool {
        match fine_yuan {
            None => true,
            Some(yuan) => self.fine_yuan.is_some_and(|r| r.contains(yuan)),
        }
    }

    /// The most severe measure this range allows, by [`Measure::severity`].
    pub fn max_severity(&self) -> Option<(u8, u64)> {
        self.measures().iter().map(Measure::severity).max()
    }

    /// The measures allowed, as representatives: every suspension length
    /// with every tier, the shortest and longest ban, and a permanent bar.
    pub fn measures(&self) -> Vec<Measure> {
        let mut out = Vec::new();
        if self.warning {
            out.push(Measure::Warning);
        }
        for &months in &self.suspension_months {
            for &restore in &self.restore {
                out.push(Measure::Suspension { months, restore });
            }
        }
        if let Some(removal) = &self.removal {
            if let Some(range) = removal.ban_years {
                for years in [range.min, range.max] {
                    if let Ok(years) = u32::try_from(years) {
                        out.push(Measure::Removal {
                            ban_years: Some(years),
                        });
                    }
                }
                out.dedup();
            }
            if removal.permanent {
                out.push(Measure::Removal { ban_years: None });
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.measures().is_empty()
    }

    /// What the range allows, in Chinese, for error messages and notices.
    pub fn describe_zh(&self) -> String {
        let mut parts = Vec::new();
        if self.warning {
            parts.push("警告".to_owned());
        }
        if !self.suspension_months.is_empty() {
            let months: Vec<String> = self.suspension_months.iter().map(u32::to_string).collect();
            let tiers: Vec<&str> = self.restore.iter().map(|r| restore_zh(*r)).collect();
            parts.push(format!(
                "暂停{}个月（{}）",
                months.join("/"),
                tiers.join("、")
            ));
        }
        if let Some(removal) = &self.removal {
            if let Some(r) = removal.ban_years {
                parts.push(format!("清除出库并禁入{}至{}年", r.min, r.max));
            }
            if removal.permanent {
                parts.push("清除出库并终身禁入".to_owned());
            }
        }
        if let Some(f) = self.fine_yuan {
            parts.push(format!("罚款{}至{}元", f.min, f.max));
        }
        if parts.is_empty() {
            return "无".to_owned();
        }
        parts.join("；")
    }

    pub fn describe_en(&self) -> String {
        let mut parts = Vec::new();
        if self.warning {
            parts.push("warning".to_owned());
        }
        if !self.suspension_months.is_empty() {
            let months: Vec<String> = self.suspension_months.iter().map(u32::to_string).collect();
            let tiers: Vec<&str> = self.restore.iter().map(|r| r.as_str()).collect();
            parts.push(format!(
                "suspension of {} months ({})",
                months.join("/"),
                tiers.join(", ")
            ));
        }
        if let Some(removal) = &self.removal {
            if let Some(r) = removal.ban_years {
                parts.push(format!(
                    "removal with a ban of {} to {} years",
                    r.min, r.max
                ));
            }
            if removal.permanent {
                parts.push("removal for good".to_owned());
            }
        }
        if let Some(f) = self.fine_yuan {
            parts.push(format!("fine of CNY {} to {}", f.min, f.max));
        }
        if parts.is_empty() {
            return "nothing".to_owned();
        }
        parts.join("; ")
    }

    /// Settings that cannot work; `field` paths relative to the range.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.is_empty() {
            errors.push(FieldError::new(
                "",
                Rule::Required,
                "处罚幅度须至少允许一种处理措施",
                "a sanction range must allow at least one measure",
            ));
        }
        for (i, &months) in self.suspension_months.iter().enumerate() {
            if !(1..=60).contains(&months) {
                errors.push(FieldError::new(
                    format!("suspension_months/{i}"),
                    Rule::OutOfRange,
                    "暂停月数须为1至60",
                    "suspension months must be between 1 and 60",
                ));
            }
            if self
                .suspension_months
                .get(..i)
                .is_some_and(|s| s.contains(&months))
            {
                errors.push(duplicate(format!("suspension_months/{i}")));
            }
        }
        for (i, restore) in self.restore.iter().enumerate() {
            if self.restore.get(..i).is_some_and(|s| s.contains(restore)) {
                errors.push(duplicate(format!("restore/{i}")));
            }
        }
        if self.suspension_months.is_empty() != self.restore.is_empty() {
            errors.push(FieldError::new(
                "restore",
                Rule::Required,
                "暂停月数与恢复方式须同时填写或同时为空",
                "suspension_months and restore must both be set or both be empty",
            ));
        }
        if let Some(removal) = &self.removal {
            if removal.ban_years.is_none() && !removal.permanent {
                errors.push(FieldError::new(
                    "removal",
                    Rule::Required,
                    "清除出库须允许禁入年限或终身禁入",
                    "removal must allow ban years or a permanent bar",
                ));
            }
            if let Some(r) = removal.ban_years
                && (r.min == 0 || r.min > r.max || r.max > 100)
            {
                errors.push(FieldError::new(
                    "removal/ban_years",
                    Rule::OutOfRange,
                    "禁入年限须满足 1 ≤ 最小值 ≤ 最大值 ≤ 100",
                    "ban years must satisfy 1 <= min <= max <= 100",
                ));
            }
        }
        if let Some(f) = self.fine_yuan
            && (f.max == 0 || f.min > f.max)
        {
            errors.push(FieldError::new(
                "fine_yuan",
                Rule::OutOfRange,
                "罚款幅度须满足 最小值 ≤ 最大值 且最大值大于0",
                "fine range must satisfy min <= max and max > 0",
            ));
        }
        errors
    }
}

fn duplicate(field: String) -> FieldError {
    FieldError::new(field, Rule::Duplicate, "重复的取值", "duplicate value")
}

pub(crate) fn restore_zh(mode: RestoreMode) -> &'static str {
    match mode {
        RestoreMode::Automatic => "期满自动恢复",
        RestoreMode::OnApplication => "申请恢复",
        RestoreMode::AfterTest => "考试合格后恢复",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suspension(months: u32, restore: RestoreMode) -> Measure {
        Measure::Suspension { months, restore }
    }

    fn range() -> SanctionRange {
        SanctionRange {
            warning: true,
            suspension_months: vec![3, 6],
            restore: vec![RestoreMode::Automatic, RestoreMode::AfterTest],
            removal: Some(RemovalRange {
                ban_years: Some(AmountRange { min: 1, max: 3 }),
                permanent: false,
            }),
            fine_yuan: Some(AmountRange {
                min: 3000,
                max: 50_000,
            }),
        }
    }

    #[test]
    fn membership() {
        let r = range();
        let allowed = [
            Measure::Warning,
            suspension(3, RestoreMode::Automatic),
            suspension(6, RestoreMode::AfterTest),
            Measure::Removal { ban_years: Some(1) },
            Measure::Removal { ban_years: Some(3) },
        ];
        let refused = [
            suspension(12, RestoreMode::Automatic),
            suspension(6, RestoreMode::OnApplication),
            Measure::Removal { ban_years: Some(0) },
            Measure::Removal { ban_years: Some(4) },
            Measure::Removal { ban_years: None },
        ];
        for m in allowed {
            assert!(r.allows_measure(&m), "{m}");
        }
        for m in refused {
            assert!(!r.allows_measure(&m), "{m}");
        }
        assert!(r.allows_fine(None));
        assert!(r.allows_fine(Some(3000)) && r.allows_fine(Some(50_000)));
        assert!(!r.allows_fine(Some(2999)) && !r.allows_fine(Some(50_001)));
        let warn_only = SanctionRange {
            warning: true,
            ..SanctionRange::default()
        };
        assert!(!warn_only.allows_fine(Some(1)));
        assert!(!warn_only.allows_measure(&Measure::Removal { ban_years: None }));
        assert_eq!(warn_only.max_severity(), Some(Measure::Warning.severity()));
        assert_eq!(
            r.max_severity(),
            Some(Measure::Removal { ban_years: Some(3) }.severity())
        );
        assert_eq!(SanctionRange::default().max_severity(), None);
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            range().describe_zh(),
            "警告；暂停3/6个月（期满自动恢复、考试合格后恢复）；清除出库并禁入1至3年；罚款3000至50000元"
        );
        assert_eq!(
            range().describe_en(),
            "warning; suspension of 3/6 months (automatic, after_test); removal with a ban of 1 to 3 years; fine of CNY 3000 to 50000"
        );
        assert_eq!(SanctionRange::default().describe_zh(), "无");
        assert_eq!(SanctionRange::default().describe_en(), "nothing");
    }

    #[test]
    fn validation() {
        assert!(range().validate().is_empty());
        let fields = |r: SanctionRange| -> Vec<(String, Rule)> {
            r.validate()
                .into_iter()
                .map(|e| (e.field, e.rule))
                .collect()
        };
        assert_eq!(
            fields(SanctionRange::default()),
            [(String::new(), Rule::Required)]
        );
        let bad = SanctionRange {
            warning: true,
            suspension_months: vec![3, 0, 3],
            restore: vec![],
            removal: Some(RemovalRange {
                ban_years: Some(AmountRange { min: 4, max: 2 }),
                permanent: false,
            }),
            fine_yuan: Some(AmountRange { min: 10, max: 0 }),
        };
        assert_eq!(
            fields(bad),
            [
                ("suspension_months/1".into(), Rule::OutOfRange),
                ("suspension_months/2".into(), Rule::Duplicate),
                ("restore".into(), Rule::Required),
                ("removal/ban_years".into(), Rule::OutOfRange),
                ("fine_yuan".into(), Rule::OutOfRange),
            ]
        );
        let removal_without_ban = SanctionRange {
            removal: Some(RemovalRange::default()),
            restore: vec![RestoreMode::Automatic, RestoreMode::Automatic],
            suspension_months: vec![3],
            ..SanctionRange::default()
        };
        assert_eq!(
            fields(removal_without_ban),
            [
                ("restore/1".into(), Rule::Duplicate),
                ("removal".into(), Rule::Required)
            ]
        );
    }
}
