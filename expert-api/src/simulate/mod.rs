//! `expert-api simulate`: a year of a simulated province drawn twice, once
//! by a plain uniform local draw and once by this system's default policy,
//! with every oversight metric side by side. Seeded and reproducible.
//!
//! - [`province`]: the pool, tenderers and projects.
//! - [`engine`]: the year under one policy, through expert-core's draw.
//! - [`table`]: the side-by-side comparison as text and Markdown.

pub mod engine;
pub mod province;
pub mod table;

use expert_core::oversight::{Metrics, MetricsOptions, PeriodRecords, metrics};

pub use engine::{SimPolicy, run};
pub use province::Province;

/// One policy's year and its metrics.
#[derive(Debug)]
pub struct Outcome {
    pub policy: SimPolicy,
    pub records: PeriodRecords,
    pub metrics: Metrics,
}

/// Runs every policy over the same province, one thread per policy.
pub fn compare(
    province: &Province,
    policies: Vec<SimPolicy>,
    seed: u64,
    options: &MetricsOptions,
) -> anyhow::Result<Vec<Outcome>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = policies
            .into_iter()
            .map(|policy| {
                scope.spawn(move || -> anyhow::Result<Outcome> {
                    let records = run(province, policy.clone(), seed)?;
                    let metrics = metrics(&records, options);
                    Ok(Outcome {
                        policy,
                        records,
                        metrics,
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| anyhow::anyhow!("a simulation thread panicked"))?
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Province {
        Province::generate(7, 600, 1_500, 2026)
    }

    #[test]
    fn the_same_seed_gives_the_same_year() {
        let p = small();
        let a = run(&p, SimPolicy::system_default(), 7).unwrap();
        let b = run(&p, SimPolicy::system_default(), 7).unwrap();
        assert_eq!(a, b);
        let c = run(&p, SimPolicy::system_default(), 8).unwrap();
        assert_ne!(a.seats, c.seats, "another seed draws other panels");
    }

    #[test]
    fn the_province_looks_like_one() {
        let p = small();
        let wuhan = p.experts.iter().filter(|e| e.region == "420100").count();
        assert!(
            (240..330).contains(&wuhan),
            "Wuhan holds about half: {wuhan}"
        );
        // Tenderers come back: the busiest tenders many times a year.
        let mut per: std::collections::HashMap<usize, u32> = Default::default();
        for project in &p.projects {
            *per.entry(project.tenderer).or_default() += 1;
        }
        assert!(per.values().copied().max().unwrap_or(0) >= 10, "{per:?}");
        assert!(p.projects.iter().any(|x| x.groups.len() == 2));
    }

    /// The system's policy spreads seats and breaks up pairs against a
    /// plain local draw, on the same province and projects.
    #[test]
    fn the_policy_breaks_up_regulars() {
        let p = small();
        let out = compare(
            &p,
            vec![SimPolicy::plain_local(), SimPolicy::system_default()],
            7,
            &MetricsOptions::default(),
        )
        .unwrap();
        let (plain, system) = (&out[0].metrics, &out[1].metrics);
        assert!(
            system.seats.gini < plain.seats.gini,
            "{} {}",
            system.seats.gini,
            plain.seats.gini
        );
        assert!(system.seats.top1_share < plain.seats.top1_share);
        assert!(system.pairs.repeated < plain.pairs.repeated);
        assert!(
            system.streaks.at_least_3 < plain.streaks.at_least_3,
            "{} {}",
            system.streaks.at_least_3,
            plain.streaks.at_least_3
        );
        assert!(
            system.regions.share_outside >= 2.0 / 3.0,
            "{}",
            system.regions.share_outside
        );
        assert!(plain.regions.share_outside < system.regions.share_outside);
        // Every project that was not cancelled seated someone.
        assert!(system.seats.seats > 1_000 * 4);
        let text = table::text(&out);
        assert!(text.contains("Gini") && text.contains(&format!("{:.3}", system.seats.gini)));
        assert!(table::markdown(&out).starts_with("| metric |"));
    }
}
