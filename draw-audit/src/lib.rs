//! The audit side of expert-draw: RFC 8785 canonical JSON, RFC 6962 Merkle
//! log math, c2sp signed notes and checkpoints, proofs, draw receipts and
//! keys, and the replay and streaming verification of a whole log export.
//!
//! Architecture invariant: no database and no network. Apart from key files
//! and the CLI, everything here is a pure function of its inputs.

pub mod checkpoint;
pub mod entry;
pub mod jcs;
pub mod keys;
pub mod merkle;
pub mod note;
pub mod receipt;
pub mod replay;
pub mod tlog_proof;
pub mod verify;

pub use merkle::{Hash, sha256};
