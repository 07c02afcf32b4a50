//! Age in completed years (周岁), the measure behind the admission and
//! retirement age limits.

use chrono::{Datelike, NaiveDate};

/// Completed years on `on`; 0 if `on` is before `birth`. A birthday on
/// 29 February is reached on 1 March in common years: until then the day
/// itself has not come.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> u32 {
    if on < birth {
        return 0;
    }
    let years = on.year() - birth.year();
    let before_birthday = (on.month(), on.day()) < (birth.month(), birth.day());
    let age = if before_birthday { years - 1 } else { years };
    u32::try_from(age).unwrap_or(0)
}

/// The first day on which [`age_on`] is at least `years`; `None` past the
/// calendar's range.
pub fn date_reaching_age(birth: NaiveDate, years: u32) -> Option<NaiveDate> {
    let year = birth.year().checked_add(i32::try_from(years).ok()?)?;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn table() {
        let cases = [
            (d(1960, 5, 10), d(2025, 5, 9), 64),
            (d(1960, 5, 10), d(2025, 5, 10), 65),
            (d(1960, 5, 10), d(2025, 12, 31), 65),
            (d(1960, 12, 31), d(2025, 1, 1), 64),
            (d(1960, 2, 29), d(2025, 2, 28), 64),
            (d(1960, 2, 29), d(2025, 3, 1), 65),
            (d(1960, 2, 29), d(2024, 2, 28), 63),
            (d(1960, 2, 29), d(2024, 2, 29), 64),
            (d(2000, 1, 1), d(2000, 1, 1), 0),
            (d(2000, 1, 1), d(1999, 1, 1), 0),
        ];
        for (birth, on, age) in cases {
            assert_eq!(age_on(birth, on), age, "{birth} on {on}");
        }
    }

    #[test]
    fn date_reaching_age_agrees_with_age_on() {
        for birth in [
            d(1955, 2, 28),
            d(1956, 2, 29),
            d(1955, 3, 1),
            d(1955, 12, 31),
        ] {
            for years in [65, 68, 69, 70] {
                let day = date_reaching_age(birth, years).unwrap();
                assert_eq!(age_on(birth, day), years, "{birth} +{years}");
                assert_eq!(
                    age_on(birth, day.pred_opt().unwrap()),
                    years - 1,
                    "{birth} +{years}"
                );
            }
        }
        assert_eq!(date_reaching_age(d(1956, 2, 29), 70), Some(d(2026, 3, 1)));
        assert_eq!(date_reaching_age(d(1956, 2, 29), 68), Some(d(2024, 2, 29)));
        assert_eq!(date_reaching_age(d(1956, 2, 29), u32::MAX), None);
    }
}
