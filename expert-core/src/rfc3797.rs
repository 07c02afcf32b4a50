//! RFC 3797 verifiable selection, for fully manual public draws: a key string
//! from publicly drawn lottery numbers, then MD5-driven picks from a list.
//!
//! The procedure (RFC 3797 §4, worked through in §6):
//!
//! 1. **Key string.** Every source (one lottery draw, say) yields integers.
//!    Within a source they are sorted ascending, each is written in decimal
//!    without leading zeros and followed by `.`, and the source is closed by
//!    `/`. Sources keep the order in which they were announced. The §6
//!    sources `9319`, `2 5 12 8 10` and `9 18 26 34 41 45` give
//!    `9319./2.5.8.10.12./9.18.26.34.41.45./`.
//! 2. **Selections.** For selection `i = 0, 1, 2, …` take
//!    `MD5(u16_be(i) || key || u16_be(i))` as a 128-bit big-endian unsigned
//!    integer; the pick is that value modulo the number of candidates still
//!    in the list, counting from 0 in list order. The picked candidate leaves
//!    the list, and the next selection works on what remains.
//!
//! Sorting within a source is what lets anyone rebuild the key from a
//! published result regardless of the order the balls came out in.
//!
//! Architecture invariant: pure functions of their arguments, no IO; the HTTP
//! API and the `draw-audit rfc3797` command are thin shells around them.

use md5::{Digest as _, Md5};

/// The selection number is written in two bytes, so no more selections than
/// this can be made from one key.
pub const MAX_SELECTIONS: usize = 1 << 16;

/// Why a key or a selection could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rfc3797Error {
    #[error("no source of random numbers was given")]
    NoSources,
    #[error("source {position} has no numbers")]
    EmptySource { position: usize },
    #[error(
        "source {position}: {token:?} is not a non-negative integer written in ASCII digits \
         (numbers are separated by spaces or commas)"
    )]
    NotAnInteger { position: usize, token: String },
    #[error("source {position}: {token:?} is larger than 2^64 - 1")]
    TooLarge { position: usize, token: String },
    #[error("the key string is empty")]
    EmptyKey,
    #[error("cannot select {count} from {available} candidates")]
    CountExceedsCandidates { count: usize, available: usize },
    #[error(
        "cannot make {count} selections: RFC 3797 numbers selections with two bytes, \
         so at most {MAX_SELECTIONS} can be made from one key"
    )]
    TooManySelections { count: usize },
}

/// The key string of RFC 3797 §4 from the sources' numbers, in the order the
/// sources are listed. Each source is sorted ascending; duplicates are kept
/// (a source may legitimately repeat a digit).
pub fn key_from_sources(sources: &[Vec<u64>]) -> Result<String, Rfc3797Error> {
    if sources.is_empty() {
        return Err(Rfc3797Error::NoSources);
    }
    let mut key = String::new();
    for (i, source) in sources.iter().enumerate() {
        if source.is_empty() {
            return Err(Rfc3797Error::EmptySource { position: i + 1 });
        }
        let mut sorted = source.clone();
        sorted.sort_unstable();
        for value in sorted {
            key.push_str(&value.to_string());
            key.push('.');
        }
        key.push('/');
    }
    Ok(key)
}

/// Reads sources as announced, one text per source: integers separated by
/// whitespace or commas (ASCII `,`, or `，` and `、` as typed in Chinese).
/// The RFC treats values as integers, so `07` and `7` are the same number.
pub fn parse_sources<S: AsRef<str>>(texts: &[S]) -> Result<Vec<Vec<u64>>, Rfc3797Error> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| parse_source(i + 1, text.as_ref()))
        .collect()
}

/// [`parse_sources`] then [`key_from_sources`].
pub fn key_from_source_texts<S: AsRef<str>>(texts: &[S]) -> Result<String, Rfc3797Error> {
    key_from_sources(&parse_sources(texts)?)
}

fn parse_source(position: usize, text: &str) -> Result<Vec<u64>, Rfc3797Error> {
    let values = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、'))
        .filter(|token| !token.is_empty())
        .map(|token| {
            // `u64::from_str` would also take "+7"; only plain digits are a
            // number as a lottery announces it.
            if !token.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Rfc3797Error::NotAnInteger {
                    position,
                    token: token.to_owned(),
                });
            }
            token.parse::<u64>().map_err(|_| Rfc3797Error::TooLarge {
                position,
                token: token.to_owned(),
            })
        })
        .collect::<Result<Vec<u64>, _>>()?;
    if values.is_empty() {
        return Err(Rfc3797Error::EmptySource { position });
    }
    Ok(values)
}

/// `MD5(u16_be(i) || key || u16_be(i))`, the hash behind selection `i`.
/// The RFC's §6 table lists these digests, so they are exposed for checking
/// a published draw line by line.
#[must_use]
pub fn selection_digest(key: &str, i: u16) -> [u8; 16] {
    let mut h = Md5::new();
    h.update(i.to_be_bytes());
    h.update(key.as_bytes());
    h.update(i.to_be_bytes());
    h.finalize().into()
}

/// The positions (0-based, in the original list) of the first `count`
/// selections from a list of `n` candidates, in selection order.
pub fn select_indices(n: usize, key: &str, count: usize) -> Result<Vec<usize>, Rfc3797Error> {
    if key.is_empty() {
        return Err(Rfc3797Error::EmptyKey);
    }
    if count > n {
        return Err(Rfc3797Error::CountExceedsCandidates {
            count,
            available: n,
        });
    }
    if count > MAX_SELECTIONS {
        return Err(Rfc3797Error::TooManySelections { count });
    }
    let mut remaining = RemainingList::new(n);
    let mut picks = Vec::with_capacity(count);
    for i in 0..count {
        let i = u16::try_from(i).map_err(|_| Rfc3797Error::TooManySelections { count })?;
        let value = u128::from_be_bytes(selection_digest(key, i));
        let left = remaining.len();
        // `left >= 1` because count <= n; the remainder is below `left`, so
        // it fits a usize.
        let nth = (value % left as u128) as usize;
        picks.push(remaining.take(nth));
    }
    Ok(picks)
}

/// The first `count` selections from `candidates` (in their published order)
/// under `key`, in selection order.
pub fn select<T: Clone>(candidates: &[T], key: &str, count: usize) -> Result<Vec<T>, Rfc3797Error> {
    let picks = select_indices(candidates.len(), key, count)?;
    Ok(picks
        .into_iter()
        .filter_map(|i| candidates.get(i).cloned())
        .collect())
}

/// The list "with the picked candidates removed", as a Fenwick tree over
/// presence flags: finding and removing the `nth` remaining candidate costs
/// O(log n) instead of shifting the list, so a large pool from an HTTP
/// caller cannot make a selection quadratic. Same answers as `Vec::remove`.
#[derive(Debug)]
struct RemainingList {
    /// 1-based Fenwick tree; `tree[i]` counts present positions in
    /// `(i - lowbit(i), i]`.
    tree: Vec<usize>,
    len: usize,
}

impl RemainingList {
    fn new(n: usize) -> Self {
        let mut tree = vec![1usize; n + 1];
        tree[0] = 0;
        for i in 1..=n {
            let parent = i + (i & i.wrapping_neg());
            if parent <= n {
                tree[parent] += tree[i];
            }
        }
        Self { tree, len: n }
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Removes the `nth` (0-based) remaining position and returns it as a
    /// 0-based position in the original list. Callers keep `nth < len`.
    fn take(&mut self, nth: usize) -> usize {
        let n = self.tree.len() - 1;
        // Binary lifting: the largest `pos` whose prefix count is <= nth;
        // the wanted position is the next one.
        let mut pos = 0;
        let mut skip = nth;
        let mut step = if n == 0 { 0 } else { 1 << n.ilog2() };
        while step > 0 {
            let next = pos + step;
            if next <= n && self.tree[next] <= skip {
                pos = next;
                skip -= self.tree[next];
            }
            step >>= 1;
        }
        let mut i = pos + 1;
        while i <= n {
            self.tree[i] -= 1;
            i += i & i.wrapping_neg();
        }
        self.len -= 1;
        pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The eligible volunteers of RFC 3797 §6, in the published order.
    const RFC_POOL: [&str; 25] = [
        "John",
        "Mary",
        "Bashful",
        "Dopey",
        "Sleepy",
        "Grouchy",
        "Doc",
        "Sneazy",
        "Handsome",
        "Cassandra",
        "Pollyanna",
        "Pendragon",
        "Pandora",
        "Faith",
        "Hope",
        "Charity",
        "Lee",
        "Longsuffering",
        "Chastity",
        "Smith",
        "Pride",
        "Sloth",
        "Envy",
        "Anger",
        "Kasczynski",
    ];

    const RFC_KEY: &str = "9319./2.5.8.10.12./9.18.26.34.41.45./";

    /// The MD5 column of the RFC 3797 §6 table, selection 0 first.
    const RFC_DIGESTS: [&str; 16] = [
        "990dd0a5692a029a98b5e01aa28f3459",
        "3691e55cb63fcc37914430b2f70b5ec6",
        "fe814edf564c190ac1d25753979990fa",
        "1863ccaceb568c31d7ddbdf1d4e91387",
        "f4ab33df4889f0af29c513905be1d758",
        "13eaeb529f61acfb9a29d0ba3a60de4a",
        "992db77c382ca2bdb9727001f3cdccd9",
        "63ab4258eca922976811c7f55c383ce7",
        "dfbc5ac97ced01b3a6e348e3cc63f40d",
        "31cb111c4a4ebe9287ceae16fe51b909",
        "07fa46c122f164c215bbc72793b189a3",
        "ac52f8d75ccbe2e61afeb3387637d501",
        "53306f73e14fc0b2fbf434218d25948e",
        "b5d1403501a81f9a47318be7893b347c",
        "85b10b356aa06663ef1b1b407765100a",
        "3269e6ce559abd57e2ba6aab495eb9bd",
    ];

    #[test]
    fn rfc_example_key() {
        // The second source as drawn, not sorted: sorting is the key's job.
        let sources = vec![
            vec![9319],
            vec![2, 5, 12, 8, 10],
            vec![9, 18, 26, 34, 41, 45],
        ];
        assert_eq!(key_from_sources(&sources).unwrap(), RFC_KEY);
        assert_eq!(
            key_from_source_texts(&["9319", "2 5 12 8 10", "09, 18, 26, 34, 41, 45"]).unwrap(),
            RFC_KEY
        );
    }

    #[test]
    fn rfc_example_digests() {
        for (i, want) in RFC_DIGESTS.iter().enumerate() {
            let got = selection_digest(RFC_KEY, u16::try_from(i).unwrap());
            assert_eq!(hex::encode(got), *want, "selection {i}");
        }
    }

    #[test]
    fn rfc_example_selection() {
        let pool: Vec<String> = RFC_POOL.iter().map(|s| (*s).to_owned()).collect();
        let got = select(&pool, RFC_KEY, 11).unwrap();
        assert_eq!(
            got,
            [
                "Lee",
                "Doc",
                "Mary",
                "Charity",
                "Kasczynski",
                "Envy",
                "Sneazy",
                "Anger",
                "Chastity",
                "Pandora",
                "Sloth"
            ]
        );
        // The RFC's worked remainders: 990D… mod 25 = 16 (Lee, 17th), 3691…
        // mod 24 = 6 (Doc, 7th of those left).
        assert_eq!(select_indices(25, RFC_KEY, 2).unwrap(), [16, 6]);
    }

    #[test]
    fn leading_zeros_and_separators() {
        assert_eq!(
            parse_sources(&["007 0 00", "1,2，3、4\t5"]).unwrap(),
            [vec![7, 0, 0], vec![1, 2, 3, 4, 5]]
        );
        assert_eq!(
            key_from_source_texts(&["007 0 10"]).unwrap(),
            "0.7.10./",
            "numeric, not textual, order"
        );
        assert_eq!(
            key_from_source_texts(&["18446744073709551615"]).unwrap(),
            "18446744073709551615./"
        );
    }

    #[test]
    fn bad_sources() {
        let none: [&str; 0] = [];
        assert_eq!(key_from_source_texts(&none), Err(Rfc3797Error::NoSources));
        assert_eq!(
            key_from_source_texts(&["1", " , "]),
            Err(Rfc3797Error::EmptySource { position: 2 })
        );
        for bad in ["-1", "+1", "1.5", "1e3", "x", "０７"] {
            assert!(
                matches!(
                    key_from_source_texts(&[bad]),
                    Err(Rfc3797Error::NotAnInteger { position: 1, .. })
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            key_from_source_texts(&["18446744073709551616"]),
            Err(Rfc3797Error::TooLarge { .. })
        ));
        assert_eq!(
            key_from_sources(&[vec![]]),
            Err(Rfc3797Error::EmptySource { position: 1 })
        );
    }

    #[test]
    fn bad_selections() {
        assert_eq!(select_indices(3, "", 1), Err(Rfc3797Error::EmptyKey));
        assert_eq!(
            select_indices(3, RFC_KEY, 4),
            Err(Rfc3797Error::CountExceedsCandidates {
                count: 4,
                available: 3
            })
        );
        assert_eq!(
            select_indices(MAX_SELECTIONS + 1, RFC_KEY, MAX_SELECTIONS + 1),
            Err(Rfc3797Error::TooManySelections {
                count: MAX_SELECTIONS + 1
            })
        );
        assert_eq!(select_indices(0, RFC_KEY, 0).unwrap(), Vec::<usize>::new());
    }

    /// The tree gives exactly what removing from a plain list gives.
    #[test]
    fn remaining_list_matches_vec_remove() {
        for n in [1usize, 2, 3, 7, 8, 9, 64, 100] {
            let key = format!("{n}./");
            let mut list: Vec<usize> = (0..n).collect();
            let mut want = Vec::new();
            for i in 0..n {
                let v = u128::from_be_bytes(selection_digest(&key, u16::try_from(i).unwrap()));
                want.push(list.remove((v % list.len() as u128) as usize));
            }
            assert_eq!(select_indices(n, &key, n).unwrap(), want, "n = {n}");
        }
    }

    #[test]
    fn a_full_selection_is_a_permutation() {
        let mut all = select_indices(1000, RFC_KEY, 1000).unwrap();
        all.sort_unstable();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
    }
}
