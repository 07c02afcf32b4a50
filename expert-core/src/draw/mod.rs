//! The expert-draw/1 algorithm (SPEC sections 2–6): statement rules, seed,
//! random stream, panel selection and substitution, as pure functions.
//!
//! Map of this folder:
//! - [`statement`]: the typed statement and its validity rules 1–5, checked
//!   on an already strictly parsed JSON value (duplicate keys and lone
//!   surrogates are the parser's job, in `draw-audit`).
//! - [`seed`]: nonce commitment and seed derivation (§4).
//! - [`stream`]: the ChaCha20 word stream, `uniform(n)` and `pick(E)` (§4).
//! - [`select`]: the selection of §5, once as a plain transcription of the
//!   definition ([`select::select_reference`]) and once fast
//!   ([`select::PreparedPool`]); both give the same panel from the same words.
//! - [`substitute`]: replacements from the reserve lists and the parameters
//!   of a supplementary draw (§6).
//!
//! Architecture invariant: nothing here reads a clock, the OS random source or
//! any file; the seed is a parameter, so any verifier can replay a draw.

pub mod seed;
pub mod select;
pub mod statement;
pub mod stream;
pub mod substitute;

pub use seed::{nonce_commitment, seed};
pub use select::{
    DrawError, DrawResult, PickStrategy, PreparedPool, select, select_reference, select_with,
};
pub use statement::{
    Candidate, Candidates, DrawStatement, InvalidStatement, PanelGroup, Policy, ScanMemo,
    ScannedCandidates, ValidatedText, plain_run, scan_candidates, scan_candidates_with, validate,
    validate_scanned, validate_text,
};
pub use stream::{WordStream, pick, uniform};
pub use substitute::{FirstDraw, Member, Panel, SubstitutionError, SupplementaryDraw, replacement};
