//! Working days (工作日) in mainland China: Monday to Friday, minus public
//! holidays, plus the weekend days the State Council moves work to (调休上班).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::expert::{FieldError, Rule};

/// Public holidays and adjusted working days. Deserialises from TOML or JSON
/// (`holidays = ["2026-10-01", ...]`, dates as strings); missing keys take the defaults, which
/// are the 2026 arrangement. Each year's arrangement is published in
/// November of the year before and must be added here: a year with no entries
/// counts weekdays only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkCalendar {
    /// Days off, whatever the weekday.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    pub adjusted_workdays: BTreeSet<NaiveDate>,
}

impl Default for WorkCalendar {
    fn default() -> Self {
        Self::china_2026()
    }
}

/// 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04): (month, first
/// day, last day) of each holiday.
const CHINA_2026_HOLIDAYS: [(u32, u32, u32); 7] = [
    (1, 1, 3),   // 元旦
    (2, 15, 23), // 春节
    (4, 4, 6),   // 清明节
    (5, 1, 5),   // 劳动节
    (6, 19, 21), // 端午节
    (9, 25, 27), // 中秋节
    (10, 1, 7),  // 国庆节
];

/// The same notice's weekend working days: (month, day).
const CHINA_2026_WORKDAYS: [(u32, u32); 6] = [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)];

/// The furthest a working-day count may look ahead; a calendar that has no
/// working day in ten years is broken, and this keeps the loop bounded.
const MAX_SCAN_DAYS: u32 = 3660;

impl WorkCalendar {
    /// Weekdays only: no holidays, no adjusted days.
    pub fn weekdays_only() -> Self {
        Self {
            holidays: BTreeSet::new(),
            adjusted_workdays: BTreeSet::new(),
        }
    }

    /// The official 2026 arrangement.
    pub fn china_2026() -> Self {
        let holidays = CHINA_2026_HOLIDAYS
            .iter()
            .flat_map(|&(m, first, last)| {
                (first..=last).filter_map(move |d| NaiveDate::from_ymd_opt(2026, m, d))
            })
            .collect();
        let adjusted_workdays = CHINA_2026_WORKDAYS
            .iter()
            .filter_map(|&(m, d)| NaiveDate::from_ymd_opt(2026, m, d))
            .collect();
        Self {
            holidays,
            adjusted_workdays,
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.adjusted_workdays.contains(&date) {
            return true;
        }
        if self.holidays.contains(&date) {
            return false;
        }
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The `n`-th working day after `start` (`start` itself never counts, so
    /// a window of 5 working days from a notice served on `start` ends on the
    /// returned day, inclusive). `n = 0` gives `start`. `None` on date
    /// overflow or when no working day is found within ten years.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> Option<NaiveDate> {
        let mut date = start;
        let mut left = n;
        let mut scanned = 0u32;
        while left > 0 {
            date = date.succ_opt()?;
            scanned += 1;
            if scanned > MAX_SCAN_DAYS.saturating_add(n) {
                return None;
            }
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        Some(date)
    }

    /// Working days in `(from, to]`: how many have passed since `from` by the
    /// end of `to`. Zero when `to <= from`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .fold(0u32, |n, _| n.saturating_add(1))
    }

    /// Entries that contradict each other or say nothing; empty for a usable
    /// calendar. `field` paths are relative to the calendar.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for date in self.holidays.intersection(&self.adjusted_workdays) {
            errors.push(FieldError::new(
                "adjusted_workdays",
                Rule::Duplicate,
                format!("{date}不能既是节假日又是调休上班日"),
                format!("{date} is both a holiday and an adjusted working day"),
            ));
        }
        for date in &self.adjusted_workdays {
            if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                errors.push(FieldError::new(
                    "adjusted_workdays",
                    Rule::OutOfRange,
                    format!("调休上班日{date}须为周六或周日"),
                    format!("adjusted working day {date} must be a Saturday or Sunday"),
                ));
            }
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_2026_arrangement() {
        let c = WorkCalendar::china_2026();
        assert_eq!(c.holidays.len(), 3 + 9 + 3 + 5 + 3 + 3 + 7);
        assert_eq!(c.adjusted_workdays.len(), 6);
        assert!(c.validate().is_empty(), "{:?}", c.validate());
        // Sunday 4 January is worked, Thursday 1 January is not.
        assert!(c.is_working_day(d(2026, 1, 4)));
        assert!(!c.is_working_day(d(2026, 1, 1)));
        assert!(!c.is_working_day(d(2026, 2, 23)));
        assert!(c.is_working_day(d(2026, 2, 24)));
        assert!(c.is_working_day(d(2026, 10, 10)));
        assert!(!c.is_working_day(d(2026, 10, 11)));
        assert!(c.is_working_day(d(2026, 11, 26)));
        assert!(!c.is_working_day(d(2026, 11, 28)));
    }

    #[test]
    fn five_working_days() {
        let c = WorkCalendar::china_2026();
        let cases = [
            // An ordinary week: Monday + 5 = next Monday.
            (d(2026, 3, 2), d(2026, 3, 9)),
            // Served Friday: Mon..Fri of the next week.
            (d(2026, 3, 6), d(2026, 3, 13)),
            // Served Saturday, a weekend: the following Friday.
            (d(2026, 3, 7), d(2026, 3, 13)),
            // Across 国庆: Sep 28, 29, 30, (Oct 1-7 off), Oct 8, 9.
            (d(2026, 9, 25), d(2026, 10, 9)),
            // Across 春节 with the adjusted Saturdays 14 and 28 February.
            (d(2026, 2, 12), d(2026, 2, 26)),
            // New year: 1-3 January off, Sunday 4 January worked.
            (d(2025, 12, 31), d(2026, 1, 8)),
        ];
        for (start, end) in cases {
            assert_eq!(c.add_working_days(start, 5), Some(end), "from {start}");
            assert_eq!(c.working_days_between(start, end), 5, "from {start}");
        }
        assert_eq!(c.add_working_days(d(2026, 2, 12), 0), Some(d(2026, 2, 12)));
        // 2026-02-13 (Fri), 02-14 (Sat, worked), 02-24, 02-25, ... .
        assert_eq!(c.add_working_days(d(2026, 2, 12), 2), Some(d(2026, 2, 14)));
        assert_eq!(c.add_working_days(d(2026, 2, 12), 3), Some(d(2026, 2, 24)));
        assert_eq!(c.working_days_between(d(2026, 3, 9), d(2026, 3, 2)), 0);
    }

    #[test]
    fn a_calendar_without_working_days_gives_up() {
        let start = d(2026, 1, 1);
        let c = WorkCalendar {
            holidays: start.iter_days().take(4000).collect(),
            adjusted_workdays: BTreeSet::new(),
        };
        assert_eq!(c.add_working_days(start, 1), None);
        assert_eq!(
            WorkCalendar::weekdays_only().add_working_days(NaiveDate::MAX, 1),
            None
        );
    }

    #[test]
    fn contradictions_are_reported() {
        let c = WorkCalendar {
            holidays: [d(2026, 10, 10)].into(),
            adjusted_workdays: [d(2026, 10, 10), d(2026, 10, 12)].into(),
        };
        let rules: Vec<Rule> = c.validate().into_iter().map(|e| e.rule).collect();
        assert_eq!(rules, [Rule::Duplicate, Rule::OutOfRange]);
    }

    #[test]
    fn toml_round_trip_and_partial() {
        let c = WorkCalendar::default();
        let text = toml::to_string(&c).unwrap();
        assert_eq!(toml::from_str::<WorkCalendar>(&text).unwrap(), c);
        let partial: WorkCalendar = toml::from_str("holidays = [\"2027-01-01\"]\n").unwrap();
        assert_eq!(partial.holidays, [d(2027, 1, 1)].into());
        assert_eq!(partial.adjusted_workdays, c.adjusted_workdays);
        assert!(toml::from_str::<WorkCalendar>("holiday = []\n").is_err());
    }

    proptest! {
        /// The n-th working day after a date is a working day, exactly n
        /// working days later, and weekdays-only never skips more than
        /// two days per five.
        #[test]
        fn add_and_count_agree(offset in 0i64..1500, n in 0u32..40) {
            let c = WorkCalendar::china_2026();
            let start = d(2025, 6, 1) + chrono::Duration::days(offset);
            let end = c.add_working_days(start, n).unwrap();
            prop_assert_eq!(c.working_days_between(start, end), n);
            if n > 0 {
                prop_assert!(c.is_working_day(end));
                let plain = WorkCalendar::weekdays_only().add_working_days(start, n).unwrap();
                prop_assert!((plain - start).num_days() <= i64::from(n) / 5 * 7 + 7);
            }
        }
    }
}
