//! Replays the draws of an audit log as SPEC §7 asks of a verifier: every
//! `draw.reveal` against its one earlier `draw.commit` and sections 4–5,
//! every `draw.substitute` against section 6, and the list of abandoned
//! draws. Entries come in `seq` order; the replay keeps only what later
//! entries can refer to.
//!
//! Memory: per committed, unrevealed draw its two hashes and `seq`; per
//! revealed draw its id; per panel (a first draw that was not short) its
//! members, the summary of its first draw (id, groups, policy, result: what
//! a supplementary draw is checked against) and, per draw that fed it (the
//! first draw and its supplementary draws), the reserve lists as (id,
//! local, employer); per open gap (a departure no reserve could fill) the
//! parameters SPEC §6 fixes for the supplementary draw. Statements and
//! candidate pools are dropped as soon as their reveal is checked, so the
//! replay holds O(draws × panel size), never O(pool).
//!
//! Reading of SPEC §6 that the service follows: a supplementary draw's
//! statement names `parent` (the panel's first draw) and `parent_group`; its
//! pick joins that group, and a later departure of that pick is logged as
//! `draw.substitute` under the panel's `draw_id` and group, replaced from the
//! supplementary draw's own reserves.
//!
//! A supplementary draw must fill a gap: a `draw.substitute` of that panel
//! and group with `"in": null` before its commit (the latest one still
//! open; the service commits the draw right after it). Its statement is
//! checked against what [`Panel::supplementary_of`] gives on the panel as
//! the gap left it (SPEC §6): one group, of the outgoing expert's
//! specialty, `count` 1; the first draw's policy with `local_max` less the
//! locals left on the panel (the SPEC fixes `local_max`; keeping
//! `remote_weight` and `max_per_employer` is the service's reading, and
//! checked, since an operator who could change them could steer the pick);
//! and no candidate named in the first draw's result, on the panel or ever
//! called in, or of an employer already at `max_per_employer` on the panel.

use std::collections::{HashMap, HashSet};

use expert_core::draw::{
    DrawResult, DrawStatement, FirstDraw, InvalidStatement, Member, Panel, ScannedCandidates,
    SupplementaryDraw, nonce_commitment, seed, select, validate, validate_scanned, validate_text,
};
use serde::Deserialize as _;
use serde_json::{Map, Value};

use crate::jcs;
use crate::merkle::{Hash, sha256};

/// The entry kinds the replay reads; others pass through untouched.
pub const DRAW_KINDS: [&str; 3] = ["draw.commit", "draw.reveal", "draw.substitute"];

/// Whether `kind` is one the replay reads.
#[must_use]
pub fn is_draw_kind(kind: &str) -> bool {
    DRAW_KINDS.contains(&kind)
}

/// An entry that breaks SPEC §7, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("seq {seq}: {reason}")]
pub struct ReplayError {
    pub seq: u64,
    pub reason: String,
}

/// A commit that no reveal answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abandoned {
    pub draw_id: String,
    /// `seq` of its `draw.commit`.
    pub seq: u64,
}

#[derive(Debug, Clone)]
struct Commit {
    statement_hash: Hash,
    nonce_commitment: Hash,
    seq: u64,
}

/// The replay's state between entries.
#[derive(Debug, Default)]
pub struct DrawReplay {
    pending: HashMap<String, Commit>,
    revealed: HashSet<String>,
    /// Per panel (by its first draw's id), all later entries can refer to.
    panels: HashMap<String, PanelState>,
    draws_replayed: u64,
    substitutions_checked: u64,
}

/// What a panel's substitutions and supplementary draws are checked
/// against: one map entry per panel, so a reveal inserts once and a
/// substitution looks up once (a panel has a dozen members, searched in
/// place).
#[derive(Debug)]
struct PanelState {
    panel: Panel,
    /// What its supplementary draws are checked against.
    first: FirstDraw,
    /// The departures no reserve could fill, not yet filled.
    gaps: Vec<Gap>,
    /// The reserve lists, as members, of every draw that fed the panel:
    /// the first draw, then its supplementary draws in order.
    feeds: Vec<Vec<Vec<Member>>>,
    /// Member id → the index in `feeds` of the draw that drew the member;
    /// the latest entry of an id holds.
    source: Vec<(String, usize)>,
}

impl PanelState {
    fn source_of(&self, member: &str) -> Option<usize> {
        self.source
            .iter()
            .rev()
            .find(|(id, _)| id == member)
            .map(|&(_, feed)| feed)
    }
}

impl DrawReplay {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `draw.reveal` entries checked so far.
    #[must_use]
    pub fn draws_replayed(&self) -> u64 {
        self.draws_replayed
    }

    /// `draw.substitute` entries checked so far.
    #[must_use]
    pub fn substitutions_checked(&self) -> u64 {
        self.substitutions_checked
    }

    /// Commits not (yet) revealed, in `seq` order: at the end of a log,
    /// its abandoned draws.
    #[must_use]
    pub fn abandoned(&self) -> Vec<Abandoned> {
        let mut out: Vec<Abandoned> = self
            .pending
            .iter()
            .map(|(draw_id, c)| Abandoned {
                draw_id: draw_id.clone(),
                seq: c.seq,
            })
            .collect();
        out.sort_by_key(|a| a.seq);
        out
    }

    /// Checks one entry. `statement_hash` is `H(JCS(statement))` of a
    /// reveal when the caller already has it (a verifier hashes the
    /// statement's bytes inside the canonical leaf); `None` computes it.
    /// Other kinds than [`DRAW_KINDS`] are accepted as they are.
    pub fn entry(
        &mut self,
        seq: u64,
        kind: &str,
        data: &Value,
        statement_hash: Option<Hash>,
    ) -> Result<(), ReplayError> {
        let fail = |reason: String| ReplayError { seq, reason };
        match kind {
            "draw.commit" => self.commit(seq, data).map_err(fail),
            "draw.reveal" => self
                .reveal(
                    data,
                    Statement::Value(data.get("statement"), statement_hash),
                )
                .map_err(fail),
            "draw.substitute" => self.substitute(seq, data).map_err(fail),
            _ => Ok(()),
        }
    }

    fn commit(&mut self, seq: u64, data: &Value) -> Result<(), String> {
        let draw_id = draw_id(data)?;
        if self.revealed.contains(draw_id) {
            return Err(format!("draw.commit of {draw_id:?}, already revealed"));
        }
        if let Some(first) = self.pending.get(draw_id) {
            return Err(format!(
                "second draw.commit of {draw_id:?} (the first is at seq {})",
                first.seq
            ));
        }
        let commit = Commit {
            statement_hash: hex32(data, "statement_hash")?,
            nonce_commitment: hex32(data, "nonce_commitment")?,
            seq,
        };
        self.pending.insert(draw_id.to_owned(), commit);
        Ok(())
    }

    /// A `draw.reveal` whose statement is given as its canonical text
    /// (`JCS(statement)`, as it lies in the leaf) with its hash, and `data`
    /// holds the entry's other fields. The same checks, in the same order,
    /// as [`DrawReplay::entry`] on the whole data.
    pub fn reveal_text(
        &mut self,
        seq: u64,
        data: &Value,
        statement: &str,
        statement_hash: Hash,
    ) -> Result<(), ReplayError> {
        self.reveal(data, Statement::Text(statement, statement_hash))
            .map_err(|reason| ReplayError { seq, reason })
    }

    /// [`DrawReplay::reveal_text`] with the statement's candidates already
    /// read from its text by [`scan_candidates`](expert_core::draw::scan_candidates)
    /// and its other top-level fields parsed into `head`. The verdict is
    /// that of [`DrawReplay::reveal_text`]: when the split form cannot be
    /// vouched for, the statement's text is read again the ordinary way.
    pub fn reveal_scanned(
        &mut self,
        seq: u64,
        data: &Value,
        statement: &str,
        statement_hash: Hash,
        head: Map<String, Value>,
        candidates: ScannedCandidates,
    ) -> Result<(), ReplayError> {
        self.reveal(
            data,
            Statement::Scanned(statement, statement_hash, Box::new((head, candidates))),
        )
        .map_err(|reason| ReplayError { seq, reason })
    }

    fn reveal(&mut self, data: &Value, statement: Statement<'_>) -> Result<(), String> {
        let draw_id = draw_id(data)?;
        let Some(commit) = self.pending.remove(draw_id) else {
            return Err(if self.revealed.contains(draw_id) {
                format!("second draw.reveal of {draw_id:?}")
            } else {
                format!("draw.reveal of {draw_id:?} follows no draw.commit")
            });
        };
        self.revealed.insert(draw_id.to_owned());
        let hash = match &statement {
            Statement::Text(_, h)
            | Statement::Scanned(_, h, _)
            | Statement::Value(Some(_), Some(h)) => *h,
            Statement::Value(Some(v), None) => {
                sha256(&jcs::canonical(v).map_err(|e| e.to_string())?)
            }
            Statement::Value(None, _) => return Err("reveal has no statement".into()),
        };
        if hash != commit.statement_hash {
            return Err(format!(
                "H(JCS(statement)) {} does not match the commitment {} at seq {}",
                hex::encode(hash),
                hex::encode(commit.statement_hash),
                commit.seq
            ));
        }
        let nonce = hex32(data, "nonce")?;
        if nonce_commitment(&nonce) != commit.nonce_commitment {
            return Err(format!(
                "H(nonce) does not match the commitment at seq {}",
                commit.seq
            ));
        }
        let beacon = data
            .get("beacon")
            .and_then(Value::as_str)
            .ok_or("beacon is not a string")?;
        let (st, parent) = statement.validate().map_err(|e| e.to_string())?;
        if st.draw_id() != Some(draw_id) {
            return Err(format!(
                "statement.draw_id {:?} differs from the entry's draw_id {draw_id:?}",
                st.draw_id()
            ));
        }
        let want_seed = seed(&hash, &nonce, beacon);
        if hex32(data, "seed")? != want_seed {
            return Err(format!(
                "seed differs from SPEC §4, which gives {}",
                hex::encode(want_seed)
            ));
        }
        let result = select(&st, want_seed).map_err(|e| format!("cannot replay the draw: {e}"))?;
        let logged = data.get("result").ok_or("reveal has no result")?;
        if DrawResult::deserialize(logged).ok().as_ref() != Some(&result) {
            let want = serde_json::to_string(&result).unwrap_or_default();
            return Err(format!(
                "result {} differs from SPEC §5, which gives {}",
                short(&logged.to_string()),
                short(&want)
            ));
        }
        self.draws_replayed += 1;
        self.follow(draw_id, commit.seq, &parent, &st, &result)
    }

    /// Records what later substitutions need: a first draw that is not
    /// short becomes a panel; a supplementary draw's pick joins its parent's.
    fn follow(
        &mut self,
        draw_id: &str,
        commit_seq: u64,
        parent: &Parent,
        st: &DrawStatement,
        result: &DrawResult,
    ) -> Result<(), String> {
        let reserves = (0..st.panel().len())
            .map(|g| Panel::reserves_of(st, result, g))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        match (parent.parent.as_deref(), parent.group.as_ref()) {
            (Some(parent), Some(group)) => {
                let group = group
                    .as_u64()
                    .and_then(|g| usize::try_from(g).ok())
                    .ok_or("parent_group is not a group number")?;
                let state = self
                    .panels
                    .get_mut(parent)
                    .ok_or_else(|| format!("parent {parent:?} is not a revealed panel"))?;
                let gap = state
                    .gaps
                    .iter()
                    .enumerate()
                    .filter(|(_, g)| g.group == group && g.seq < commit_seq)
                    .max_by_key(|(_, g)| g.seq)
                    .map(|(i, _)| i)
                    .map(|at| state.gaps.swap_remove(at))
                    .ok_or_else(|| {
                        format!(
                            "supplementary draw for group {group} of {parent:?} fills no gap: \
                             no draw.substitute of that group with in null precedes its \
                             commit at seq {commit_seq} (SPEC §6)"
                        )
                    })?;
                check_supplementary(st, &gap.want).map_err(|e| {
                    format!("supplementary draw for group {group} of {parent:?}: {e}")
                })?;
                if let Some(pick) = result.primaries.first().and_then(|p| p.first()) {
                    let member = Member::of(st, pick).map_err(|e| e.to_string())?;
                    state
                        .panel
                        .join(group, member)
                        .map_err(|e| format!("the supplementary pick cannot join: {e}"))?;
                    state.source.push((pick.clone(), state.feeds.len()));
                }
                state.feeds.push(reserves);
            }
            _ => {
                if result.shortfall(st.panel()).iter().any(|&s| s > 0) {
                    return Ok(());
                }
                let panel = Panel::new(st, result).map_err(|e| e.to_string())?;
                let first = FirstDraw::of(st, result).map_err(|e| e.to_string())?;
                let source = result
                    .primaries
                    .iter()
                    .flatten()
                    .map(|id| (id.clone(), 0))
                    .collect();
                self.panels.insert(
                    draw_id.to_owned(),
                    PanelState {
                        panel,
                        first,
                        gaps: Vec::new(),
                        feeds: vec![reserves],
                        source,
                    },
                );
            }
        }
        Ok(())
    }

    fn substitute(&mut self, seq: u64, data: &Value) -> Result<(), String> {
        let panel_id = draw_id(data)?;
        let group = data
            .get("group")
            .and_then(Value::as_u64)
            .and_then(|g| usize::try_from(g).ok())
            .ok_or("group is not a group number")?;
        let out = data
            .get("out")
            .and_then(Value::as_str)
            .ok_or("out is not an id")?;
        let logged_in = match data.get("in") {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(Value::Null) => None,
            _ => return Err("in is neither an id nor null".into()),
        };
        if !data.get("reason").is_some_and(Value::is_string) {
            return Err("reason is not a string".into());
        }
        let state = self
            .panels
            .get_mut(panel_id)
            .ok_or_else(|| format!("{panel_id:?} is not a revealed panel"))?;
        let feed = state
            .source_of(out)
            .ok_or_else(|| format!("{out} is not on the panel of {panel_id:?}"))?;
        // A supplementary draw has one group: its pick's replacements come
        // from that group's reserves, whatever group the pick joined.
        let list = if feed == 0 { group } else { 0 };
        let reserves = state
            .feeds
            .get(feed)
            .and_then(|r| r.get(list))
            .map_or(&[][..], Vec::as_slice);
        let want = state
            .panel
            .substitute_among(group, out, reserves)
            .map_err(|e| e.to_string())?;
        if want.as_deref() != logged_in {
            return Err(format!(
                "in {}, but SPEC §6 gives {}",
                show_id(logged_in),
                show_id(want.as_deref())
            ));
        }
        match want {
            Some(new) => state.source.push((new, feed)),
            None => {
                // A gap: what the supplementary draw filling it must say.
                let want = state
                    .panel
                    .supplementary_of(&state.first, group)
                    .map_err(|e| e.to_string())?;
                state.gaps.push(Gap { group, seq, want });
            }
        }
        self.substitutions_checked += 1;
        Ok(())
    }
}

/// A departure of a panel's group that no reserve could fill.
#[derive(Debug)]
struct Gap {
    group: usize,
    /// `seq` of its `draw.substitute`.
    seq: u64,
    want: SupplementaryDraw,
}

/// SPEC §6 on the statement of a supplementary draw, against what the gap
/// it fills gives (see the module's notes for the reading).
fn check_supplementary(st: &DrawStatement, want: &SupplementaryDraw) -> Result<(), String> {
    let [group] = st.panel() else {
        return Err(format!(
            "it has {} groups, where SPEC §6 gives one",
            st.panel().len()
        ));
    };
    if *group.specialty != *want.specialty {
        return Err(format!(
            "its group's specialty is {:?}, where SPEC §6 gives the outgoing expert's {:?}",
            group.specialty, want.specialty
        ));
    }
    if group.count != want.count {
        return Err(format!(
            "its group's count is {}, where SPEC §6 gives {}",
            group.count, want.count
        ));
    }
    let (got, policy) = (st.policy(), &want.policy);
    if got != policy {
        return Err(format!(
            "its policy is remote_weight {}, local_max {}, max_per_employer {}, where \
             SPEC §6 gives {}, {}, {} (the first draw's, local_max less the locals left)",
            got.remote_weight,
            got.local_max,
            got.max_per_employer,
            policy.remote_weight,
            policy.local_max,
            policy.max_per_employer
        ));
    }
    for c in st.candidates().iter() {
        if want.excluded_ids.contains(c.id()) {
            return Err(format!(
                "candidate {} is named in the first draw's result or on the panel (SPEC §6)",
                c.id()
            ));
        }
        if want.excluded_employers.contains(c.employer()) {
            return Err(format!(
                "candidate {}'s employer {:?} already has max_per_employer members on the \
                 panel (SPEC §6)",
                c.id(),
                c.employer()
            ));
        }
    }
    Ok(())
}

/// A reveal's statement: inside the parsed data (with its hash if the
/// caller has it), or as canonical text with its hash, possibly with its
/// candidates already read and its other fields apart.
#[derive(Debug)]
enum Statement<'a> {
    Value(Option<&'a Value>, Option<Hash>),
    Text(&'a str, Hash),
    Scanned(&'a str, Hash, Box<(Map<String, Value>, ScannedCandidates)>),
}

/// What [`DrawReplay::follow`] reads of a statement besides its typed form:
/// `parent` when it is a string, `parent_group` as it is.
#[derive(Debug)]
struct Parent {
    parent: Option<String>,
    group: Option<Value>,
}

impl Parent {
    fn of(get: impl Fn(&str) -> Option<Value>) -> Self {
        Self {
            parent: get("parent").and_then(|p| p.as_str().map(str::to_owned)),
            group: get("parent_group"),
        }
    }
}

impl Statement<'_> {
    fn validate(self) -> Result<(DrawStatement, Parent), InvalidStatement> {
        match self {
            Self::Value(v, _) => {
                let v = v.unwrap_or(&Value::Null);
                let st = validate(v)?;
                Ok((st, Parent::of(|k| v.get(k).cloned())))
            }
            Self::Scanned(text, _, split) => {
                let (head, candidates) = *split;
                let done = match validate_scanned(head, candidates) {
                    Some(done) => done,
                    None => validate_text(text)?,
                };
                let parent = Parent::of(|k| done.fields.get(k).cloned());
                Ok((done.statement, parent))
            }
            Self::Text(text, _) => {
                let done = validate_text(text)?;
                let parent = Parent::of(|k| done.fields.get(k).cloned());
                Ok((done.statement, parent))
            }
        }
    }
}

fn draw_id(data: &Value) -> Result<&str, String> {
    data.get("draw_id")
        .and_then(Value::as_str)
        .ok_or_else(|| "draw_id is not a string".to_owned())
}

/// A field of 64 lowercase hex digits.
fn hex32(data: &Value, field: &str) -> Result<Hash, String> {
    let bad = || format!("{field} is not 64 lowercase hex digits");
    let text = data.get(field).and_then(Value::as_str).ok_or_else(bad)?;
    if text.len() != 64
        || text
            .bytes()
            .any(|c| !matches!(c, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(bad());
    }
    let bytes = hex::decode(text).map_err(|_| bad())?;
    bytes.try_into().map_err(|_| bad())
}

fn show_id(id: Option<&str>) -> String {
    id.map_or_else(|| "null (none qualifies)".to_owned(), str::to_owned)
}

/// Long JSON cut for a one-line message.
fn short(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", text.get(..at).unwrap_or_default()),
        None => text.to_owned(),
    }
}
