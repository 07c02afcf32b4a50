//! Panel selection of SPEC §5: primaries under the local and employer caps,
//! then reserves; a reference transcription and a fast path that agree.
//!
//! Both read the same [`WordStream`](super::stream::WordStream) word for word;
//! the fast path only changes how a pick's running sum is searched.

mod fast;
mod pool;
mod reference;
mod sampler;

use serde::{Deserialize, Serialize};

use super::statement::{DrawStatement, PanelGroup};
use super::stream::{WeightOverflow, WordStream};

pub use pool::PreparedPool;
pub use reference::select_reference;

/// The outcome of a draw, serialised exactly as the SPEC's
/// `{"primaries": [[..]], "reserves": [[..]]}`: one list per group, in pick
/// order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawResult {
    pub primaries: Vec<Vec<String>>,
    pub reserves: Vec<Vec<String>>,
}

impl DrawResult {
    /// Per group, how many primaries are missing (`count` minus what the
    /// group got). Kept out of the serialised form, which the SPEC fixes.
    #[must_use]
    pub fn shortfall(&self, panel: &[PanelGroup]) -> Vec<u32> {
        panel
            .iter()
            .enumerate()
            .map(|(g, group)| {
                let got = self.primaries.get(g).map_or(0, Vec::len);
                let got = u32::try_from(got).unwrap_or(u32::MAX);
                group.count.saturating_sub(got)
            })
            .collect()
    }
}

/// Why a draw could not be computed. Neither happens for a statement that
/// fits in memory; both are reported instead of wrapping or panicking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    #[error("the sum of the weights exceeds 2^64 - 1")]
    WeightOverflow,
    #[error("the pool has more than 2^32 - 1 candidates")]
    TooManyCandidates,
    /// A search found no candidate although the total weight was positive:
    /// a broken internal invariant, reported rather than guessed around.
    #[error("internal inconsistency in the pick search")]
    Inconsistent,
}

impl From<WeightOverflow> for DrawError {
    fn from(_: WeightOverflow) -> Self {
        Self::WeightOverflow
    }
}

/// How the fast path searches a pick. Every strategy yields the same picks
/// from the same words; the choice exists so that tests can pin each one and
/// benchmarks can compare them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PickStrategy {
    /// Prefix sums plus a sorted exclusion list while exclusions are few,
    /// switching a group to a Fenwick tree once they are not.
    #[default]
    Adaptive,
    /// Always prefix sums plus exclusions: O(exclusions + log n) per pick.
    PrefixSums,
    /// Always a Fenwick tree: O(n) to build per group, O(log n) per pick.
    Fenwick,
}

/// The fast draw of a statement: prepare its pool, then draw.
pub fn select(statement: &DrawStatement, seed: [u8; 32]) -> Result<DrawResult, DrawError> {
    PreparedPool::new(statement)?.draw(seed)
}

/// Same as [`select`] but reading a caller-supplied stream (tests count the
/// words it takes).
pub fn select_with(
    statement: &DrawStatement,
    stream: &mut WordStream,
    strategy: PickStrategy,
) -> Result<DrawResult, DrawError> {
    PreparedPool::new(statement)?.draw_with(stream, strategy)
}
