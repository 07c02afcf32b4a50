//! The prepared pool: a statement turned into flat arrays (weights, local
//! flags, interned employers, per-group prefix sums) that a draw only reads.
//!
//! A server keeps one warm per pool; a verifier builds one per statement. All
//! O(n) work happens here, so a draw itself costs O(picks × (log n + excl.)).

use super::fast;
use super::{DrawError, DrawResult, PickStrategy};
use crate::draw::statement::{DrawStatement, PanelGroup};
use crate::draw::stream::WordStream;

/// A statement's candidates in the engine's in-memory form.
#[derive(Debug, Clone)]
pub struct PreparedPool {
    /// All ids back to back; candidate `i` is `id_text[id_ends[i-1]..id_ends[i]]`.
    /// Two allocations instead of a million small ones.
    id_text: String,
    id_ends: Vec<usize>,
    pub(super) weights: Vec<u64>,
    pub(super) local: Vec<bool>,
    pub(super) employer: Vec<u32>,
    /// Members of employer `e` are `employer_members[employer_start[e]..employer_start[e+1]]`,
    /// ascending, so capping an employer touches only its own candidates.
    employer_start: Vec<u32>,
    employer_members: Vec<u32>,
    pub(super) groups: Vec<GroupIndex>,
    pub(super) local_max: u64,
    pub(super) max_per_employer: u64,
}

/// One panel group's view of the pool. Positions are indices into
/// `members` (statement order), which is what the prefix sums run over.
#[derive(Debug, Clone)]
pub(super) struct GroupIndex {
    pub(super) count: u32,
    pub(super) reserve: u32,
    /// Matching candidate indices, ascending; `None` when every candidate
    /// matches, so that position and candidate index coincide.
    members: Option<Vec<u32>>,
    /// Inclusive running sums of the members' weights.
    pub(super) prefix_all: Vec<u64>,
    /// The same with local members weighing 0: once the local cap is reached
    /// every local is ineligible, and a zero weight never changes a pick.
    pub(super) prefix_remote: Vec<u64>,
}

impl GroupIndex {
    pub(super) fn len(&self) -> usize {
        self.prefix_all.len()
    }

    /// Candidate index at a position.
    pub(super) fn candidate(&self, position: usize) -> Option<u32> {
        match &self.members {
            None => u32::try_from(position)
                .ok()
                .filter(|_| position < self.len()),
            Some(m) => m.get(position).copied(),
        }
    }

    /// Position of a candidate, if it matches this group.
    pub(super) fn position(&self, candidate: u32) -> Option<usize> {
        let c = usize::try_from(candidate).ok()?;
        match &self.members {
            None => (c < self.len()).then_some(c),
            Some(m) => m.binary_search(&candidate).ok(),
        }
    }
}

impl PreparedPool {
    /// Matching, weights, the employer index and the prefix sums: everything
    /// a draw needs from the statement, computed once.
    pub fn new(statement: &DrawStatement) -> Result<Self, DrawError> {
        let candidates = statement.candidates();
        let n = candidates.len();
        if u32::try_from(n).is_err() {
            return Err(DrawError::TooManyCandidates);
        }
        let policy = statement.policy();
        let (ids, ends) = candidates.id_columns();
        let (id_text, id_ends) = (ids.to_owned(), ends.to_vec());

        let mut weights = Vec::with_capacity(n);
        let mut local = Vec::with_capacity(n);
        for c in candidates.iter() {
            let is_local = statement.is_local(&c);
            local.push(is_local);
            weights.push(policy.weight(is_local, c.recent()));
        }

        // Employers are already interned by the statement; a counting sort
        // by employer (stable, so each list ascends) gives the member lists.
        let employer = candidates.employer_codes().to_vec();
        let mut employer_start = vec![0u32; candidates.employer_count() + 1];
        for &e in &employer {
            let slot = employer_start
                .get_mut(e as usize + 1)
                .ok_or(DrawError::Inconsistent)?;
            *slot += 1;
        }
        let mut running = 0u32;
        for start in &mut employer_start {
            running += *start;
            *start = running;
        }
        let mut fill = employer_start.clone();
        let mut employer_members = vec![0u32; n];
        for (i, &e) in employer.iter().enumerate() {
            let slot = fill.get_mut(e as usize).ok_or(DrawError::Inconsistent)?;
            let at = *slot as usize;
            *slot += 1;
            *employer_members
                .get_mut(at)
                .ok_or(DrawError::Inconsistent)? =
                u32::try_from(i).map_err(|_| DrawError::TooManyCandidates)?;
        }

        let mut groups = Vec::with_capacity(statement.panel().len());
        // Up to 64 groups at a time, each a bit: a specialty code's bits are
        // the groups it matches (few distinct codes, each matched once), a
        // candidate's the union over its codes — one branch-free pass over
        // the code columns for all the groups.
        for chunk in statement.panel().chunks(64) {
            let code_groups: Vec<u64> = candidates
                .specialty_names()
                .iter()
                .map(|code| {
                    chunk.iter().enumerate().fold(0u64, |m, (g, group)| {
                        m | (u64::from(code.starts_with(&*group.specialty)) << g)
                    })
                })
                .collect();
            // A candidate's row of codes runs from the previous one's end
            // to its own.
            let (codes, ends) = candidates.specialty_columns();
            let mut candidate_groups: Vec<u64> = Vec::with_capacity(n);
            let mut start = 0;
            for &end in ends {
                let row = codes.get(start..end).ok_or(DrawError::Inconsistent)?;
                candidate_groups.push(row.iter().fold(0, |m, &k| {
                    m | code_groups.get(k as usize).copied().unwrap_or(0)
                }));
                start = end;
            }
            for (g, group) in chunk.iter().enumerate() {
                push_group(
                    &mut groups,
                    group,
                    members_of(&candidate_groups, g),
                    &weights,
                    &local,
                    n,
                )?;
            }
        }

        Ok(Self {
            id_text,
            id_ends,
            weights,
            local,
            employer,
            employer_start,
            employer_members,
            groups,
            local_max: u64::from(policy.local_max),
            max_per_employer: policy.max_per_employer,
        })
    }

    /// Number of candidates.
    #[must_use]
    pub fn len(&self) -> usize {
        self.id_ends.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.id_ends.is_empty()
    }

    /// The id of candidate `i` (statement order).
    #[must_use]
    pub fn id(&self, i: usize) -> Option<&str> {
        let end = *self.id_ends.get(i)?;
        let start = match i.checked_sub(1) {
            None => 0,
            Some(j) => *self.id_ends.get(j)?,
        };
        self.id_text.get(start..end)
    }

    /// The weight of candidate `i` under the statement's policy.
    #[must_use]
    pub fn weight(&self, i: usize) -> Option<u64> {
        self.weights.get(i).copied()
    }

    /// The candidates of interned employer `e`, ascending.
    pub(super) fn employer_members(&self, e: u32) -> &[u32] {
        let e = e as usize;
        let (Some(&start), Some(&end)) =
            (self.employer_start.get(e), self.employer_start.get(e + 1))
        else {
            return &[];
        };
        self.employer_members
            .get(start as usize..end as usize)
            .unwrap_or(&[])
    }

    /// The draw of this pool for a seed (§5), with the default strategy.
    pub fn draw(&self, seed: [u8; 32]) -> Result<DrawResult, DrawError> {
        self.draw_with(&mut WordStream::new(seed), PickStrategy::default())
    }

    /// The draw reading a caller-supplied stream with a chosen strategy.
    pub fn draw_with(
        &self,
        stream: &mut WordStream,
        strategy: PickStrategy,
    ) -> Result<DrawResult, DrawError> {
        let picks = fast::run(self, stream, strategy)?;
        let name = |list: Vec<Vec<u32>>| {
            list.into_iter()
                .map(|group| {
                    group
                        .into_iter()
                        .map(|c| {
                            self.id(c as usize)
                                .map(str::to_owned)
                                .ok_or(DrawError::Inconsistent)
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(DrawResult {
            primaries: name(picks.primaries)?,
            reserves: name(picks.reserves)?,
        })
    }
}

/// The candidates whose bit `g` is set, ascending; compacted without a
/// branch per candidate (whether one matches is as good as random).
fn members_of(candidate_groups: &[u64], g: usize) -> Vec<u32> {
    let mut matching = vec![0u32; candidate_groups.len()];
    let mut len = 0;
    for (i, &m) in (0u32..).zip(candidate_groups) {
        // `len` ≤ the candidate's index, so the slot is always there.
        if let Some(slot) = matching.get_mut(len) {
            *slot = i;
        }
        len += ((m >> g) & 1) as usize;
    }
    matching.truncate(len);
    // Kept with the pool: a group matching few keeps little.
    if matching.len() < matching.capacity() / 2 {
        matching.shrink_to_fit();
    }
    matching
}

/// A group's index over its matching candidates: the prefix sums of their
/// weights, with and without the locals.
fn push_group(
    groups: &mut Vec<GroupIndex>,
    group: &PanelGroup,
    matching: Vec<u32>,
    weights: &[u64],
    local: &[bool],
    n: usize,
) -> Result<(), DrawError> {
    let mut prefix_all = Vec::with_capacity(matching.len());
    let mut prefix_remote = Vec::with_capacity(matching.len());
    let (mut all, mut remote) = (0u64, 0u64);
    for &c in &matching {
        let c = c as usize;
        let w = *weights.get(c).ok_or(DrawError::Inconsistent)?;
        all = all.checked_add(w).ok_or(DrawError::WeightOverflow)?;
        if !local.get(c).copied().unwrap_or(false) {
            remote += w; // ≤ all, which fitted
        }
        prefix_all.push(all);
        prefix_remote.push(remote);
    }
    let members = (matching.len() != n).then_some(matching);
    groups.push(GroupIndex {
        count: group.count,
        reserve: group.reserve,
        members,
        prefix_all,
        prefix_remote,
    });
    Ok(())
}
