//! §5 transcribed literally: every pick rebuilds `E` by scanning the whole
//! statement. O(n) per pick; the yardstick the fast path is tested against.
//!
//! Keep it boring: no caching, no indices, the SPEC's words in code order.

use std::collections::{BTreeMap, BTreeSet};

use super::{DrawError, DrawResult};
use crate::draw::statement::{Candidate, DrawStatement};
use crate::draw::stream::{WordStream, pick};

/// The draw of `statement` reading `stream`, exactly as §5 defines it.
pub fn select_reference(
    statement: &DrawStatement,
    stream: &mut WordStream,
) -> Result<DrawResult, DrawError> {
    let policy = statement.policy();
    let local_max = u64::from(policy.local_max);
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut local = 0u64;
    let mut per_employer: BTreeMap<&str, u64> = BTreeMap::new();
    let mut result = DrawResult::default();

    // 1. Primaries.
    for group in statement.panel() {
        let mut primaries = Vec::new();
        for _ in 0..group.count {
            let eligible: Vec<Candidate<'_>> = statement
                .candidates()
                .iter()
                .filter(|c| group.matches(c))
                .filter(|c| !used.contains(c.id()))
                .filter(|c| !(statement.is_local(c) && local >= local_max))
                .filter(|c| {
                    per_employer.get(c.employer()).copied().unwrap_or(0) < policy.max_per_employer
                })
                .collect();
            let weights: Vec<u64> = eligible.iter().map(|c| statement.weight(c)).collect();
            let Some(i) = pick(stream, &weights)? else {
                break; // nothing picked: the group stops short
            };
            let chosen = eligible.get(i).ok_or(DrawError::Inconsistent)?;
            primaries.push(chosen.id().to_owned());
            used.insert(chosen.id());
            if statement.is_local(chosen) {
                local += 1;
            }
            *per_employer.entry(chosen.employer()).or_insert(0) += 1;
        }
        result.primaries.push(primaries);
    }

    // 2. Reserves.
    for group in statement.panel() {
        let mut reserves = Vec::new();
        for _ in 0..group.reserve {
            let eligible: Vec<Candidate<'_>> = statement
                .candidates()
                .iter()
                .filter(|c| group.matches(c))
                .filter(|c| !used.contains(c.id()))
                .collect();
            let weights: Vec<u64> = eligible.iter().map(|c| statement.weight(c)).collect();
            let Some(i) = pick(stream, &weights)? else {
                break;
            };
            let chosen = eligible.get(i).ok_or(DrawError::Inconsistent)?;
            reserves.push(chosen.id().to_owned());
            used.insert(chosen.id());
        }
        result.reserves.push(reserves);
    }
    Ok(result)
}
