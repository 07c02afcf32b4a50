//! Reading the audit log as an outside verifier does: the signed checkpoint,
//! the verifier key and the entries over HTTP, checked with draw-audit alone.

use draw_audit::checkpoint::Checkpoint;
use draw_audit::entry::Entry;
use draw_audit::merkle::Hash;
use draw_audit::note::NoteVerifier;
use sha2::{Digest, Sha256};

use crate::client::Api;

/// The origin the harness passes to `serve --log-origin`.
pub const ORIGIN: &str = "test.expert-draw.local/log";

/// A checkpoint as served, opened with the served verifier key.
#[derive(Debug, Clone)]
pub struct SignedHead {
    pub note: String,
    pub vkey: String,
    pub verifier: NoteVerifier,
    pub checkpoint: Checkpoint,
}

/// Fetch `/audit/checkpoint` and `/audit/vkey` (no token needed) and open
/// the note by the c2sp rules; panics unless it verifies.
pub fn signed_head(api: &Api) -> SignedHead {
    let r = api.get("/api/v1/audit/vkey");
    assert_eq!(r.status, 200, "vkey: {}", r.text);
    assert!(
        r.content_type.starts_with("text/plain"),
        "{}",
        r.content_type
    );
    let vkey = r.text.strip_suffix('\n').expect("vkey ends with a newline");
    let verifier = NoteVerifier::parse(vkey).expect("verifier key parses");
    let r = api.get("/api/v1/audit/checkpoint");
    assert_eq!(r.status, 200, "checkpoint: {}", r.text);
    assert!(
        r.content_type.starts_with("text/plain"),
        "{}",
        r.content_type
    );
    let (checkpoint, opened) =
        Checkpoint::open(&r.text, std::slice::from_ref(&verifier)).expect("checkpoint verifies");
    assert_eq!(
        opened.verified,
        vec![(verifier.name().to_owned(), verifier.key_id())]
    );
    assert_eq!(opened.unverified_count, 0);
    SignedHead {
        note: r.text,
        vkey: vkey.to_owned(),
        verifier,
        checkpoint,
    }
}

/// Every leaf, paging through `/audit/entries` `page` entries at a time.
/// Each line must be a whole leaf followed by a newline.
pub fn leaves(api: &Api, page: u64) -> Vec<String> {
    let mut all = Vec::new();
    loop {
        let from = all.len();
        let r = api.get(&format!("/api/v1/audit/entries?from={from}&limit={page}"));
        assert_eq!(r.status, 200, "entries: {}", r.text);
        assert!(
            r.content_type.starts_with("application/jsonl"),
            "{}",
            r.content_type
        );
        if r.text.is_empty() {
            break;
        }
        let body = r.text.strip_suffix('\n').expect("JSON Lines end with \\n");
        let got: Vec<String> = body.split('\n').map(str::to_owned).collect();
        let n = got.len() as u64;
        assert!(n <= page, "asked for {page} entries, got {n}");
        all.extend(got);
        if n < page {
            break;
        }
    }
    all
}

/// Parse every leaf strictly and insist on `seq` 0, 1, 2, … with neither
/// gaps nor duplicates.
pub fn dense_entries(leaves: &[String]) -> Vec<Entry> {
    leaves
        .iter()
        .enumerate()
        .map(|(i, leaf)| {
            let e = Entry::parse_leaf(leaf.as_bytes())
                .unwrap_or_else(|err| panic!("leaf {i} is not canonical ({err}): {leaf}"));
            assert_eq!(e.seq, i as u64, "leaf at position {i} has seq {}", e.seq);
            e
        })
        .collect()
}

/// RFC 6962 leaf hashes `H(0x00 || leaf)`, computed here from the
/// definition rather than by the code the server runs.
pub fn leaf_hashes(leaves: &[String]) -> Vec<Hash> {
    leaves
        .iter()
        .map(|l| {
            let mut h = Sha256::new();
            h.update([0x00]);
            h.update(l.as_bytes());
            h.finalize().into()
        })
        .collect()
}

/// RFC 6962 §2.1 MTH over leaf hashes, straight from its recursive
/// definition (split at the largest power of two below n; empty tree
/// `H("")`), independent of the compact range the server keeps.
pub fn root(hashes: &[Hash]) -> Hash {
    match hashes.len() {
        0 => Sha256::digest(b"").into(),
        1 => hashes[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            let mut h = Sha256::new();
            h.update([0x01]);
            h.update(root(&hashes[..k]));
            h.update(root(&hashes[k..]));
            h.finalize().into()
        }
    }
}
