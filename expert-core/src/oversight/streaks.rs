//! The same expert with the same tenderer: how many consecutive panels of
//! one tenderer an expert sat on (a "regular" of that tenderer), and how
//! many seats an expert held with one tenderer at all.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::SeatRecord;

/// A run of consecutive panels of `tenderer` (ordered by day, then panel
/// id) on each of which `expert` held a seat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streak {
    pub expert: String,
    pub tenderer: String,
    pub length: u32,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TendererStreaks {
    /// Tenderers with at least one panel.
    pub tenderers: u32,
    /// The longest streak of all (0 without seats).
    pub longest: u32,
    /// (expert, tenderer) pairs whose longest streak is at least 2 / 3.
    pub at_least_2: u32,
    pub at_least_3: u32,
    /// (expert, tenderer) pairs with at least 2 seats in the period,
    /// consecutive or not, and the most seats one pair holds.
    pub repeated: u32,
    pub max_seats_with_one_tenderer: u32,
    /// The longest streaks, one per (expert, tenderer), then by expert and
    /// tenderer.
    pub top: Vec<Streak>,
}

/// Streaks over `seats`; `top` longest listed.
#[must_use]
pub fn tenderer_streaks(seats: &[SeatRecord], top: usize) -> TendererStreaks {
    // Each tenderer's panels in order.
    let mut panels: BTreeMap<&str, BTreeSet<(NaiveDate, &str)>> = BTreeMap::new();
    for s in seats {
        panels
            .entry(&s.tenderer)
            .or_default()
            .insert((s.date, &s.panel));
    }
    let position: BTreeMap<(&str, &str), (usize, NaiveDate)> = panels
        .iter()
        .flat_map(|(t, list)| {
            list.iter()
                .enumerate()
                .map(move |(i, (d, p))| ((*t, *p), (i, *d)))
        })
        .collect();
    let mut held: BTreeMap<(&str, &str), BTreeSet<(usize, NaiveDate)>> = BTreeMap::new();
    for s in seats {
        if let Some(&at) = position.get(&(s.tenderer.as_str(), s.panel.as_str())) {
            held.entry((&s.expert, &s.tenderer)).or_default().insert(at);
        }
    }
    let mut streaks = Vec::with_capacity(held.len());
    let mut repeated = 0u32;
    let mut max_seats = 0u32;
    for ((expert, tenderer), list) in &held {
        let n = u32::try_from(list.len()).unwrap_or(u32::MAX);
        max_seats = max_seats.max(n);
        if n >= 2 {
            repeated += 1;
        }
        let mut best: Option<(u32, NaiveDate, NaiveDate)> = None;
        let mut run: Option<(usize, u32, NaiveDate, NaiveDate)> = None;
        for &(i, d) in list {
            run = match run {
                Some((last, len, from, _)) if last + 1 == i => Some((i, len + 1, from, d)),
                _ => Some((i, 1, d, d)),
            };
            if let Some((_, len, from, to)) = run
                && best.is_none_or(|(b, _, _)| len > b)
            {
                best = Some((len, from, to));
            }
        }
        if let Some((length, from, to)) = best {
            streaks.push(Streak {
                expert: (*expert).to_owned(),
                tenderer: (*tenderer).to_owned(),
                length,
                from,
                to,
            });
        }
    }
    let count = |k: u32| {
        u32::try_from(streaks.iter().filter(|s| s.length >= k).count()).unwrap_or(u32::MAX)
    };
    let (at_least_2, at_least_3) = (count(2), count(3));
    streaks.sort_by(|a, b| {
        b.length
            .cmp(&a.length)
            .then_with(|| (&a.expert, &a.tenderer).cmp(&(&b.expert, &b.tenderer)))
    });
    TendererStreaks {
        tenderers: u32::try_from(panels.len()).unwrap_or(u32::MAX),
        longest: streaks.first().map_or(0, |s| s.length),
        at_least_2,
        at_least_3,
        repeated,
        max_seats_with_one_tenderer: max_seats,
        top: streaks.into_iter().take(top).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oversight::fixture::{day, seat};

    #[test]
    fn consecutive_panels_of_one_tenderer() {
        // Tenderer T has panels P1..P5 on days 1..5. A sits on P1, P2, P3
        // and P5 (streak 3, broken by P4); B on P2 and P4 (never
        // consecutive: streak 1, but two seats). U's panel Q1 on day 2
        // does not break T's order.
        let seats = vec![
            seat("A", "r", "P1", "T", "r", 1),
            seat("A", "r", "P2", "T", "r", 2),
            seat("B", "r", "P2", "T", "r", 2),
            seat("A", "r", "Q1", "U", "r", 2),
            seat("A", "r", "P3", "T", "r", 3),
            seat("B", "r", "P4", "T", "r", 4),
            seat("C", "r", "P4", "T", "r", 4),
            seat("A", "r", "P5", "T", "r", 5),
        ];
        let s = tenderer_streaks(&seats, 2);
        assert_eq!(s.tenderers, 2);
        assert_eq!(s.longest, 3);
        assert_eq!((s.at_least_2, s.at_least_3), (1, 1));
        // (A,T) 4 seats, (B,T) 2 seats.
        assert_eq!((s.repeated, s.max_seats_with_one_tenderer), (2, 4));
        assert_eq!(
            s.top[0],
            Streak {
                expert: "A".into(),
                tenderer: "T".into(),
                length: 3,
                from: day(1),
                to: day(3),
            }
        );
        // Then the length-1 streaks by expert: (A,U) before (B,T).
        assert_eq!(
            (s.top[1].expert.as_str(), s.top[1].tenderer.as_str()),
            ("A", "U")
        );
    }

    #[test]
    fn empty() {
        let s = tenderer_streaks(&[], 5);
        assert_eq!((s.tenderers, s.longest, s.repeated), (0, 0, 0));
        assert!(s.top.is_empty());
    }
}
