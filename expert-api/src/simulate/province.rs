//! A simulated province: the pool (from `synth::roster`, Wuhan about half),
//! tenderers who tender again and again in their own sector, and a year of
//! projects on China's 2026 working days. Everything follows from the seed.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use expert_core::discipline::calendar::WorkCalendar;
use expert_core::reference::SpecialtyTree;
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

use crate::synth;

/// Share of the projects per region (per mille of the weights): Wuhan
/// tenders about a third, provincial bodies (420000) a twentieth, the rest
/// roughly by the size of their economy.
const PROJECT_SHARE: [(&str, u64); 18] = [
    ("420100", 350),
    ("420000", 50),
    ("420500", 70),
    ("420600", 70),
    ("421000", 50),
    ("421100", 50),
    ("420900", 45),
    ("420300", 40),
    ("420800", 35),
    ("420200", 35),
    ("421200", 30),
    ("422800", 35),
    ("421300", 25),
    ("420700", 20),
    ("429004", 15),
    ("429005", 15),
    ("429006", 15),
    ("429021", 5),
];

/// One tenderer per this many projects a year, per region.
const PROJECTS_PER_TENDERER: u64 = 13;

/// The cost-engineering group (工程造价) a technical panel often adds.
const COST_GROUP: &str = "ENA06";

#[derive(Debug, Clone)]
pub struct Expert {
    pub id: String,
    pub region: String,
    pub employer: String,
    pub specialties: Vec<String>,
    /// How often this expert declines an invitation, per mille (before the
    /// extra for travelling to another region).
    pub decline_per_mille: u64,
}

#[derive(Debug, Clone)]
pub struct Tenderer {
    pub id: String,
    pub region: String,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub tenderer: usize,
    pub date: NaiveDate,
    /// `(level-3 specialty, count)`; reserves are the engine's choice.
    pub groups: Vec<(String, u32)>,
    /// Cancelled between the commit and the reveal: an abandoned draw.
    pub cancelled: bool,
}

#[derive(Debug)]
pub struct Province {
    pub experts: Vec<Expert>,
    pub tenderers: Vec<Tenderer>,
    pub projects: Vec<Project>,
    /// Expert indices matching each group specialty used by a project.
    pub matching: HashMap<String, Vec<u32>>,
}

pub(super) struct Dice(ChaCha20Rng);

impl Dice {
    pub(super) fn new(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Self(rng)
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }

    pub(super) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// An index by the weights' running totals.
    pub(super) fn weighted(&mut self, cumulative: &[u64]) -> usize {
        let x = self.below(cumulative.last().copied().unwrap_or(1));
        cumulative.partition_point(|&c| c <= x)
    }

    pub(super) fn bytes(&mut self) -> [u8; 32] {
        let mut out = [0u8; 32];
        self.0.fill_bytes(&mut out);
        out
    }
}

fn cumulative(weights: impl Iterator<Item = u64>) -> Vec<u64> {
    weights
        .scan(0u64, |acc, w| {
            *acc += w;
            Some(*acc)
        })
        .collect()
}

impl Province {
    /// `experts` experts and about `draws` projects in `year` (2026 uses
    /// the official holidays, other years weekdays).
    pub fn generate(seed: u64, experts: usize, draws: usize, year: i32) -> Province {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        let roster = synth::roster(experts, seed, first);
        let mut dice = Dice::new(seed, 1);
        let experts: Vec<Expert> = roster
            .into_iter()
            .enumerate()
            .map(|(i, e)| Expert {
                id: format!("E{i:05}"),
                region: e.region,
                employer: e.employer_code,
                specialties: e.specialties,
                // Most accept most invitations; a busy few decline often.
                decline_per_mille: match dice.below(100) {
                    0..55 => 80,
                    55..85 => 200,
                    _ => 450,
                },
            })
            .collect();

        let tree = SpecialtyTree::builtin();
        let sectors: Vec<(&str, u64)> = tree
            .iter()
            .filter(|s| s.level == 3 && s.pool_experts > 0)
            .map(|s| (s.code.as_str(), s.pool_experts))
            .collect();
        let sector_cum = cumulative(sectors.iter().map(|s| s.1));

        let share_total: u64 = PROJECT_SHARE.iter().map(|r| r.1).sum();
        let draws_u = u64::try_from(draws).unwrap_or(u64::MAX);
        let mut tenderers = Vec::new();
        let mut sector_of = Vec::new();
        let mut weight_of = Vec::new();
        for (region, share) in PROJECT_SHARE {
            // One tenderer per PROJECTS_PER_TENDERER projects, at least 3.
            let n = (draws_u * share / share_total / PROJECTS_PER_TENDERER).max(3);
            for k in 0..n {
                tenderers.push(Tenderer {
                    id: format!("T{region}{k:04}"),
                    region: region.to_owned(),
                });
                let s = dice.weighted(&sector_cum);
                sector_of.push(sectors.get(s).map_or("ENA08", |s| s.0));
                // Within a region a few tenderers tender every week: the
                // k-th weighs 1/(k+10), scaled by the region's share.
                weight_of.push(1_000_000 / (k + 10));
            }
        }
        // A project picks a region by its share, then a tenderer of it by
        // the weights above.
        let region_weight: HashMap<&str, u64> = PROJECT_SHARE.iter().copied().collect();
        let mut per_region_total: HashMap<&str, u64> = HashMap::new();
        for (t, w) in tenderers.iter().zip(&weight_of) {
            *per_region_total.entry(t.region.as_str()).or_insert(0) += w;
        }
        let scaled: Vec<u64> = tenderers
            .iter()
            .zip(&weight_of)
            .map(|(t, w)| {
                let region = t.region.as_str();
                let total = per_region_total.get(region).copied().unwrap_or(1).max(1);
                w * region_weight.get(region).copied().unwrap_or(1) * 1_000 / total
            })
            .collect();
        let tenderer_cum = cumulative(scaled.into_iter());

        let calendar = if year == 2026 {
            WorkCalendar::china_2026()
        } else {
            WorkCalendar::weekdays_only()
        };
        let days: Vec<NaiveDate> = first
            .iter_days()
            .take_while(|d| d.year() == year)
            .filter(|d| calendar.is_working_day(*d))
            .collect();
        let mut projects = Vec::with_capacity(draws);
        for i in 0..draws {
            let t = dice.weighted(&tenderer_cum);
            let own = sector_of.get(t).copied().unwrap_or("ENA08");
            // Three projects in four are in the tenderer's own sector.
            let sector = if dice.chance(750) {
                own.to_owned()
            } else {
                sectors
                    .get(dice.weighted(&sector_cum))
                    .map_or("ENA08", |s| s.0)
                    .to_owned()
            };
            let size = match dice.below(100) {
                0..70 => 5,
                70..92 => 7,
                _ => 9,
            };
            let groups = if sector != COST_GROUP && dice.chance(300) {
                vec![(sector, size - 2), (COST_GROUP.to_owned(), 2)]
            } else {
                vec![(sector, size)]
            };
            // Projects spread evenly over the year's working days.
            let day = days
                .get(i * days.len() / draws.max(1))
                .copied()
                .unwrap_or(first);
            projects.push(Project {
                id: format!("P{i:06}"),
                tenderer: t,
                date: day,
                groups,
                cancelled: dice.chance(5),
            });
        }

        let mut matching: HashMap<String, Vec<u32>> = HashMap::new();
        for p in &projects {
            for (code, _) in &p.groups {
                if matching.contains_key(code) {
                    continue;
                }
                let list = experts
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.specialties.iter().any(|s| s.starts_with(code.as_str())))
                    .filter_map(|(i, _)| u32::try_from(i).ok())
                    .collect();
                matching.insert(code.clone(), list);
            }
        }
        Province {
            experts,
            tenderers,
            projects,
            matching,
        }
    }
}
