//! A membership term (聘期): experts are admitted for a fixed number of years
//! and must pass a re-review to serve another term.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Term `number` (1 = first) over `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Term {
    pub number: u32,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Term {
    /// A term of `years` years from `start`. A term starting on 29 February
    /// ends on 28 February when the end year is not a leap year (one day
    /// short, never a day long). `None` for number 0, 0 years or overflow.
    pub fn new(number: u32, start: NaiveDate, years: u32) -> Option<Term> {
        if number == 0 || years == 0 {
            return None;
        }
        let end = start.checked_add_months(Months::new(years.checked_mul(12)?))?;
        Some(Term { number, start, end })
    }

    /// Whether this is a usable term: numbered from 1 and not empty.
    pub fn is_valid(&self) -> bool {
        self.number >= 1 && self.end > self.start
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date < self.end
    }

    pub fn has_expired_on(&self, date: NaiveDate) -> bool {
        self.end <= date
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn ends_and_leap_days() {
        let cases = [
            (d(2025, 3, 15), 4, d(2029, 3, 15)),
            (d(2024, 2, 29), 4, d(2028, 2, 29)),
            (d(2024, 2, 29), 1, d(2025, 2, 28)),
            (d(2025, 12, 31), 4, d(2029, 12, 31)),
        ];
        for (start, years, end) in cases {
            let t = Term::new(1, start, years).unwrap();
            assert_eq!(t.end, end);
            assert!(t.is_valid());
            assert!(t.contains(start) && !t.contains(end) && t.contains(end.pred_opt().unwrap()));
            assert!(t.has_expired_on(end) && !t.has_expired_on(end.pred_opt().unwrap()));
        }
        assert_eq!(Term::new(0, d(2025, 1, 1), 4), None);
        assert_eq!(Term::new(1, d(2025, 1, 1), 0), None);
        assert_eq!(Term::new(1, d(2025, 1, 1), u32::MAX), None);
        assert_eq!(Term::new(1, NaiveDate::MAX, 1), None);
    }
}
