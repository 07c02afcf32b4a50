//! The random stream of SPEC §4: ChaCha20 words, `uniform(n)` by rejection
//! and `pick(E)` by running sum. Nothing else may draw randomness.
//!
//! Only `next_u64` of `ChaCha20Rng` is used: it is the RFC 8439 keystream read
//! as little-endian words, stable across versions, unlike `gen_range` & co.

use std::num::NonZeroU64;

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

/// The ChaCha20 keystream keyed by a draw's seed, read as `u64` words.
///
/// It counts the words it hands out, so tests can prove that two
/// implementations of the selection consumed exactly the same stream.
pub struct WordStream {
    rng: ChaCha20Rng,
    taken: u64,
}

impl WordStream {
    /// The stream of a seed: key = seed, zero nonce, block counter 0.
    #[must_use]
    pub fn new(seed: [u8; 32]) -> Self {
        Self {
            rng: ChaCha20Rng::from_seed(seed),
            taken: 0,
        }
    }

    /// The next little-endian 64-bit word of the keystream.
    pub fn next_word(&mut self) -> u64 {
        self.taken = self.taken.wrapping_add(1);
        self.rng.next_u64()
    }

    /// How many words have been read so far.
    #[must_use]
    pub fn words_taken(&self) -> u64 {
        self.taken
    }
}

impl std::fmt::Debug for WordStream {
    // The key is the seed, which is public after the reveal, but a stream in
    // the middle of a draw is not something to print: show the position only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordStream")
            .field("words_taken", &self.taken)
            .finish_non_exhaustive()
    }
}

/// `uniform(n)`: a number in `0..n`, every value equally likely.
///
/// Words at or above the largest multiple of `n` that fits in 2^64 are
/// rejected, so `x mod n` carries no bias; `rem = 2^64 mod n` is computed as
/// `(0 - n) mod n` in wrapping 64-bit arithmetic, exactly as the SPEC writes.
pub fn uniform(stream: &mut WordStream, n: NonZeroU64) -> u64 {
    let n = n.get();
    let rem = 0u64.wrapping_sub(n) % n;
    let limit = u64::MAX - rem;
    loop {
        let x = stream.next_word();
        if x <= limit {
            return x % n;
        }
    }
}

/// Raised when the weights of one pick do not fit in 64 bits; impossible for
/// a valid statement held in memory, reported rather than wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the sum of the weights exceeds 2^64 - 1")]
pub struct WeightOverflow;

/// `pick(E)` over the weights of `E` in statement order: the index of the
/// first element whose running sum exceeds `uniform(T)`.
///
/// An empty list or a zero total takes no word and picks nothing.
pub fn pick(stream: &mut WordStream, weights: &[u64]) -> Result<Option<usize>, WeightOverflow> {
    let total = weights
        .iter()
        .try_fold(0u64, |acc, &w| acc.checked_add(w))
        .ok_or(WeightOverflow)?;
    let Some(total) = NonZeroU64::new(total) else {
        return Ok(None);
    };
    let r = uniform(stream, total);
    let mut running = 0u64;
    for (i, &w) in weights.iter().enumerate() {
        // Cannot overflow: the whole sum fitted above.
        running += w;
        if running > r {
            return Ok(Some(i));
        }
    }
    // r < total = the final running sum, so the loop always returns.
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nz(n: u64) -> NonZeroU64 {
        NonZeroU64::new(n).unwrap()
    }

    #[test]
    fn power_of_two_takes_one_word_each() {
        let mut s = WordStream::new([7; 32]);
        for _ in 0..100 {
            uniform(&mut s, nz(1 << 40));
        }
        assert_eq!(s.words_taken(), 100);
    }

    #[test]
    fn zero_total_takes_no_word() {
        let mut s = WordStream::new([7; 32]);
        assert_eq!(pick(&mut s, &[]), Ok(None));
        assert_eq!(pick(&mut s, &[0, 0]), Ok(None));
        assert_eq!(s.words_taken(), 0);
    }

    #[test]
    fn zero_weights_are_never_picked() {
        let mut s = WordStream::new([3; 32]);
        for _ in 0..1000 {
            let i = pick(&mut s, &[0, 5, 0, 0, 1, 0]).unwrap().unwrap();
            assert!(i == 1 || i == 4);
        }
    }

    #[test]
    fn overflow_is_reported() {
        let mut s = WordStream::new([3; 32]);
        assert_eq!(pick(&mut s, &[u64::MAX, 1]), Err(WeightOverflow));
        assert_eq!(s.words_taken(), 0);
    }
}
