//! Signed notes: the c2sp.org/signed-note and Go sumdb/note known answers,
//! byte-for-byte signing, and the strict opener's refusals.

#![cfg(test)]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use draw_audit::note::{
    MAX_SIGNATURES, NoteError, NoteSigner, NoteVerifier, key_id, open, open_bytes, sign_note,
};
use ed25519_dalek::SigningKey;

struct Vector {
    vkey: String,
    skey: Option<String>,
    note: String,
}

fn vectors() -> Vec<Vector> {
    let ka = common::known_answers();
    ka["signed_notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Vector {
            vkey: v["vkey"].as_str().unwrap().to_owned(),
            skey: v["skey"].as_str().map(str::to_owned),
            note: v["note"].as_str().unwrap().to_owned(),
        })
        .collect()
}

fn text_of(note: &str) -> &str {
    &note[..note.rfind("\n\n").unwrap() + 1]
}

fn signer(name: &str, seed: u8) -> NoteSigner {
    NoteSigner::new(name, SigningKey::from_bytes(&[seed; 32])).unwrap()
}

#[test]
fn c2sp_example_verifies() {
    let v = &vectors()[0];
    let verifier = NoteVerifier::parse(&v.vkey).unwrap();
    assert_eq!(verifier.name(), "example.com/foo");
    assert_eq!(verifier.key_id(), 0x530d903a);
    assert_eq!(verifier.to_string(), v.vkey);
    let opened = open(&v.note, &[verifier]).unwrap();
    assert_eq!(opened.text, "This is an example message.\n");
    assert_eq!(
        opened.verified,
        vec![("example.com/foo".to_owned(), 0x530d903a)]
    );
    assert_eq!(opened.unverified_count, 0);
}

#[test]
fn sumdb_example_is_reproduced_byte_for_byte() {
    let v = &vectors()[1];
    let skey = v.skey.as_deref().unwrap();
    let s = NoteSigner::parse(skey).unwrap();
    assert_eq!(s.name(), "PeterNeumann");
    assert_eq!(s.key_id(), 0xc74f20a3);
    assert_eq!(s.verifier_key_string(), v.vkey);
    assert_eq!(s.private_key_string(), skey);
    assert_eq!(
        key_id("PeterNeumann", s.signing_key().verifying_key().as_bytes()),
        0xc74f20a3
    );
    let signed = s.sign(text_of(&v.note)).unwrap();
    assert_eq!(signed, v.note);
    let opened = open(&signed, &[NoteVerifier::parse(&v.vkey).unwrap()]).unwrap();
    assert_eq!(opened.text, text_of(&v.note));
    assert_eq!(
        opened.verified,
        vec![("PeterNeumann".to_owned(), 0xc74f20a3)]
    );
}

#[test]
fn debug_output_hides_the_private_key() {
    let v = &vectors()[1];
    let s = NoteSigner::parse(v.skey.as_deref().unwrap()).unwrap();
    let debug = format!("{s:?}");
    let secret_b64 = v.skey.as_deref().unwrap().rsplit('+').next().unwrap();
    assert!(!debug.contains(secret_b64), "{debug}");
    assert!(debug.contains("c74f20a3"));
}

#[test]
fn tampered_text_fails() {
    let v = &vectors()[0];
    let verifier = NoteVerifier::parse(&v.vkey).unwrap();
    let tampered = v.note.replacen("example", "exemple", 1);
    assert_eq!(
        open(&tampered, &[verifier]),
        Err(NoteError::InvalidSignature {
            name: "example.com/foo".into(),
            key_id: 0x530d903a
        })
    );
}

#[test]
fn tampered_signature_fails() {
    let v = &vectors()[0];
    let verifier = NoteVerifier::parse(&v.vkey).unwrap();
    let (head, b64) = v.note.trim_end().rsplit_once(' ').unwrap();
    let mut blob = STANDARD.decode(b64).unwrap();
    for i in [4, 20, 35, 67] {
        let mut bad = blob.clone();
        bad[i] ^= 0x01;
        let note = format!("{head} {}\n", STANDARD.encode(&bad));
        assert!(matches!(
            open(&note, std::slice::from_ref(&verifier)),
            Err(NoteError::InvalidSignature { .. })
        ));
    }
    // A truncated signature with a known key id is a bad signature, too.
    blob.truncate(40);
    let note = format!("{head} {}\n", STANDARD.encode(&blob));
    assert!(matches!(
        open(&note, &[verifier]),
        Err(NoteError::InvalidSignature { .. })
    ));
}

#[test]
fn wrong_or_unknown_keys_verify_nothing() {
    let vs = vectors();
    let foo = NoteVerifier::parse(&vs[0].vkey).unwrap();
    // Only the other vector's key: the signature is by an unknown key.
    assert_eq!(
        open(&vs[1].note, std::slice::from_ref(&foo)),
        Err(NoteError::NoVerifiedSignature { unverified: 1 })
    );
    assert_eq!(
        open(&vs[1].note, &[]),
        Err(NoteError::NoVerifiedSignature { unverified: 1 })
    );
    // Same name, different key: a different key id, so unknown as well.
    let imposter = signer("example.com/foo", 9).verifier();
    assert_ne!(imposter.key_id(), foo.key_id());
    assert_eq!(
        open(&vs[0].note, &[imposter]),
        Err(NoteError::NoVerifiedSignature { unverified: 1 })
    );
}

#[test]
fn several_signers() {
    let a = signer("log.example/a", 1);
    let b = signer("witness.example/b", 2);
    let note = sign_note("checkpoint text\n", &[&a, &b]).unwrap();
    let both = open(&note, &[b.verifier(), a.verifier()]).unwrap();
    assert_eq!(
        both.verified,
        vec![
            ("log.example/a".to_owned(), a.key_id()),
            ("witness.example/b".to_owned(), b.key_id())
        ]
    );
    assert_eq!(both.unverified_count, 0);
    let one = open(&note, &[b.verifier()]).unwrap();
    assert_eq!(one.verified.len(), 1);
    assert_eq!(one.unverified_count, 1);
    assert_eq!(
        sign_note("x\n", &[&a, &a]),
        Err(NoteError::DuplicateSigner {
            name: "log.example/a".into(),
            key_id: a.key_id()
        })
    );
    assert_eq!(
        sign_note::<NoteSigner>("x\n", &[]),
        Err(NoteError::NoSigners)
    );
}

#[test]
fn duplicate_signature_line_is_rejected() {
    let v = &vectors()[0];
    let verifier = NoteVerifier::parse(&v.vkey).unwrap();
    let line = &v.note[v.note.rfind("\n\n").unwrap() + 2..];
    let doubled = format!("{}{line}", v.note);
    assert_eq!(
        open(&doubled, &[verifier]),
        Err(NoteError::DuplicateSignatureLine { line: 2 })
    );
    // Repeated lines by unknown keys are refused the same way.
    let s = signer("other", 3);
    let note = s.sign("t\n").unwrap();
    let unknown_line = &note[note.rfind("\n\n").unwrap() + 2..];
    let doubled = format!("{note}{unknown_line}");
    assert_eq!(
        open(
            &doubled,
            &[NoteVerifier::parse(&vectors()[0].vkey).unwrap()]
        ),
        Err(NoteError::DuplicateSignatureLine { line: 2 })
    );
}

#[test]
fn malformed_notes() {
    let s = signer("k", 4);
    let good = s.sign("hello\nworld\n").unwrap();
    let sig_line = &good[good.rfind("\n\n").unwrap() + 2..];
    let v = [s.verifier()];
    assert!(open(&good, &v).is_ok());

    // No blank line before the signatures.
    let no_blank = good.replacen("\n\n", "\n", 1);
    assert_eq!(open(&no_blank, &v), Err(NoteError::MissingSignatureBlock));
    // Empty signature block, missing final newline.
    assert_eq!(open("hello\n\n", &v), Err(NoteError::MissingSignatureBlock));
    assert_eq!(
        open(good.trim_end(), &v),
        Err(NoteError::MissingSignatureBlock)
    );
    assert_eq!(open("", &v), Err(NoteError::MissingSignatureBlock));
    // Control characters anywhere, including CR.
    for bad in [
        good.replace('\n', "\r\n"),
        good.replacen("hello", "he\u{7}llo", 1),
    ] {
        assert!(matches!(
            open(&bad, &v),
            Err(NoteError::ControlCharacter { .. })
        ));
    }
    // Signature lines that do not parse.
    for line in [
        sig_line.replacen('\u{2014}', "-", 1),
        sig_line.replacen("\u{2014} ", "\u{2014}", 1),
        sig_line.replacen(' ', "  ", 1),
        sig_line.replacen("k ", "k", 1),
        sig_line.replacen('=', "", 1),
        "\u{2014} k AAAA\n".to_owned(),
        "\u{2014} k \n".to_owned(),
    ] {
        let note = format!("hello\nworld\n\n{line}");
        assert!(
            matches!(
                open(&note, &v),
                Err(NoteError::MalformedSignatureLine { .. })
            ),
            "{line:?}: {:?}",
            open(&note, &v)
        );
    }
    // A blank line inside the block makes the block end there, so the
    // earlier signature becomes text and the note no longer verifies.
    let blank_inside = format!("{good}\n{sig_line}");
    assert!(open(&blank_inside, &v).is_err());
    // Invalid UTF-8 through the byte entry point.
    let mut bytes = good.clone().into_bytes();
    bytes[1] = 0xff;
    assert_eq!(open_bytes(&bytes, &v), Err(NoteError::InvalidUtf8));
    assert!(open_bytes(good.as_bytes(), &v).is_ok());
}

#[test]
fn signature_count_is_bounded() {
    let keys: Vec<NoteSigner> = (0..=MAX_SIGNATURES as u8)
        .map(|i| signer(&format!("k{i}"), i))
        .collect();
    let refs: Vec<&NoteSigner> = keys.iter().collect();
    let at_limit = sign_note("t\n", &refs[..MAX_SIGNATURES]).unwrap();
    assert!(open(&at_limit, &[keys[0].verifier()]).is_ok());
    let over = sign_note("t\n", &refs).unwrap();
    assert_eq!(
        open(&over, &[keys[0].verifier()]),
        Err(NoteError::TooManySignatures)
    );
}

#[test]
fn signing_refuses_bad_text() {
    let s = signer("k", 5);
    assert_eq!(s.sign("no newline"), Err(NoteError::MissingFinalNewline));
    assert_eq!(s.sign(""), Err(NoteError::MissingFinalNewline));
    assert!(matches!(
        s.sign("tab\there\n"),
        Err(NoteError::ControlCharacter { .. })
    ));
    // Blank lines inside the text survive a round trip: the last one splits.
    for text in ["\n", "a\n\nb\n", "a\n\n", "\u{2014} x y\n\n\u{2014} z\n"] {
        let note = s.sign(text).unwrap();
        assert_eq!(open(&note, &[s.verifier()]).unwrap().text, text);
    }
    assert!(matches!(
        NoteSigner::new("bad name", SigningKey::from_bytes(&[1; 32])),
        Err(NoteError::InvalidKeyName(_))
    ));
}

#[test]
fn verifier_key_strings_are_checked() {
    let good = vectors()[0].vkey.clone();
    assert!(NoteVerifier::parse(&good).is_ok());
    let (name, rest) = good.split_once('+').unwrap();
    let (id, key) = rest.split_once('+').unwrap();
    let mut data = STANDARD.decode(key).unwrap();

    let cases: Vec<(String, &str)> = vec![
        (String::new(), "empty"),
        (format!("{name}+{id}"), "no key"),
        (
            format!("{name}+{}+{key}", id.to_uppercase()),
            "uppercase id",
        ),
        (format!("{name}+{}+{key}", &id[1..]), "short id"),
        (format!("{name}+{id}+{}", &key[1..]), "bad base64"),
        (format!("{name}+{id}+{key}\n"), "trailing newline"),
        (format!("{name}+530d903b+{key}"), "id mismatch"),
        (format!("other+{id}+{key}"), "name mismatch"),
        (format!("a b+{id}+{key}"), "space in name"),
        (format!("+{id}+{key}"), "empty name"),
    ];
    for (s, why) in &cases {
        assert!(NoteVerifier::parse(s).is_err(), "{why}: {s:?}");
    }
    data[0] = 0x02;
    assert_eq!(
        NoteVerifier::parse(&format!("{name}+{id}+{}", STANDARD.encode(&data))),
        Err(NoteError::UnsupportedAlgorithm(2))
    );
    assert!(matches!(
        NoteVerifier::parse(&format!("{name}+530d903b+{key}")),
        Err(NoteError::KeyIdMismatch { .. })
    ));
    // The identity point is a small-order (weak) key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak_id = key_id("weak", &identity);
    let mut weak = vec![1u8];
    weak.extend_from_slice(&identity);
    assert_eq!(
        NoteVerifier::parse(&format!("weak+{weak_id:08x}+{}", STANDARD.encode(&weak))),
        Err(NoteError::WeakKey)
    );
    // Signer keys are checked the same way.
    let skey = vectors()[1].skey.clone().unwrap();
    assert!(NoteSigner::parse(&skey.replacen("c74f20a3", "c74f20a4", 1)).is_err());
    assert!(NoteSigner::parse(skey.strip_prefix("PRIVATE+KEY+").unwrap()).is_err());
    assert!(NoteSigner::parse(&vectors()[1].vkey).is_err());
}

/// `verify_strict`, not plain `verify`: a signature whose R is the identity
/// (a small-order point) passes the cofactorless equation for any key whose
/// secret the forger holds, and gives a second signature for the same
/// message. The plain check accepts it; the opener must not.
#[test]
fn small_order_r_is_refused() {
    use curve25519_dalek::Scalar;
    use ed25519_dalek::{Signature, Verifier as _};
    use sha2::{Digest as _, Sha512};

    let key = SigningKey::from_bytes(&[5; 32]);
    let signer = NoteSigner::new("example.com/strict", key.clone()).unwrap();
    let text = "a strict note\n";
    let mut r = [0u8; 32];
    r[0] = 1; // the identity point
    let a = key.verifying_key().to_bytes();
    let k = Scalar::from_hash(
        Sha512::new()
            .chain_update(r)
            .chain_update(a)
            .chain_update(text),
    );
    let s = k * key.to_scalar();
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&r);
    sig[32..].copy_from_slice(s.as_bytes());
    // The lax check accepts this signature...
    key.verifying_key()
        .verify(text.as_bytes(), &Signature::from_bytes(&sig))
        .unwrap();
    // ...the note opener does not.
    let mut blob = signer.key_id().to_be_bytes().to_vec();
    blob.extend_from_slice(&sig);
    let note = format!("{text}\n— example.com/strict {}\n", STANDARD.encode(&blob));
    assert!(matches!(
        open(&note, &[signer.verifier()]),
        Err(NoteError::InvalidSignature { .. })
    ));
    // The genuine signature of the same text opens.
    assert!(open(&sign_note(text, &[&signer]).unwrap(), &[signer.verifier()]).is_ok());
}
