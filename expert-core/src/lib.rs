//! The pure domain of expert-draw: who an expert is, how they are admitted,
//! how their status moves, and how a panel is drawn (SPEC expert-draw/1).
//!
//! Architecture invariant: this crate does no IO and reads no clock. Time and
//! randomness arrive as parameters, so every rule here is a plain function
//! that tests can call with any date or seed.

pub mod admission;
pub mod discipline;
pub mod draw;
pub mod evaluation;
pub mod expert;
pub mod identity;
pub mod lifecycle;
pub mod oversight;
pub mod reference;
pub mod review;
pub mod rfc3797;
