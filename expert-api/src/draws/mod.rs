//! The draw flow's rules that need no database: the request as clients send
//! it, its checks (committee, draw window, policy tightening) and the hard
//! filters that turn the live pool into a statement's candidates, and the
//! name comparison of the public panel check.
//!
//! The store (`store::draws`) loads the facts and writes; this module decides.

pub mod filter;
pub mod names;
pub mod request;

pub use filter::{Exclusion, ExpertFacts, FilterContext, Seat, assess};
pub use request::{DrawRequest, EffectivePolicy, RequestError};
