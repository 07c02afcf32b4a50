//! The draw statement of SPEC §2–3: the typed form the algorithm reads, with
//! the weight and matching rules, built only through [`validate`].
//!
//! The JSON value stays the authoritative statement (it is what is hashed);
//! this form keeps just the fields the algorithm reads, lean enough for a
//! pool of a million candidates.

mod candidates;
mod rules;
mod scan;
mod text;

pub use candidates::{Candidate, Candidates};
pub use rules::{InvalidStatement, validate};
pub use scan::{
    MEMO_NAMES, MEMO_RECORDS, ScanMemo, ScannedCandidates, plain_run, scan_candidates,
    scan_candidates_with,
};
pub use text::{ValidatedText, validate_scanned, validate_text};

/// The only `spec` value this crate draws for.
pub const SPEC_NAME: &str = "expert-draw/1";

/// Numerator of the weight formula: weights are integers, so the inverse of
/// `1 + recent` is scaled by a million before flooring.
pub const WEIGHT_SCALE: u64 = 1_000_000;

/// A statement that passed rules 1–5. Fields are private so that every value
/// of this type is valid: the selection code relies on sorted, unique ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawStatement {
    draw_id: Option<Box<str>>,
    project_region: Box<str>,
    panel: Vec<PanelGroup>,
    policy: Policy,
    candidates: Candidates,
    /// The interned code of `project_region` among candidate regions.
    local_region: Option<u32>,
}

/// One group of the panel: a specialty prefix and how many to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PanelGroup {
    pub specialty: Box<str>,
    pub count: u32,
    pub reserve: u32,
}

/// The policy fields the algorithm reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub remote_weight: u32,
    pub local_max: u32,
    /// Up to 2^53 − 1: only `count`, `reserve` and `local_max` are capped at
    /// 10000 by rule 5.
    pub max_per_employer: u64,
}

impl DrawStatement {
    /// `draw_id` when it is a string (the rules do not require it).
    #[must_use]
    pub fn draw_id(&self) -> Option<&str> {
        self.draw_id.as_deref()
    }

    #[must_use]
    pub fn project_region(&self) -> &str {
        &self.project_region
    }

    #[must_use]
    pub fn panel(&self) -> &[PanelGroup] {
        &self.panel
    }

    #[must_use]
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The candidates in statement order, which is ascending `id` order.
    #[must_use]
    pub fn candidates(&self) -> &Candidates {
        &self.candidates
    }

    /// "Local" means the candidate's region is the project's region.
    #[must_use]
    pub fn is_local(&self, candidate: &Candidate<'_>) -> bool {
        if candidate.belongs_to(&self.candidates) {
            self.local_region == Some(candidate.region_code())
        } else {
            // Codes are per statement: compare names for a foreign view.
            candidate.region() == &*self.project_region
        }
    }

    /// The candidate's weight under this statement's policy (§3).
    #[must_use]
    pub fn weight(&self, candidate: &Candidate<'_>) -> u64 {
        self.policy
            .weight(self.is_local(candidate), candidate.recent())
    }

    /// The same statement over another valid candidate list (the fast
    /// path of [`validate_text`] checks the candidates apart).
    fn with_candidates(self, candidates: Candidates) -> Self {
        Self {
            local_region: candidates.region_code(&self.project_region),
            candidates,
            ..self
        }
    }

    /// The candidate with this id.
    #[must_use]
    pub fn candidate(&self, id: &str) -> Option<Candidate<'_>> {
        self.candidates.find(id)
    }
}

impl Policy {
    /// `floor(1000000 * m / (1 + recent))`, `m` = `remote_weight` for a
    /// non-local candidate and 1 for a local one.
    ///
    /// Cannot overflow: 10^6 × (2^32 − 1) < 2^63 and `1 + recent` ≤ 2^32.
    #[must_use]
    pub fn weight(&self, local: bool, recent: u32) -> u64 {
        let m = if local {
            1
        } else {
            u64::from(self.remote_weight)
        };
        WEIGHT_SCALE * m / (1 + u64::from(recent))
    }
}

impl PanelGroup {
    /// Specialty codes are hierarchical: group `A08` matches `A0801`.
    #[must_use]
    pub fn matches(&self, candidate: &Candidate<'_>) -> bool {
        candidate
            .specialties()
            .any(|s| s.starts_with(&*self.specialty))
    }
}
