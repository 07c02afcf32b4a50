//! Inclusion and consistency proofs and past roots, served from stored
//! hashes: draw-audit's proof code runs twice, once to learn which
//! `(level, index)` hashes it needs, then over those, fetched with the head
//! (against which the arguments are checked) in one statement.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use draw_audit::merkle::{self, Hash, HashStore, ProofError};

use super::super::StoreError;
use super::{TreeHead, nodes};
use crate::db::DbConn;

/// Which argument of a proof request is out of range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeArg {
    Index,
    Size,
    OldSize,
    NewSize,
}

impl TreeArg {
    /// The argument's name in [`inclusion_proof`] and [`consistency_proof`].
    pub fn name(self) -> &'static str {
        match self {
            TreeArg::Index => "index",
            TreeArg::Size => "size",
            TreeArg::OldSize => "old_size",
            TreeArg::NewSize => "new_size",
        }
    }
}

fn out_of_range(arg: TreeArg, reason: String) -> StoreError {
    StoreError::TreeArg { arg, reason }
}

/// Refuses a tree size beyond the current head.
fn check_size(head: &TreeHead, arg: TreeArg, size: u64) -> Result<(), StoreError> {
    if size > head.size {
        return Err(out_of_range(
            arg,
            format!(
                "{} {size} is beyond the log's current size {}",
                arg.name(),
                head.size
            ),
        ));
    }
    Ok(())
}

fn check_index(index: u64, size: u64) -> Result<(), StoreError> {
    if index >= size {
        return Err(out_of_range(
            TreeArg::Index,
            format!("index {index} is not below the tree size {size}"),
        ));
    }
    Ok(())
}

fn check_old_size(old_size: u64, new_size: u64) -> Result<(), StoreError> {
    if old_size > new_size {
        return Err(out_of_range(
            TreeArg::OldSize,
            format!("old size {old_size} is larger than the new size {new_size}"),
        ));
    }
    if old_size == 0 && new_size > 0 {
        return Err(out_of_range(
            TreeArg::OldSize,
            "a consistency proof from the empty tree proves nothing; old size must be at least 1"
                .into(),
        ));
    }
    Ok(())
}

/// The inclusion proof (RFC 9162 §2.1.3.1) of entry `index` in the tree of
/// `size` entries, from the leaf's sibling up. Needs `index < size <= head`.
pub fn inclusion_proof(conn: &mut DbConn, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
    from_stored(
        conn,
        |head| {
            check_size(head, TreeArg::Size, size)?;
            check_index(index, size)
        },
        |s| merkle::inclusion_proof(s, index, size),
    )
}

/// An inclusion proof with what a verifier needs beside it, read together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inclusion {
    /// The log's head when the proof was read.
    pub head: TreeHead,
    /// The leaf hash of the entry.
    pub leaf: Hash,
    /// The root of the tree of `size` entries.
    pub root: Hash,
    pub proof: Vec<Hash>,
}

/// [`inclusion_proof`], the entry's leaf hash and the root at `size`, from
/// one statement (one round trip, one snapshot).
pub fn inclusion(conn: &mut DbConn, index: u64, size: u64) -> Result<Inclusion, StoreError> {
    let mut head = None;
    let (leaf, root, proof) = from_stored(
        conn,
        |h| {
            head = Some(h.clone());
            check_size(h, TreeArg::Size, size)?;
            check_index(index, size)
        },
        |s| {
            let proof = merkle::inclusion_proof(s, index, size)?;
            Ok((
                s.leaf_hash(index)?,
                merkle::subtree_root(s, 0, size)?,
                proof,
            ))
        },
    )?;
    let head = head.ok_or_else(|| StoreError::Corrupt("no head was read".into()))?;
    Ok(Inclusion {
        head,
        leaf,
        root,
        proof,
    })
}

/// The consistency proof (RFC 9162 §2.1.4.1) that the tree of `old_size`
/// entries is a prefix of the tree of `new_size` entries. Needs
/// `0 < old_size <= new_size <= head` (equal sizes give the empty proof; a
/// proof from the empty tree would prove nothing, so size 0 is refused
/// unless both are 0).
pub fn consistency_proof(
    conn: &mut DbConn,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, StoreError> {
    from_stored(
        conn,
        |head| {
            check_size(head, TreeArg::NewSize, new_size)?;
            check_old_size(old_size, new_size)
        },
        |s| merkle::consistency_proof(s, old_size, new_size),
    )
}

/// A consistency proof with both roots, read together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consistency {
    pub old_root: Hash,
    pub new_root: Hash,
    pub proof: Vec<Hash>,
}

/// [`consistency_proof`] and the roots at both sizes, from one statement.
pub fn consistency(
    conn: &mut DbConn,
    old_size: u64,
    new_size: u64,
) -> Result<Consistency, StoreError> {
    let (old_root, new_root, proof) = from_stored(
        conn,
        |head| {
            check_size(head, TreeArg::NewSize, new_size)?;
            check_old_size(old_size, new_size)
        },
        |s| {
            let proof = merkle::consistency_proof(s, old_size, new_size)?;
            Ok((root_of(s, old_size)?, root_of(s, new_size)?, proof))
        },
    )?;
    Ok(Consistency {
        old_root,
        new_root,
        proof,
    })
}

/// The root of the tree of the first `size` entries (`size <= head`), from
/// the stored roots of its perfect subtrees.
pub fn root_at(conn: &mut DbConn, size: u64) -> Result<Hash, StoreError> {
    from_stored(
        conn,
        |head| check_size(head, TreeArg::Size, size),
        |s| root_of(s, size),
    )
}

fn root_of(s: &dyn HashStore, size: u64) -> Result<Hash, ProofError> {
    if size == 0 {
        return Ok(merkle::empty_root());
    }
    merkle::subtree_root(s, 0, size).map_err(ProofError::from)
}

/// Run `prove` over a recording store to learn the hashes it reads, fetch
/// exactly those with the head in one statement, `check` the arguments
/// against that head, and run `prove` again over the fetched hashes. The
/// recording run may fail on arguments `check` refuses; `check`'s error is
/// the answer then.
fn from_stored<T>(
    conn: &mut DbConn,
    check: impl FnOnce(&TreeHead) -> Result<(), StoreError>,
    prove: impl Fn(&dyn HashStore) -> Result<T, ProofError>,
) -> Result<T, StoreError> {
    let wanted = Recorder::default();
    let shape = prove(&wanted);
    let keys = wanted.0.into_inner();
    let fetched = nodes::fetch(conn, &keys)?;
    check(&fetched.head)?;
    shape.map_err(proof_failed)?;
    if let Some((level, index)) = keys.iter().find(|k| !fetched.hashes.contains_key(k)) {
        return Err(StoreError::Corrupt(format!(
            "tree node (level {level}, index {index}) is not stored"
        )));
    }
    prove(&Stored(fetched.hashes)).map_err(proof_failed)
}

fn proof_failed(e: ProofError) -> StoreError {
    StoreError::Corrupt(format!("proof from stored hashes: {e}"))
}

/// Notes every hash asked for and answers with zeros: the proof's shape
/// depends only on sizes and indices, never on hash values.
#[derive(Default)]
struct Recorder(RefCell<BTreeSet<(u32, u64)>>);

impl HashStore for Recorder {
    fn leaf_hash(&self, index: u64) -> Result<Hash, merkle::StoreError> {
        self.0.borrow_mut().insert((0, index));
        Ok([0; 32])
    }

    fn subtree_hash(&self, start: u64, end: u64) -> Result<Option<Hash>, merkle::StoreError> {
        self.0.borrow_mut().insert(node_key(start, end));
        Ok(Some([0; 32]))
    }
}

/// The fetched hashes; every key the recorder saw is present.
struct Stored(BTreeMap<(u32, u64), Hash>);

impl HashStore for Stored {
    fn leaf_hash(&self, index: u64) -> Result<Hash, merkle::StoreError> {
        self.0
            .get(&(0, index))
            .copied()
            .ok_or(merkle::StoreError::MissingLeaf(index))
    }

    fn subtree_hash(&self, start: u64, end: u64) -> Result<Option<Hash>, merkle::StoreError> {
        Ok(self.0.get(&node_key(start, end)).copied())
    }
}

/// `(level, index)` of the perfect aligned subtree `[start, end)`.
fn node_key(start: u64, end: u64) -> (u32, u64) {
    let level = end.saturating_sub(start).trailing_zeros();
    (level, start.checked_shr(level).unwrap_or(0))
}
