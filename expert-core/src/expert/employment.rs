//! Where an expert has worked and when: kept in full, never deleted, because
//! the conflict rule looks back at past employers (3 years before a draw).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::profile::Employer;

/// One employment over `[from, to)`: `to` is the first day no longer employed
/// there, `None` while it lasts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employment {
    pub employer: Employer,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Employment {
    /// Whether any day on or after `date` falls into this employment.
    pub fn reaches(&self, date: NaiveDate) -> bool {
        self.to.is_none_or(|to| to > date)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmploymentError {
    #[error("工作经历不能为空 / employment history must not be empty")]
    Empty,
    #[error(
        "变更日期{on}早于现单位入职日期{current_from} / change date {on} is before the current employment's start {current_from}"
    )]
    BeforeCurrentStart {
        on: NaiveDate,
        current_from: NaiveDate,
    },
    #[error("新单位与现单位相同 / the new employer is the current one")]
    SameEmployer,
    #[error("第{index}段工作经历结束早于开始 / employment {index} ends before it starts")]
    EndsBeforeStart { index: usize },
    #[error(
        "第{index}段工作经历与前一段重叠或未结束 / employment {index} overlaps the previous one, or the previous one is still open"
    )]
    Overlap { index: usize },
}

/// An expert's employments in time order; only the last may be open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Employment>", into = "Vec<Employment>")]
pub struct EmploymentHistory {
    entries: Vec<Employment>,
}

impl EmploymentHistory {
    pub fn new(employer: Employer, from: NaiveDate) -> Self {
        Self {
            entries: vec![Employment {
                employer,
                from,
                to: None,
            }],
        }
    }

    /// Rebuilds a stored history, checking order: each entry ends no earlier
    /// than it starts, starts no earlier than the previous one ended, and
    /// only the last may be open. Gaps (periods without employer) are allowed.
    pub fn from_entries(entries: Vec<Employment>) -> Result<Self, EmploymentError> {
        if entries.is_empty() {
            return Err(EmploymentError::Empty);
        }
        let mut previous_end: Option<Option<NaiveDate>> = None;
        for (index, e) in entries.iter().enumerate() {
            if e.to.is_some_and(|to| to < e.from) {
                return Err(EmploymentError::EndsBeforeStart { index });
            }
            match previous_end {
                Some(None) => return Err(EmploymentError::Overlap { index }),
                Some(Some(end)) if e.from < end => {
                    return Err(EmploymentError::Overlap { index });
                }
                _ => {}
            }
            previous_end = Some(e.to);
        }
        Ok(Self { entries })
    }

    pub fn entries(&self) -> &[Employment] {
        &self.entries
    }

    /// The open employment, if the expert is employed now.
    pub fn current(&self) -> Option<&Employment> {
        self.entries.last().filter(|e| e.to.is_none())
    }

    /// Closes the current employment on `on` and opens one with `new` from
    /// `on`. Nothing is ever removed. Without an open employment, `new`
    /// simply starts on `on` (which must not precede the last end).
    pub fn change_employer(&mut self, new: Employer, on: NaiveDate) -> Result<(), EmploymentError> {
        match self.entries.last_mut() {
            Some(current) if current.to.is_none() => {
                if on < current.from {
                    return Err(EmploymentError::BeforeCurrentStart {
                        on,
                        current_from: current.from,
                    });
                }
                if current.employer.code == new.code {
                    return Err(EmploymentError::SameEmployer);
                }
                current.to = Some(on);
            }
            Some(last) => {
                if let Some(end) = last.to.filter(|&end| on < end) {
                    return Err(EmploymentError::BeforeCurrentStart {
                        on,
                        current_from: end,
                    });
                }
            }
            None => {}
        }
        self.entries.push(Employment {
            employer: new,
            from: on,
            to: None,
        });
        Ok(())
    }

    /// Employers the expert worked for on `date` or any later day, the current
    /// one included; for "employed now or in the last 3 years" pass the day
    /// 3 years before the draw.
    pub fn employers_since(&self, date: NaiveDate) -> impl Iterator<Item = &Employer> {
        self.entries
            .iter()
            .filter(move |e| e.reaches(date))
            .map(|e| &e.employer)
    }
}

impl TryFrom<Vec<Employment>> for EmploymentHistory {
    type Error = EmploymentError;

    fn try_from(entries: Vec<Employment>) -> Result<Self, Self::Error> {
        Self::from_entries(entries)
    }
}

impl From<EmploymentHistory> for Vec<Employment> {
    fn from(h: EmploymentHistory) -> Self {
        h.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::{CreditCode, with_check_char};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn employer(n: u32) -> Employer {
        let code = with_check_char(&format!("91420100MA{n:07}")).unwrap();
        Employer {
            name: format!("单位{n}"),
            code: CreditCode::parse(&code).unwrap(),
        }
    }

    fn codes<'a>(it: impl Iterator<Item = &'a Employer>) -> Vec<String> {
        it.map(|e| e.name.clone()).collect()
    }

    #[test]
    fn change_closes_the_current_and_keeps_everything() {
        let mut h = EmploymentHistory::new(employer(1), d(2010, 3, 1));
        h.change_employer(employer(2), d(2020, 7, 1)).unwrap();
        h.change_employer(employer(3), d(2023, 1, 1)).unwrap();
        assert_eq!(h.entries().len(), 3);
        assert_eq!(h.entries()[0].to, Some(d(2020, 7, 1)));
        assert_eq!(h.entries()[1].to, Some(d(2023, 1, 1)));
        assert_eq!(h.current().map(|e| e.employer.name.as_str()), Some("单位3"));

        // Employment 2 ended 2023-01-01: its last day was 2022-12-31.
        assert_eq!(
            codes(h.employers_since(d(2022, 12, 31))),
            ["单位2", "单位3"]
        );
        assert_eq!(codes(h.employers_since(d(2023, 1, 1))), ["单位3"]);
        assert_eq!(
            codes(h.employers_since(d(2020, 6, 30))),
            ["单位1", "单位2", "单位3"]
        );
        assert_eq!(codes(h.employers_since(d(2000, 1, 1))).len(), 3);
    }

    #[test]
    fn change_validates_date_and_employer() {
        let mut h = EmploymentHistory::new(employer(1), d(2010, 3, 1));
        assert_eq!(
            h.change_employer(employer(2), d(2010, 2, 28)),
            Err(EmploymentError::BeforeCurrentStart {
                on: d(2010, 2, 28),
                current_from: d(2010, 3, 1)
            })
        );
        assert_eq!(
            h.change_employer(employer(1), d(2012, 1, 1)),
            Err(EmploymentError::SameEmployer)
        );
        assert_eq!(
            h.entries().len(),
            1,
            "failed changes leave the history alone"
        );
        // The same day as the start is allowed (a same-day correction).
        h.change_employer(employer(2), d(2010, 3, 1)).unwrap();
        assert_eq!(h.entries().len(), 2);
    }

    #[test]
    fn stored_histories_are_checked() {
        let e = |n, from, to| Employment {
            employer: employer(n),
            from,
            to,
        };
        assert_eq!(
            EmploymentHistory::from_entries(vec![]),
            Err(EmploymentError::Empty)
        );
        assert_eq!(
            EmploymentHistory::from_entries(vec![e(1, d(2010, 1, 1), Some(d(2009, 1, 1)))]),
            Err(EmploymentError::EndsBeforeStart { index: 0 })
        );
        assert_eq!(
            EmploymentHistory::from_entries(vec![
                e(1, d(2010, 1, 1), None),
                e(2, d(2012, 1, 1), None)
            ]),
            Err(EmploymentError::Overlap { index: 1 })
        );
        assert_eq!(
            EmploymentHistory::from_entries(vec![
                e(1, d(2010, 1, 1), Some(d(2013, 1, 1))),
                e(2, d(2012, 1, 1), None)
            ]),
            Err(EmploymentError::Overlap { index: 1 })
        );
        // A gap without employer, then a closed history: fine.
        let mut h = EmploymentHistory::from_entries(vec![
            e(1, d(2010, 1, 1), Some(d(2011, 1, 1))),
            e(2, d(2012, 1, 1), Some(d(2014, 1, 1))),
        ])
        .unwrap();
        assert!(h.current().is_none());
        assert!(h.change_employer(employer(3), d(2013, 1, 1)).is_err());
        h.change_employer(employer(3), d(2015, 1, 1)).unwrap();
        assert_eq!(h.entries().len(), 3);
    }

    #[test]
    fn serde_is_the_list_and_validates() {
        let mut h = EmploymentHistory::new(employer(1), d(2010, 3, 1));
        h.change_employer(employer(2), d(2020, 7, 1)).unwrap();
        let json = serde_json::to_value(&h).unwrap();
        assert_eq!(json[0]["to"], "2020-07-01");
        assert_eq!(json[1]["to"], serde_json::Value::Null);
        let back: EmploymentHistory = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, h);
        let mut broken = json;
        broken[0]["to"] = serde_json::Value::Null;
        assert!(serde_json::from_value::<EmploymentHistory>(broken).is_err());
    }
}
