//! Key material: fresh keys, PKCS#8 PEM (RFC 8410 example), and key files
//! created 0600 under 0700 directories and refused when others can read them.

#![cfg(test)]

use std::fs;
use std::os::unix::fs::PermissionsExt as _;

use draw_audit::keys::{
    KeyError, generate_signing_key, load_key_file, load_or_create_key_file, signing_key_from_pem,
    signing_key_to_pem,
};
use draw_audit::note::{NoteError, open};

/// RFC 8410 §10.3 example private key.
const RFC8410_PEM: &str = "-----BEGIN PRIVATE KEY-----\n\
MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
-----END PRIVATE KEY-----\n";
const RFC8410_SEED: &str = "d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842";

fn mode(path: &std::path::Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn fresh_keys_differ_and_are_sound() {
    let a = generate_signing_key().unwrap();
    let b = generate_signing_key().unwrap();
    assert_ne!(a.to_bytes(), b.to_bytes());
    assert!(!a.verifying_key().is_weak());
}

#[test]
fn pem_known_answer_and_round_trip() {
    let key = signing_key_from_pem(RFC8410_PEM).unwrap();
    assert_eq!(hex::encode(key.to_bytes()), RFC8410_SEED);
    let pem = signing_key_to_pem(&key).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert_eq!(
        signing_key_from_pem(&pem).unwrap().to_bytes(),
        key.to_bytes()
    );

    let fresh = generate_signing_key().unwrap();
    let pem = signing_key_to_pem(&fresh).unwrap();
    assert_eq!(
        signing_key_from_pem(&pem).unwrap().to_bytes(),
        fresh.to_bytes()
    );
}

#[test]
fn pem_garbage_is_an_error() {
    for bad in [
        "",
        "hello",
        "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
        &RFC8410_PEM.replace("PRIVATE KEY", "PUBLIC KEY"),
        &RFC8410_PEM.replace("MC4C", "MC4D"),
    ] {
        assert!(
            matches!(signing_key_from_pem(bad), Err(KeyError::Pkcs8(_))),
            "{bad:?}"
        );
    }
}

#[test]
fn create_then_load() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/keys/log.pem");
    let (signer, created) = load_or_create_key_file(&path, "ggzy.example.cn/log").unwrap();
    assert!(created);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&dir.path().join("nested/keys")), 0o700);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"));

    let (again, created) = load_or_create_key_file(&path, "ggzy.example.cn/log").unwrap();
    assert!(!created);
    assert_eq!(again.verifier_key_string(), signer.verifier_key_string());
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        text,
        "file must not change"
    );
    let loaded = load_key_file(&path, "ggzy.example.cn/log").unwrap();
    let note = loaded.sign("hello\n").unwrap();
    assert!(open(&note, &[signer.verifier()]).is_ok());
}

#[test]
fn key_file_in_current_directory_form() {
    // A bare file name has an empty parent; nothing to create there.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.pem");
    assert!(load_or_create_key_file(&path, "k").unwrap().1);
}

#[test]
fn loose_permissions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.pem");
    load_or_create_key_file(&path, "log").unwrap();
    for loose in [0o644, 0o640, 0o604, 0o660, 0o602] {
        fs::set_permissions(&path, fs::Permissions::from_mode(loose)).unwrap();
        let err = load_or_create_key_file(&path, "log").unwrap_err();
        assert!(
            matches!(err, KeyError::InsecurePermissions { mode, .. } if mode == loose),
            "{loose:o}: {err}"
        );
        let msg = err.to_string();
        assert!(msg.contains("chmod 600"), "{msg}");
        assert!(msg.contains(&path.display().to_string()), "{msg}");
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
    assert!(load_key_file(&path, "log").is_ok());
}

#[test]
fn unusable_key_files() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the key should be.
    let as_dir = dir.path().join("dir.pem");
    fs::create_dir(&as_dir).unwrap();
    fs::set_permissions(&as_dir, fs::Permissions::from_mode(0o700)).unwrap();
    assert!(matches!(
        load_or_create_key_file(&as_dir, "k"),
        Err(KeyError::NotAFile { .. })
    ));
    // Garbage content, and content far too large to be a key.
    let garbage = dir.path().join("garbage.pem");
    fs::write(&garbage, "not a key").unwrap();
    fs::set_permissions(&garbage, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(matches!(
        load_key_file(&garbage, "k"),
        Err(KeyError::Pkcs8(_))
    ));
    let huge = dir.path().join("huge.pem");
    fs::write(&huge, vec![b'A'; 1 << 20]).unwrap();
    fs::set_permissions(&huge, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(matches!(
        load_key_file(&huge, "k"),
        Err(KeyError::TooLarge { .. })
    ));
    // Missing file on plain load.
    assert!(matches!(
        load_key_file(&dir.path().join("missing.pem"), "k"),
        Err(KeyError::Io { .. })
    ));
}

#[test]
fn invalid_name_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/log.pem");
    assert!(matches!(
        load_or_create_key_file(&path, "bad name"),
        Err(KeyError::Note(NoteError::InvalidKeyName(_)))
    ));
    assert!(!path.exists());
    assert!(!dir.path().join("sub").exists());
}

#[test]
fn rfc8410_key_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rfc.pem");
    fs::write(&path, RFC8410_PEM).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let s = load_key_file(&path, "rfc8410").unwrap();
    assert_eq!(hex::encode(s.signing_key().to_bytes()), RFC8410_SEED);
}
