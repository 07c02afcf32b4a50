//! tlog-checkpoint bodies: exact text form, strict parsing, and signing and
//! opening as signed notes.

#![cfg(test)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use draw_audit::checkpoint::{Checkpoint, CheckpointError};
use draw_audit::merkle::{CompactRange, leaf_hash};
use draw_audit::note::{NoteError, NoteSigner};
use ed25519_dalek::SigningKey;

const C2SP_EXAMPLE: &str =
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

fn signer(name: &str, seed: u8) -> NoteSigner {
    NoteSigner::new(name, SigningKey::from_bytes(&[seed; 32])).unwrap()
}

#[test]
fn c2sp_example_round_trips() {
    let c = Checkpoint::parse(C2SP_EXAMPLE).unwrap();
    assert_eq!(c.origin, "example.com/behind-the-sofa");
    assert_eq!(c.size, 20852163);
    assert_eq!(
        STANDARD.encode(c.root),
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    );
    assert!(c.extensions.is_empty());
    assert_eq!(c.to_text(), C2SP_EXAMPLE);
}

#[test]
fn extensions_round_trip() {
    let mut c = Checkpoint::new("ggzy.example.cn/expert-draw", 0, [0; 32]);
    c.extensions = vec!["ext one".into(), "— ext two".into()];
    let text = c.to_text();
    assert_eq!(
        text,
        "ggzy.example.cn/expert-draw\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\next one\n— ext two\n"
    );
    assert_eq!(Checkpoint::parse(&text).unwrap(), c);
}

#[test]
fn sign_and_open() {
    let log = signer("ggzy.example.cn/expert-draw", 1);
    let witness = signer("witness.example", 2);
    let mut range = CompactRange::new();
    for i in 0..10u8 {
        range.append(leaf_hash(&[i])).unwrap();
    }
    let c = Checkpoint::new(log.name(), range.size(), range.root());
    let signed = c.sign(&[&log, &witness]).unwrap();
    assert!(signed.starts_with(&c.to_text()));
    let (back, opened) = Checkpoint::open(&signed, &[log.verifier()]).unwrap();
    assert_eq!(back, c);
    assert_eq!(opened.verified, vec![(log.name().to_owned(), log.key_id())]);
    assert_eq!(opened.unverified_count, 1);

    // Someone else's key verifies nothing; an altered size breaks the
    // signature.
    let stranger = signer("ggzy.example.cn/expert-draw", 3);
    assert!(matches!(
        Checkpoint::open(&signed, &[stranger.verifier()]),
        Err(CheckpointError::Note(NoteError::NoVerifiedSignature {
            unverified: 2
        }))
    ));
    let altered = signed.replacen("\n10\n", "\n11\n", 1);
    assert!(matches!(
        Checkpoint::open(&altered, &[log.verifier()]),
        Err(CheckpointError::Note(NoteError::InvalidSignature { .. }))
    ));
}

#[test]
fn signed_but_malformed_body_is_refused() {
    let log = signer("log", 4);
    let signed = log
        .sign("log\n007\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
        .unwrap();
    assert_eq!(
        Checkpoint::open(&signed, &[log.verifier()]),
        Err(CheckpointError::InvalidSize("007".into()))
    );
}

#[test]
fn strict_parsing() {
    let root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";
    let cases: Vec<(String, CheckpointError)> = vec![
        (
            C2SP_EXAMPLE.trim_end().to_owned(),
            CheckpointError::MissingFinalNewline,
        ),
        ("o\n1\n".into(), CheckpointError::TooFewLines),
        ("".into(), CheckpointError::MissingFinalNewline),
        (format!("\n1\n{root}\n"), CheckpointError::InvalidOrigin),
        (format!("o\r\n1\n{root}\n"), CheckpointError::InvalidOrigin),
        (
            format!("o\n01\n{root}\n"),
            CheckpointError::InvalidSize("01".into()),
        ),
        (
            format!("o\n+1\n{root}\n"),
            CheckpointError::InvalidSize("+1".into()),
        ),
        (
            format!("o\n-1\n{root}\n"),
            CheckpointError::InvalidSize("-1".into()),
        ),
        (
            format!("o\n\n{root}\n"),
            CheckpointError::InvalidSize("".into()),
        ),
        ("o\n1\nAAAA\n".into(), CheckpointError::InvalidRoot),
        (
            format!("o\n1\n{}\n", &root[..43]),
            CheckpointError::InvalidRoot,
        ),
        // Non-zero trailing bits: not the canonical encoding of any hash.
        (
            "o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n".into(),
            CheckpointError::InvalidRoot,
        ),
        (
            format!("o\n1\n{root}\n\n"),
            CheckpointError::InvalidExtension(1),
        ),
        (
            format!("o\n1\n{root}\nx\n\tbad\n"),
            CheckpointError::InvalidExtension(2),
        ),
    ];
    for (text, want) in cases {
        assert_eq!(Checkpoint::parse(&text), Err(want), "{text:?}");
    }
}

#[test]
fn sign_refuses_fields_that_would_not_parse_back() {
    let log = signer("log", 5);
    let bad_origin = Checkpoint::new("two\nlines", 1, [0; 32]);
    assert_eq!(
        bad_origin.sign(&[&log]),
        Err(CheckpointError::InvalidOrigin)
    );
    assert_eq!(
        Checkpoint::new("", 1, [0; 32]).sign(&[&log]),
        Err(CheckpointError::InvalidOrigin)
    );
    let mut bad_ext = Checkpoint::new("log", 1, [0; 32]);
    bad_ext.extensions.push(String::new());
    assert_eq!(
        bad_ext.sign(&[&log]),
        Err(CheckpointError::InvalidExtension(1))
    );
    assert!(matches!(
        Checkpoint::new("log", 1, [0; 32]).sign::<NoteSigner>(&[]),
        Err(CheckpointError::Note(NoteError::NoSigners))
    ));
}
