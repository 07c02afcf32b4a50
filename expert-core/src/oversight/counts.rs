//! Counts over a period: seats from outside the project's region and the
//! flow between regions; shortfalls, relaxations and abandoned draws;
//! declines by expert and reason; sealed reads by actor; and the main
//! figures per month.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::distribution::gini;
use super::{DeclineRecord, DrawRecord, PeriodRecords, SealedRead, SeatRecord, ratio};

/// Seats of experts of `expert_region` on panels of `project_region`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowCell {
    pub project_region: String,
    pub expert_region: String,
    pub seats: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionFlow {
    pub seats: u64,
    /// Seats held by experts of another region than the project's.
    pub outside: u64,
    pub share_outside: f64,
    /// Every non-empty cell, by project region then expert region.
    pub flow: Vec<FlowCell>,
}

#[must_use]
pub fn region_flow(seats: &[SeatRecord]) -> RegionFlow {
    let mut cells: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    let mut outside = 0u64;
    for s in seats {
        *cells
            .entry((&s.project_region, &s.expert_region))
            .or_insert(0) += 1;
        if s.project_region != s.expert_region {
            outside += 1;
        }
    }
    let total = seats.len() as u64;
    RegionFlow {
        seats: total,
        outside,
        share_outside: ratio(outside, total),
        flow: cells
            .into_iter()
            .map(|((p, e), n)| FlowCell {
                project_region: p.to_owned(),
                expert_region: e.to_owned(),
                seats: n,
            })
            .collect(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawCounts {
    pub draws: u64,
    /// Draws that could not fill every primary, and the primaries missing.
    pub short: u64,
    pub missing: u64,
    /// Draws under an approved looser policy.
    pub relaxations: u64,
    /// Redraws and supplementary draws (a parent named).
    pub with_parent: u64,
    /// Committed and never revealed.
    pub abandoned: u64,
}

#[must_use]
pub fn draw_counts(draws: &[DrawRecord]) -> DrawCounts {
    let count = |f: &dyn Fn(&DrawRecord) -> bool| draws.iter().filter(|d| f(d)).count() as u64;
    DrawCounts {
        draws: draws.len() as u64,
        short: count(&|d| d.shortfall > 0),
        missing: draws.iter().map(|d| u64::from(d.shortfall)).sum(),
        relaxations: count(&|d| d.relaxation),
        with_parent: count(&|d| d.parent.is_some()),
        abandoned: count(&|d| d.abandoned),
    }
}

/// A name (expert, reason, actor) and how often it occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub key: String,
    pub count: u64,
}

/// By descending count, then key.
fn tallies<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<Tally> {
    let mut map: BTreeMap<&str, u64> = BTreeMap::new();
    for k in keys {
        *map.entry(k).or_insert(0) += 1;
    }
    let mut out: Vec<Tally> = map
        .into_iter()
        .map(|(k, n)| Tally {
            key: k.to_owned(),
            count: n,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclineCounts {
    pub declines: u64,
    /// Declines over invitations answered (declines + seats).
    pub rate: f64,
    pub experts_declining: u64,
    pub by_reason: Vec<Tally>,
    /// The experts declining most often.
    pub top_experts: Vec<Tally>,
}

#[must_use]
pub fn decline_counts(declines: &[DeclineRecord], seats: usize, top: usize) -> DeclineCounts {
    let by_expert = tallies(declines.iter().map(|d| d.expert.as_str()));
    let n = declines.len() as u64;
    DeclineCounts {
        declines: n,
        rate: ratio(n, n + seats as u64),
        experts_declining: by_expert.len() as u64,
        by_reason: tallies(declines.iter().map(|d| d.reason.as_str())),
        top_experts: by_expert.into_iter().take(top).collect(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedReadCounts {
    pub reads: u64,
    pub by_actor: Vec<Tally>,
}

#[must_use]
pub fn sealed_read_counts(reads: &[SealedRead]) -> SealedReadCounts {
    SealedReadCounts {
        reads: reads.len() as u64,
        by_actor: tallies(reads.iter().map(|r| r.actor.as_str())),
    }
}

/// One calendar month of the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthRow {
    /// `YYYY-MM`.
    pub month: String,
    pub draws: u64,
    pub seats: u64,
    pub experts_seated: u64,
    pub share_outside: f64,
    /// Gini of the month's seats over the experts seated that month.
    pub gini: f64,
    pub declines: u64,
}

/// The figures per month, for every month with a draw, seat or decline.
#[must_use]
pub fn months(records: &PeriodRecords) -> Vec<MonthRow> {
    let key = |d: chrono::NaiveDate| format!("{:04}-{:02}", d.year(), d.month());
    #[derive(Default)]
    struct Acc<'a> {
        draws: u64,
        outside: u64,
        per_expert: BTreeMap<&'a str, u64>,
        seats: u64,
        declines: u64,
    }
    let mut by_month: BTreeMap<String, Acc<'_>> = BTreeMap::new();
    for d in &records.draws {
        by_month.entry(key(d.date)).or_default().draws += 1;
    }
    for s in &records.seats {
        let acc = by_month.entry(key(s.date)).or_default();
        acc.seats += 1;
        acc.outside += u64::from(s.project_region != s.expert_region);
        *acc.per_expert.entry(&s.expert).or_insert(0) += 1;
    }
    for d in &records.declines {
        by_month.entry(key(d.date)).or_default().declines += 1;
    }
    by_month
        .into_iter()
        .map(|(month, acc)| {
            let counts: Vec<u64> = acc.per_expert.values().copied().collect();
            MonthRow {
                month,
                draws: acc.draws,
                seats: acc.seats,
                experts_seated: acc.per_expert.len() as u64,
                share_outside: ratio(acc.outside, acc.seats),
                gini: gini(&counts),
                declines: acc.declines,
            }
        })
        .collect()
}

/// The regions that appear in a flow, sorted: the rows and columns of the
/// flow matrix.
#[must_use]
pub fn flow_regions(flow: &RegionFlow) -> Vec<String> {
    let set: BTreeSet<&str> = flow
        .flow
        .iter()
        .flat_map(|c| [c.project_region.as_str(), c.expert_region.as_str()])
        .collect();
    set.into_iter().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oversight::fixture::{day, seat};

    #[test]
    fn seats_from_outside_and_the_flow() {
        let seats = vec![
            seat("A", "420100", "P1", "T", "420500", 1),
            seat("B", "420500", "P1", "T", "420500", 1),
            seat("C", "420100", "P1", "T", "420500", 1),
            seat("D", "420100", "P2", "T", "420100", 2),
        ];
        let f = region_flow(&seats);
        assert_eq!((f.seats, f.outside), (4, 2));
        assert!((f.share_outside - 0.5).abs() < 1e-12);
        let cells: Vec<(&str, &str, u64)> = f
            .flow
            .iter()
            .map(|c| (c.project_region.as_str(), c.expert_region.as_str(), c.seats))
            .collect();
        assert_eq!(
            cells,
            [
                ("420100", "420100", 1),
                ("420500", "420100", 2),
                ("420500", "420500", 1)
            ]
        );
        assert_eq!(flow_regions(&f), ["420100", "420500"]);
    }

    fn draw(id: &str, shortfall: u32, parent: Option<&str>, relax: bool, gone: bool) -> DrawRecord {
        DrawRecord {
            id: id.into(),
            date: day(1),
            project_region: "420100".into(),
            shortfall,
            parent: parent.map(str::to_owned),
            relaxation: relax,
            abandoned: gone,
        }
    }

    #[test]
    fn shortfalls_relaxations_abandoned() {
        let d = draw_counts(&[
            draw("D1", 2, None, false, false),
            draw("D2", 0, Some("D1"), true, false),
            draw("D3", 1, None, false, false),
            draw("D4", 0, None, false, true),
            draw("D5", 0, Some("D3"), false, false),
        ]);
        assert_eq!(
            d,
            DrawCounts {
                draws: 5,
                short: 2,
                missing: 3,
                relaxations: 1,
                with_parent: 2,
                abandoned: 1,
            }
        );
    }

    #[test]
    fn declines_and_sealed_reads() {
        let dec = |e: &str, r: &str| DeclineRecord {
            expert: e.into(),
            reason: r.into(),
            date: day(3),
        };
        let d = decline_counts(
            &[
                dec("B", "busy"),
                dec("A", "ill"),
                dec("B", "no_answer"),
                dec("B", "busy"),
            ],
            6,
            1,
        );
        assert_eq!((d.declines, d.experts_declining), (4, 2));
        assert!((d.rate - 0.4).abs() < 1e-12);
        assert_eq!(
            d.by_reason,
            [
                Tally {
                    key: "busy".into(),
                    count: 2
                },
                Tally {
                    key: "ill".into(),
                    count: 1
                },
                Tally {
                    key: "no_answer".into(),
                    count: 1
                }
            ]
        );
        assert_eq!(
            d.top_experts,
            [Tally {
                key: "B".into(),
                count: 3
            }]
        );
        let read = |a: &str| SealedRead {
            actor: a.into(),
            date: day(2),
        };
        let r = sealed_read_counts(&[read("token:s1"), read("token:s2"), read("token:s1")]);
        assert_eq!(r.reads, 3);
        assert_eq!(
            r.by_actor[0],
            Tally {
                key: "token:s1".into(),
                count: 2
            }
        );
    }

    #[test]
    fn per_month() {
        let mut late = seat("A", "420100", "P9", "T", "420100", 1);
        late.date = chrono::NaiveDate::from_ymd_opt(2026, 2, 10).unwrap_or_default();
        let records = PeriodRecords {
            seats: vec![
                seat("A", "420100", "P1", "T", "420500", 1),
                seat("A", "420100", "P2", "T", "420100", 2),
                seat("B", "420100", "P2", "T", "420100", 2),
                late,
            ],
            draws: vec![draw("P1", 0, None, false, false)],
            declines: vec![DeclineRecord {
                expert: "C".into(),
                reason: "busy".into(),
                date: day(5),
            }],
            ..PeriodRecords::default()
        };
        let m = months(&records);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].month, "2026-01");
        assert_eq!(
            (m[0].draws, m[0].seats, m[0].experts_seated, m[0].declines),
            (1, 3, 2, 1)
        );
        assert!((m[0].share_outside - 1.0 / 3.0).abs() < 1e-12);
        // A 2, B 1: Σ|xi-xj| = 2 over 2·4·1.5 = 12.
        assert!((m[0].gini - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!(
            (m[1].month.as_str(), m[1].seats, m[1].draws),
            ("2026-02", 1, 0)
        );
    }
}
