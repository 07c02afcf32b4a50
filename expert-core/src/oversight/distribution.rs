//! Seats per expert: how evenly a period's seats are spread over the pool.
//! The Gini coefficient is 0 when every expert holds as many seats and
//! tends to 1 when one expert holds them all.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{SeatRecord, ratio};

/// One expert and the seats held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpertSeats {
    pub expert: String,
    pub seats: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatDistribution {
    pub seats: u64,
    /// Experts with at least one seat.
    pub experts_seated: u32,
    /// Experts the figures are over: the pool when it is known (those
    /// without a seat count as zeros), else the seated.
    pub experts_counted: u32,
    pub mean: f64,
    pub max: u32,
    pub gini: f64,
    /// Share of the seats held by the top 1 % of the experts counted
    /// (at least one expert).
    pub top1_share: f64,
    pub top10_share: f64,
    /// `(seats, experts holding exactly that many)`, ascending; zero is
    /// listed when the pool is known.
    pub histogram: Vec<(u32, u32)>,
    /// The experts holding the most seats, then by id.
    pub top: Vec<ExpertSeats>,
}

/// The Gini coefficient of `counts` (in any order): the mean absolute
/// difference between two experts over twice the mean,
/// `Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄)`, computed from the ascending order as
/// `2 Σᵢ i·x₍ᵢ₎ / (n Σ x) − (n + 1) / n` (i from 1). 0 for no seats.
#[must_use]
pub fn gini(counts: &[u64]) -> f64 {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let n = sorted.len() as f64;
    let total: f64 = sorted.iter().map(|&x| x as f64).sum();
    if sorted.is_empty() || total <= 0.0 {
        return 0.0;
    }
    let weighted: f64 = sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| (i as f64 + 1.0) * x as f64)
        .sum();
    (2.0 * weighted / (n * total) - (n + 1.0) / n).max(0.0)
}

/// Share of the total held by the `ceil(n · percent / 100)` largest counts
/// (at least one). 0 for no seats.
#[must_use]
pub fn top_share(counts: &[u64], percent: u32) -> f64 {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let n = sorted.len() as u64;
    let k = (n * u64::from(percent)).div_ceil(100).max(1);
    let top: u64 = sorted
        .iter()
        .take(usize::try_from(k).unwrap_or(usize::MAX))
        .sum();
    ratio(top, sorted.iter().sum())
}

/// Seats per expert over `seats`, with `pool` experts counted when given
/// (an expert seated but outside a smaller `pool` still counts).
#[must_use]
pub fn seat_distribution(seats: &[SeatRecord], pool: Option<u32>, top: usize) -> SeatDistribution {
    let mut per_expert: BTreeMap<&str, u32> = BTreeMap::new();
    for s in seats {
        *per_expert.entry(&s.expert).or_insert(0) += 1;
    }
    let seated = u32::try_from(per_expert.len()).unwrap_or(u32::MAX);
    let counted = pool.map_or(seated, |p| p.max(seated));
    let zeros = counted - seated;
    let mut counts: Vec<u64> = per_expert.values().map(|&n| u64::from(n)).collect();
    counts.extend(std::iter::repeat_n(0, usize::try_from(zeros).unwrap_or(0)));
    let mut histogram: BTreeMap<u32, u32> = BTreeMap::new();
    if zeros > 0 {
        histogram.insert(0, zeros);
    }
    for &n in per_expert.values() {
        *histogram.entry(n).or_insert(0) += 1;
    }
    let mut ranked: Vec<ExpertSeats> = per_expert
        .iter()
        .map(|(e, &n)| ExpertSeats {
            expert: (*e).to_owned(),
            seats: n,
        })
        .collect();
    ranked.sort_by(|a, b| b.seats.cmp(&a.seats).then_with(|| a.expert.cmp(&b.expert)));
    ranked.truncate(top);
    let total = seats.len() as u64;
    SeatDistribution {
        seats: total,
        experts_seated: seated,
        experts_counted: counted,
        mean: ratio(total, u64::from(counted)),
        max: per_expert.values().copied().max().unwrap_or(0),
        gini: gini(&counts),
        top1_share: top_share(&counts, 1),
        top10_share: top_share(&counts, 10),
        histogram: histogram.into_iter().collect(),
        top: ranked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oversight::fixture::seat;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn gini_of_known_distributions() {
        // Equal: 0.
        assert_eq!(gini(&[3, 3, 3, 3]), 0.0);
        // One of four holds everything: Σ|xi-xj| = 2·3·4 = 24 over
        // 2·16·1 = 32, so 0.75 = (n-1)/n.
        assert!(close(gini(&[0, 0, 4, 0]), 0.75));
        // 1,2,3,4: Σ|xi-xj| over ordered pairs = 20, 2·n²·mean = 80.
        assert!(close(gini(&[4, 1, 3, 2]), 0.25));
        // 1,1,1,5 (mean 2): Σ = 2·(3·4) = 24 over 2·16·2 = 64.
        assert!(close(gini(&[1, 5, 1, 1]), 0.375));
        assert_eq!(gini(&[]), 0.0);
        assert_eq!(gini(&[0, 0]), 0.0);
    }

    #[test]
    fn top_shares() {
        // 200 experts: two hold 50 seats, the rest one each. Top 1 % is 2
        // experts: 100 of 298 seats. Top 10 % is 20: 100 + 18.
        let mut counts = vec![1u64; 198];
        counts.extend([50, 50]);
        assert!(close(top_share(&counts, 1), 100.0 / 298.0));
        assert!(close(top_share(&counts, 10), 118.0 / 298.0));
        // Fewer than 100 experts: the top 1 % is still one expert.
        assert!(close(top_share(&[1, 2, 7], 1), 0.7));
        assert_eq!(top_share(&[], 1), 0.0);
    }

    #[test]
    fn distribution_counts_the_pool_as_zeros() {
        let seats = vec![
            seat("A", "420100", "P1", "T", "420100", 1),
            seat("A", "420100", "P2", "T", "420100", 2),
            seat("A", "420100", "P3", "T", "420100", 3),
            seat("B", "420500", "P1", "T", "420100", 1),
        ];
        let d = seat_distribution(&seats, Some(4), 1);
        assert_eq!((d.seats, d.experts_seated, d.experts_counted), (4, 2, 4));
        assert_eq!(d.histogram, vec![(0, 2), (1, 1), (3, 1)]);
        assert_eq!(d.max, 3);
        assert!(close(d.mean, 1.0));
        // 0,0,1,3: Σ|xi-xj| = 2·(0+1+3+1+3+2) = 20 over 2·16·1 = 32.
        assert!(close(d.gini, 0.625));
        assert!(close(d.top1_share, 0.75));
        assert_eq!(
            d.top,
            vec![ExpertSeats {
                expert: "A".into(),
                seats: 3
            }]
        );
        // Without the pool only the seated count: 1 and 3.
        let d = seat_distribution(&seats, None, 5);
        assert_eq!(d.experts_counted, 2);
        assert!(close(d.gini, 0.25));
        assert_eq!(d.top.len(), 2);
    }
}
