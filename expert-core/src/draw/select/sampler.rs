//! One group's pick structure during a draw: the pool's precomputed prefix
//! sums minus a growing set of exclusions, or a Fenwick tree when they grow.
//!
//! Both forms find "the first candidate whose running sum of eligible weights
//! exceeds r", so they return the SPEC's pick for the same word.

use std::num::NonZeroU64;

use super::pool::GroupIndex;
use super::{DrawError, PickStrategy};
use crate::draw::stream::{WordStream, uniform};

/// Which precomputed weights are in force: all, or with locals at zero once
/// the local cap is reached (primaries only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Base {
    All,
    Remote,
}

#[derive(Debug)]
enum Form {
    /// Excluded positions, sorted and distinct, and their total base weight.
    Prefix {
        excluded: Vec<u32>,
        excluded_weight: u64,
    },
    /// Effective weights (0 once excluded) and a 1-based Fenwick tree over
    /// them; `total` is their sum.
    Fenwick {
        weights: Vec<u64>,
        tree: Vec<u64>,
        total: u64,
    },
}

#[derive(Debug)]
pub(super) struct Sampler<'g> {
    group: &'g GroupIndex,
    base: Base,
    strategy: PickStrategy,
    form: Form,
}

/// How many tree elements one step of the exclusion walk is worth. On the
/// benchmark pool a build costs about 2.5 ns per element and a walk step,
/// a likely cache miss, 50–100 ns: so switch once `exclusions × picks left ×
/// 32` exceeds the group size. Only speed depends on it; every value is exact.
const EXCLUSIONS_PER_BUILD: usize = 32;

impl<'g> Sampler<'g> {
    pub(super) fn new(group: &'g GroupIndex, base: Base, strategy: PickStrategy) -> Self {
        let mut sampler = Self {
            group,
            base,
            strategy,
            form: Form::Prefix {
                excluded: Vec::new(),
                excluded_weight: 0,
            },
        };
        if strategy == PickStrategy::Fenwick {
            sampler.grow_into_fenwick();
        }
        sampler
    }

    fn prefix(&self) -> &'g [u64] {
        match self.base {
            Base::All => &self.group.prefix_all,
            Base::Remote => &self.group.prefix_remote,
        }
    }

    /// The weight at `position` under the current base.
    fn base_weight(&self, position: usize) -> u64 {
        let prefix = self.prefix();
        let here = prefix.get(position).copied().unwrap_or(0);
        let before = position
            .checked_sub(1)
            .and_then(|p| prefix.get(p))
            .copied()
            .unwrap_or(0);
        here - before.min(here)
    }

    /// Makes `position` ineligible for the rest of this sampler's life.
    pub(super) fn exclude(&mut self, position: usize) {
        let weight = self.base_weight(position);
        let Ok(p32) = u32::try_from(position) else {
            return;
        };
        if position >= self.group.len() {
            return;
        }
        match &mut self.form {
            Form::Prefix {
                excluded,
                excluded_weight,
            } => {
                if let Err(at) = excluded.binary_search(&p32) {
                    excluded.insert(at, p32);
                    *excluded_weight += weight;
                }
            }
            Form::Fenwick {
                weights,
                tree,
                total,
            } => {
                if let Some(w) = weights.get_mut(position)
                    && *w != 0
                {
                    fenwick_sub(tree, position, *w);
                    *total -= *w;
                    *w = 0;
                }
            }
        }
        self.maybe_grow();
    }

    /// From now on locals weigh 0 (the local cap has been reached).
    pub(super) fn use_remote_base(&mut self) {
        if self.base == Base::Remote {
            return;
        }
        self.base = Base::Remote;
        let group = self.group;
        match &mut self.form {
            Form::Prefix {
                excluded,
                excluded_weight,
            } => {
                let prefix = &group.prefix_remote;
                *excluded_weight = excluded
                    .iter()
                    .map(|&p| weight_at(prefix, p as usize))
                    .sum();
            }
            Form::Fenwick {
                weights,
                tree,
                total,
            } => {
                // An entry at 0 is excluded or weighs nothing under either
                // base; every other entry takes its remote weight.
                for (p, w) in weights.iter_mut().enumerate() {
                    if *w != 0 {
                        *w = weight_at(&group.prefix_remote, p);
                    }
                }
                *total = fenwick_build(weights, tree);
            }
        }
    }

    /// With the adaptive strategy, switch to a Fenwick tree once the
    /// exclusion list is long relative to the group.
    fn maybe_grow(&mut self) {
        if self.strategy != PickStrategy::Adaptive {
            return;
        }
        if let Form::Prefix { excluded, .. } = &self.form
            && excluded.len().saturating_mul(EXCLUSIONS_PER_BUILD) > self.group.len().max(64)
        {
            self.grow_into_fenwick();
        }
    }

    fn grow_into_fenwick(&mut self) {
        let Form::Prefix { excluded, .. } = &self.form else {
            return;
        };
        let prefix = self.prefix();
        let mut weights: Vec<u64> = (0..prefix.len()).map(|p| weight_at(prefix, p)).collect();
        for &p in excluded {
            if let Some(w) = weights.get_mut(p as usize) {
                *w = 0;
            }
        }
        let mut tree = Vec::new();
        let total = fenwick_build(&weights, &mut tree);
        self.form = Form::Fenwick {
            weights,
            tree,
            total,
        };
    }

    /// The SPEC's `pick(E)` over this group's eligible members: a position,
    /// or `None` (and no word taken) when their total weight is 0.
    ///
    /// `remaining` is how many picks the caller may still ask for; it only
    /// informs the adaptive choice of form.
    pub(super) fn pick(
        &mut self,
        stream: &mut WordStream,
        remaining: u64,
    ) -> Result<Option<usize>, DrawError> {
        if self.strategy == PickStrategy::Adaptive
            && let Form::Prefix { excluded, .. } = &self.form
        {
            // The walk over exclusions repeats for every remaining pick; a
            // tree is built once.
            let walk = (excluded.len() as u64).saturating_mul(remaining);
            if walk.saturating_mul(EXCLUSIONS_PER_BUILD as u64) > self.group.len().max(64) as u64 {
                self.grow_into_fenwick();
            }
        }
        let prefix = self.prefix();
        match &self.form {
            Form::Prefix {
                excluded,
                excluded_weight,
            } => {
                let all = prefix.last().copied().unwrap_or(0);
                let total = all
                    .checked_sub(*excluded_weight)
                    .ok_or(DrawError::Inconsistent)?;
                let Some(total) = NonZeroU64::new(total) else {
                    return Ok(None);
                };
                let r = uniform(stream, total);
                prefix_search(prefix, excluded, r).map(Some)
            }
            Form::Fenwick { tree, total, .. } => {
                let Some(total) = NonZeroU64::new(*total) else {
                    return Ok(None);
                };
                let r = uniform(stream, total);
                fenwick_search(tree, r).map(Some)
            }
        }
    }
}

fn weight_at(prefix: &[u64], p: usize) -> u64 {
    let here = prefix.get(p).copied().unwrap_or(0);
    let before = p
        .checked_sub(1)
        .and_then(|q| prefix.get(q))
        .copied()
        .unwrap_or(0);
    here - before.min(here)
}

/// The first position whose running sum of non-excluded weights exceeds `r`.
///
/// Walking the exclusions in order, `t` is `r` plus the excluded weight met
/// so far, so "effective running sum > r" becomes "prefix > t" inside each
/// gap between exclusions; prefix sums are monotone, so a single binary
/// search in the right gap finds the pick. The position found always has a
/// positive weight, as the definition requires.
fn prefix_search(prefix: &[u64], excluded: &[u32], r: u64) -> Result<usize, DrawError> {
    let mut t = r;
    let mut lo = 0usize;
    for &x in excluded {
        let x = x as usize;
        if x > lo {
            let before = prefix.get(x - 1).copied().ok_or(DrawError::Inconsistent)?;
            if before > t {
                return first_above(prefix, lo, x, t);
            }
        }
        // t < total of all weights, so it stays below 2^64.
        t += weight_at(prefix, x);
        lo = x + 1;
    }
    first_above(prefix, lo, prefix.len(), t)
}

fn first_above(prefix: &[u64], lo: usize, hi: usize, t: u64) -> Result<usize, DrawError> {
    let gap = prefix.get(lo..hi).ok_or(DrawError::Inconsistent)?;
    let i = gap.partition_point(|&v| v <= t);
    if i < gap.len() {
        Ok(lo + i)
    } else {
        Err(DrawError::Inconsistent)
    }
}

/// Builds the 1-based tree in O(n) by pushing each node into its parent.
/// Returns the total, which is also what the prefix sums ended on, so no
/// node can overflow.
fn fenwick_build(weights: &[u64], tree: &mut Vec<u64>) -> u64 {
    let n = weights.len();
    tree.clear();
    tree.reserve(n + 1);
    tree.push(0);
    tree.extend_from_slice(weights);
    for i in 1..=n {
        let parent = i + (i & i.wrapping_neg());
        let child = tree.get(i).copied().unwrap_or(0);
        if let Some(slot) = tree.get_mut(parent) {
            *slot += child;
        }
    }
    weights.iter().sum()
}

fn fenwick_sub(tree: &mut [u64], position: usize, w: u64) {
    let mut i = position + 1;
    while let Some(node) = tree.get_mut(i) {
        *node -= w;
        i += i & i.wrapping_neg();
    }
}

/// The 0-based index of the first element whose prefix sum exceeds `r`:
/// the usual descent that keeps the largest prefix ≤ r.
fn fenwick_search(tree: &[u64], r: u64) -> Result<usize, DrawError> {
    let n = tree.len().saturating_sub(1);
    let mut pos = 0usize;
    let mut rem = r;
    let mut step = if n == 0 { 0 } else { 1usize << n.ilog2() };
    while step > 0 {
        if let Some(&node) = tree.get(pos + step)
            && node <= rem
        {
            pos += step;
            rem -= node;
        }
        step >>= 1;
    }
    if pos < n {
        Ok(pos)
    } else {
        Err(DrawError::Inconsistent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition: first index whose running sum of the non-excluded
    /// weights exceeds r.
    fn naive(weights: &[u64], excluded: &[u32], r: u64) -> Option<usize> {
        let mut running = 0;
        for (i, &w) in weights.iter().enumerate() {
            if !excluded.contains(&(i as u32)) {
                running += w;
                if running > r {
                    return Some(i);
                }
            }
        }
        None
    }

    /// Every r of every small case, exhaustively: both searches agree with
    /// the definition, zero weights and exclusions included.
    #[test]
    fn searches_match_the_definition_for_every_r() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        };
        for _ in 0..2000 {
            let n = 1 + next(12) as usize;
            let weights: Vec<u64> = (0..n)
                .map(|_| if next(4) == 0 { 0 } else { next(6) })
                .collect();
            let mut excluded: Vec<u32> = (0..n as u32).filter(|_| next(3) == 0).collect();
            excluded.dedup();
            let prefix: Vec<u64> = weights
                .iter()
                .scan(0, |s, &w| {
                    *s += w;
                    Some(*s)
                })
                .collect();
            let mut effective = weights.clone();
            for &x in &excluded {
                effective[x as usize] = 0;
            }
            let total: u64 = effective.iter().sum();
            let mut tree = Vec::new();
            assert_eq!(fenwick_build(&effective, &mut tree), total);
            for r in 0..total {
                let want = naive(&weights, &excluded, r);
                assert_eq!(
                    prefix_search(&prefix, &excluded, r).ok(),
                    want,
                    "{weights:?} {excluded:?} {r}"
                );
                assert_eq!(fenwick_search(&tree, r).ok(), want, "{effective:?} {r}");
            }
        }
    }

    #[test]
    fn fenwick_updates_match_a_rebuild() {
        let weights = [3u64, 0, 5, 1, 1, 0, 7, 2, 9];
        let mut tree = Vec::new();
        fenwick_build(&weights, &mut tree);
        let mut effective = weights;
        for p in [6usize, 0, 8] {
            fenwick_sub(&mut tree, p, effective[p]);
            effective[p] = 0;
            let mut rebuilt = Vec::new();
            fenwick_build(&effective, &mut rebuilt);
            assert_eq!(tree, rebuilt);
        }
    }
}
