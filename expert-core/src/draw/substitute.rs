//! Substitution of SPEC §6: who replaces a primary who leaves, tracked over a
//! sequence of departures, and the parameters of a supplementary draw.
//!
//! The panel state remembers everyone who has ever been a primary, because
//! rule (a) excludes a reserve once called in even after they left again.

use std::collections::{BTreeMap, BTreeSet};

use super::select::DrawResult;
use super::statement::{DrawStatement, PanelGroup, Policy};

/// A panel member as the substitution rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub local: bool,
    pub employer: String,
}

impl Member {
    /// The statement's candidate with this id, as a member.
    pub fn of(statement: &DrawStatement, id: &str) -> Result<Self, SubstitutionError> {
        let c = statement
            .candidate(id)
            .ok_or_else(|| SubstitutionError::UnknownCandidate(id.to_owned()))?;
        Ok(Self {
            id: c.id().to_owned(),
            local: statement.is_local(&c),
            employer: c.employer().to_owned(),
        })
    }
}

/// Why a substitution request cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubstitutionError {
    #[error("group {0} does not exist")]
    NoSuchGroup(usize),
    #[error("{id} is not a member of group {group}")]
    NotOnPanel { group: usize, id: String },
    #[error("{0} is not a candidate of the statement")]
    UnknownCandidate(String),
    #[error("the result has {result} groups but the statement {statement}")]
    ResultMismatch { result: usize, statement: usize },
}

/// The current panel of a draw: members per group, in list order, plus
/// everyone who has ever been a primary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    groups: Vec<Vec<Member>>,
    /// Initial primaries, every reserve called in and every supplementary
    /// pick that joined, including those who later left (rule (a)).
    ever_primary: BTreeSet<String>,
    local_max: u64,
    max_per_employer: u64,
}

fn check_shape(statement: &DrawStatement, result: &DrawResult) -> Result<(), SubstitutionError> {
    let groups = statement.panel().len();
    for len in [result.primaries.len(), result.reserves.len()] {
        if len != groups {
            return Err(SubstitutionError::ResultMismatch {
                result: len,
                statement: groups,
            });
        }
    }
    Ok(())
}

impl Panel {
    /// The panel right after the draw: its primaries.
    pub fn new(statement: &DrawStatement, result: &DrawResult) -> Result<Self, SubstitutionError> {
        check_shape(statement, result)?;
        let mut ever_primary = BTreeSet::new();
        let mut groups = Vec::with_capacity(result.primaries.len());
        for ids in &result.primaries {
            let members = ids
                .iter()
                .map(|id| Member::of(statement, id))
                .collect::<Result<Vec<_>, _>>()?;
            ever_primary.extend(ids.iter().cloned());
            groups.push(members);
        }
        let policy = statement.policy();
        Ok(Self {
            groups,
            ever_primary,
            local_max: u64::from(policy.local_max),
            max_per_employer: policy.max_per_employer,
        })
    }

    /// Members per group, in list order.
    #[must_use]
    pub fn groups(&self) -> &[Vec<Member>] {
        &self.groups
    }

    /// Whether `id` has ever been a primary of this draw.
    #[must_use]
    pub fn has_been_primary(&self, id: &str) -> bool {
        self.ever_primary.contains(id)
    }

    /// Group `group`'s reserve list of the draw, as members.
    pub fn reserves_of(
        statement: &DrawStatement,
        result: &DrawResult,
        group: usize,
    ) -> Result<Vec<Member>, SubstitutionError> {
        check_shape(statement, result)?;
        result
            .reserves
            .get(group)
            .ok_or(SubstitutionError::NoSuchGroup(group))?
            .iter()
            .map(|id| Member::of(statement, id))
            .collect()
    }

    fn slot(&self, group: usize, outgoing: &str) -> Result<(usize, usize), SubstitutionError> {
        let members = self
            .groups
            .get(group)
            .ok_or(SubstitutionError::NoSuchGroup(group))?;
        let at = members
            .iter()
            .position(|m| m.id == outgoing)
            .ok_or_else(|| SubstitutionError::NotOnPanel {
                group,
                id: outgoing.to_owned(),
            })?;
        Ok((group, at))
    }

    /// Everyone on the panel except the member at `skip`.
    fn others(&self, skip: (usize, usize)) -> impl Iterator<Item = &Member> {
        self.groups
            .iter()
            .enumerate()
            .flat_map(move |(g, members)| {
                members
                    .iter()
                    .enumerate()
                    .filter(move |&(i, _)| (g, i) != skip)
                    .map(|(_, m)| m)
            })
    }

    /// The first of `reserves` that qualifies to replace `outgoing` of
    /// `group`: (a) never a primary, (b) not local if the panel without the
    /// outgoing expert is at the local cap, (c) its employer below the cap on
    /// that same panel.
    pub fn replacement_among<'r>(
        &self,
        group: usize,
        outgoing: &str,
        reserves: &'r [Member],
    ) -> Result<Option<&'r Member>, SubstitutionError> {
        let skip = self.slot(group, outgoing)?;
        let mut locals = 0u64;
        let mut per_employer: BTreeMap<&str, u64> = BTreeMap::new();
        for m in self.others(skip) {
            locals += u64::from(m.local);
            *per_employer.entry(&m.employer).or_insert(0) += 1;
        }
        let local_full = locals >= self.local_max;
        Ok(reserves.iter().find(|r| {
            let never_primary = !self.ever_primary.contains(&r.id);
            let local_ok = !(r.local && local_full);
            let employer_ok =
                per_employer.get(r.employer.as_str()).copied().unwrap_or(0) < self.max_per_employer;
            never_primary && local_ok && employer_ok
        }))
    }

    /// Applies a departure: the replacement takes the outgoing expert's place
    /// in the group's list, or the place is left empty when none qualifies
    /// (a supplementary draw is then due). Returns the replacement's id.
    pub fn substitute_among(
        &mut self,
        group: usize,
        outgoing: &str,
        reserves: &[Member],
    ) -> Result<Option<String>, SubstitutionError> {
        let (g, at) = self.slot(group, outgoing)?;
        let chosen = self.replacement_among(group, outgoing, reserves)?.cloned();
        let members = self
            .groups
            .get_mut(g)
            .ok_or(SubstitutionError::NoSuchGroup(g))?;
        match chosen {
            Some(member) => {
                let id = member.id.clone();
                self.ever_primary.insert(id.clone());
                if let Some(slot) = members.get_mut(at) {
                    *slot = member;
                }
                Ok(Some(id))
            }
            None => {
                if at < members.len() {
                    members.remove(at);
                }
                Ok(None)
            }
        }
    }

    /// [`Panel::replacement_among`] the draw's own reserve list of `group`.
    pub fn replacement(
        &self,
        statement: &DrawStatement,
        result: &DrawResult,
        group: usize,
        outgoing: &str,
    ) -> Result<Option<String>, SubstitutionError> {
        let reserves = Self::reserves_of(statement, result, group)?;
        Ok(self
            .replacement_among(group, outgoing, &reserves)?
            .map(|m| m.id.clone()))
    }

    /// [`Panel::substitute_among`] the draw's own reserve list of `group`.
    pub fn substitute(
        &mut self,
        statement: &DrawStatement,
        result: &DrawResult,
        group: usize,
        outgoing: &str,
    ) -> Result<Option<String>, SubstitutionError> {
        let reserves = Self::reserves_of(statement, result, group)?;
        self.substitute_among(group, outgoing, &reserves)
    }

    /// A supplementary draw's pick joins `group`. A later departure of that
    /// member is replaced from the supplementary draw's reserves, through
    /// [`Panel::substitute_among`].
    pub fn join(&mut self, group: usize, member: Member) -> Result<(), SubstitutionError> {
        let members = self
            .groups
            .get_mut(group)
            .ok_or(SubstitutionError::NoSuchGroup(group))?;
        self.ever_primary.insert(member.id.clone());
        members.push(member);
        Ok(())
    }

    /// What the supplementary draw for `group` must say, computed on the
    /// remaining panel: call it after the departure was applied and found
    /// no replacement.
    pub fn supplementary(
        &self,
        statement: &DrawStatement,
        result: &DrawResult,
        group: usize,
    ) -> Result<SupplementaryDraw, SubstitutionError> {
        self.supplementary_of(&FirstDraw::of(statement, result)?, group)
    }

    /// [`Panel::supplementary`] from the summary of the panel's first draw.
    pub fn supplementary_of(
        &self,
        first: &FirstDraw,
        group: usize,
    ) -> Result<SupplementaryDraw, SubstitutionError> {
        let specialty = first
            .panel
            .get(group)
            .ok_or(SubstitutionError::NoSuchGroup(group))?
            .specialty
            .to_string();
        if self.groups.get(group).is_none() {
            return Err(SubstitutionError::NoSuchGroup(group));
        }
        let members = self.groups.iter().flatten();
        let locals = members.clone().filter(|m| m.local).count() as u64;
        let mut per_employer: BTreeMap<&str, u64> = BTreeMap::new();
        for m in members.clone() {
            *per_employer.entry(&m.employer).or_insert(0) += 1;
        }
        // The SPEC names the first draw's result; panel members and everyone
        // ever called in are added so that nobody can be drawn twice onto
        // the same panel, whatever the hard filters did.
        let result = &first.result;
        let excluded_ids = result
            .primaries
            .iter()
            .chain(&result.reserves)
            .flatten()
            .cloned()
            .chain(members.map(|m| m.id.clone()))
            .chain(self.ever_primary.iter().cloned())
            .collect();
        let excluded_employers = per_employer
            .into_iter()
            .filter(|&(_, n)| n >= self.max_per_employer)
            .map(|(e, _)| e.to_owned())
            .collect();
        let policy = first.policy;
        let local_max =
            u32::try_from(u64::from(policy.local_max).saturating_sub(locals)).unwrap_or(0);
        Ok(SupplementaryDraw {
            parent: first.draw_id.clone(),
            specialty,
            count: 1,
            policy: Policy {
                local_max,
                ..policy
            },
            excluded_ids,
            excluded_employers,
        })
    }
}

/// What the supplementary draws of a panel need from its first draw: its
/// `draw_id`, groups, policy and result. A few hundred bytes, where the
/// statement may hold a million candidates, so a verifier can keep it for
/// as long as the panel lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstDraw {
    pub draw_id: Option<String>,
    pub panel: Vec<PanelGroup>,
    pub policy: Policy,
    pub result: DrawResult,
}

impl FirstDraw {
    pub fn of(statement: &DrawStatement, result: &DrawResult) -> Result<Self, SubstitutionError> {
        check_shape(statement, result)?;
        Ok(Self {
            draw_id: statement.draw_id().map(str::to_owned),
            panel: statement.panel().to_vec(),
            policy: *statement.policy(),
            result: result.clone(),
        })
    }
}

/// [`Panel::replacement`] as a free function.
pub fn replacement(
    statement: &DrawStatement,
    result: &DrawResult,
    panel: &Panel,
    group: usize,
    outgoing: &str,
) -> Result<Option<String>, SubstitutionError> {
    panel.replacement(statement, result, group, outgoing)
}

/// The parameters §6 fixes for a supplementary draw; the caller adds its own
/// `draw_id`, `reserve` and the pool, filtered with [`SupplementaryDraw::admits`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplementaryDraw {
    /// The first draw's `draw_id`, for the statement's `"parent"`.
    pub parent: Option<String>,
    /// The one group's specialty: the outgoing expert's group's.
    pub specialty: String,
    /// Always 1.
    pub count: u32,
    /// The first draw's policy with `local_max` reduced by the locals left on
    /// the panel (at least 0). The SPEC fixes only `local_max`; keeping the
    /// other fields is this crate's reading.
    pub policy: Policy,
    pub excluded_ids: BTreeSet<String>,
    pub excluded_employers: BTreeSet<String>,
}

impl SupplementaryDraw {
    /// Whether a candidate of the current pool may enter the supplementary
    /// statement.
    #[must_use]
    pub fn admits(&self, id: &str, employer: &str) -> bool {
        !self.excluded_ids.contains(id) && !self.excluded_employers.contains(employer)
    }
}
