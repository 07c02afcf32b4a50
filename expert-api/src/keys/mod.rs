//! The log's signing keys: the key ring that signs checkpoints (with both
//! keys during a rotation), the pinned last signed checkpoint that keeps a
//! restored old database from being signed again, and how both are set up
//! from the command line's key options.

pub mod pin;
pub mod ring;

pub use pin::{Pin, PinError, Pinned};
pub use ring::KeyRing;
