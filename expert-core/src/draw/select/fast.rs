//! The fast path of §5 over a [`PreparedPool`]: the same loop as the
//! definition, with eligibility kept incrementally in per-group samplers.
//!
//! Eligibility only shrinks during a phase, so each change (a pick, a capped
//! employer, the local cap) is applied once as an exclusion or a base switch.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher};

use super::pool::PreparedPool;
use super::sampler::{Base, Sampler};
use super::{DrawError, PickStrategy};
use crate::draw::stream::WordStream;

/// Candidate indices per group, before they are turned into ids.
#[derive(Debug, Default)]
pub(super) struct Picks {
    pub(super) primaries: Vec<Vec<u32>>,
    pub(super) reserves: Vec<Vec<u32>>,
}

pub(super) fn run(
    pool: &PreparedPool,
    stream: &mut WordStream,
    strategy: PickStrategy,
) -> Result<Picks, DrawError> {
    let mut picks = Picks::default();
    // `used` in pick order; small (at most the number of picks).
    let mut used: Vec<u32> = Vec::new();
    let mut local = 0u64;
    let mut per_employer: HashMap<u32, u64, BuildHasherDefault<DefaultHasher>> = HashMap::default();
    let mut capped: Vec<u32> = Vec::new();

    for group in &pool.groups {
        let base = if local >= pool.local_max {
            Base::Remote
        } else {
            Base::All
        };
        let mut sampler = Sampler::new(group, base, strategy);
        // What earlier groups made ineligible here.
        for &c in &used {
            if let Some(p) = group.position(c) {
                sampler.exclude(p);
            }
        }
        for &e in &capped {
            for &c in pool.employer_members(e) {
                if let Some(p) = group.position(c) {
                    sampler.exclude(p);
                }
            }
        }

        let mut primaries = Vec::new();
        for k in 0..group.count {
            let remaining = u64::from(group.count - k);
            let Some(position) = sampler.pick(stream, remaining)? else {
                break; // the group stops short
            };
            let c = group.candidate(position).ok_or(DrawError::Inconsistent)?;
            primaries.push(c);
            used.push(c);
            sampler.exclude(position);

            if pool.local.get(c as usize).copied().unwrap_or(false) {
                local += 1;
                if local >= pool.local_max {
                    sampler.use_remote_base();
                }
            }
            let e = *pool
                .employer
                .get(c as usize)
                .ok_or(DrawError::Inconsistent)?;
            let count = per_employer.entry(e).or_insert(0);
            *count += 1;
            if *count >= pool.max_per_employer {
                capped.push(e);
                for &other in pool.employer_members(e) {
                    if let Some(p) = group.position(other) {
                        sampler.exclude(p);
                    }
                }
            }
        }
        picks.primaries.push(primaries);
    }

    // Reserves: matching and not used, nothing else.
    for group in &pool.groups {
        let mut sampler = Sampler::new(group, Base::All, strategy);
        for &c in &used {
            if let Some(p) = group.position(c) {
                sampler.exclude(p);
            }
        }
        let mut reserves = Vec::new();
        for k in 0..group.reserve {
            let remaining = u64::from(group.reserve - k);
            let Some(position) = sampler.pick(stream, remaining)? else {
                break;
            };
            let c = group.candidate(position).ok_or(DrawError::Inconsistent)?;
            reserves.push(c);
            used.push(c);
            sampler.exclude(position);
        }
        picks.reserves.push(reserves);
    }
    Ok(picks)
}
