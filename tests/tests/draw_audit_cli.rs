//! The offline `draw-audit` binary end to end: every expert-draw/1 vector,
//! every transparency-dev proof probe, keys, checkpoints and RFC 3797.

use std::ffi::OsStr;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use draw_audit::checkpoint::Checkpoint;
use draw_audit::jcs::canonical_string;
use draw_audit::merkle::{leaf_hash, node_hash};
use draw_audit::note::{NoteSigner, NoteVerifier};
use ed25519_dalek::SigningKey;
use expert_draw_tests::audit_bin;
use serde_json::{Value, json};

/// Exit status and output of one run.
#[derive(Debug)]
struct Run {
    code: i32,
    out: String,
    err: String,
}

fn audit_with_stdin<I, S>(args: I, stdin: &[u8]) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(audit_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run draw-audit");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write stdin");
    let out = child.wait_with_output().expect("draw-audit output");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    // Whatever the input, the binary reports; it never panics.
    assert!(!run.err.contains("panicked"), "{run:?}");
    run
}

fn audit<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    audit_with_stdin(args, b"")
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn draw_vectors() -> Value {
    let path = workspace().join("expert-core/vectors/expert-draw-1.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("vectors JSON")
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write temp file");
    path
}

const ZERO_NONCE: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[test]
fn draw_reproduces_every_valid_vector() {
    let v = draw_vectors();
    let dir = tempfile::tempdir().unwrap();
    let cases = v["valid"].as_array().unwrap();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let input = json!({
            "statement": case["statement"],
            "nonce": case["nonce"],
            "beacon": case["beacon"],
        });
        let path = write(dir.path(), &format!("{name}.json"), input.to_string());
        let run = audit([OsStr::new("draw"), "--input".as_ref(), path.as_os_str()]);
        assert_eq!(run.code, 0, "{name}: {run:?}");

        let e = &case["expect"];
        let want = json!({
            "statement_hash": e["statement_hash"],
            "nonce_commitment": e["nonce_commitment"],
            "seed": e["seed"],
            "result": e["result"],
        });
        // Byte for byte: the output is canonical, so scripts can diff it.
        assert_eq!(
            run.out,
            format!("{}\n", canonical_string(&want).unwrap()),
            "{name}"
        );
    }
    println!("draw: {} valid vector cases reproduced", cases.len());
    assert_eq!(cases.len(), 10);
}

#[test]
fn draw_names_the_rule_of_every_invalid_vector() {
    let v = draw_vectors();
    let dir = tempfile::tempdir().unwrap();
    let cases = v["invalid"].as_array().unwrap();
    let (mut parsed, mut raw) = (0, 0);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let rule = case["rule"].as_u64().unwrap();
        let input = if let Some(text) = case["statement_text"].as_str() {
            // Templated as text: a parsed value would lose the duplicate key
            // or could not hold the lone surrogate at all.
            raw += 1;
            format!(r#"{{"statement": {text}, "nonce": "{ZERO_NONCE}", "beacon": ""}}"#)
        } else {
            parsed += 1;
            json!({"statement": case["statement"], "nonce": ZERO_NONCE, "beacon": ""}).to_string()
        };
        let path = write(dir.path(), &format!("{name}.json"), input);
        let run = audit([OsStr::new("draw"), "--input".as_ref(), path.as_os_str()]);
        assert_eq!(run.code, 1, "{name}: {run:?}");
        assert!(
            run.err.contains(&format!("rule {rule}:")),
            "{name}: expected rule {rule}: {}",
            run.err
        );
        assert!(run.out.is_empty(), "{name}: {}", run.out);
    }
    println!(
        "draw: {} invalid vector cases ({parsed} parsed statements, {raw} raw statement texts)",
        cases.len()
    );
    assert_eq!((parsed, raw), (16, 2));
}

#[test]
fn draw_rule_order_stdin_and_malformed_input() {
    let v = draw_vectors();
    let case = &v["valid"][0];
    let good =
        json!({"statement": case["statement"], "nonce": case["nonce"], "beacon": case["beacon"]});

    // Standard input gives the same answer as a file.
    let run = audit_with_stdin(["draw", "--input", "-"], good.to_string().as_bytes());
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.out.contains(case["expect"]["seed"].as_str().unwrap()));

    // 2.0 is outside the integer profile (rule 5), but as a `count` it
    // breaks rule 2 first, and rules are named in order.
    let mut float_count = good.clone();
    float_count["statement"]["panel"][0]["count"] = json!(2.0);
    let text = float_count.to_string();
    assert!(text.contains(r#""count":2.0"#), "{text}");
    let run = audit_with_stdin(["draw", "--input", "-"], text.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.err.contains("rule 2:"), "{}", run.err);

    // Malformed envelopes are input errors (exit 2), not statement rules.
    let statement = case["statement"].to_string();
    let nonce = case["nonce"].as_str().unwrap();
    for (what, input) in [
        ("not JSON", "not json".to_owned()),
        ("empty", String::new()),
        ("array", "[]".to_owned()),
        (
            "missing beacon",
            format!(r#"{{"statement": {statement}, "nonce": "{nonce}"}}"#),
        ),
        (
            "short nonce",
            format!(r#"{{"statement": {statement}, "nonce": "abcd", "beacon": ""}}"#),
        ),
        (
            "beacon not a string",
            format!(r#"{{"statement": {statement}, "nonce": "{nonce}", "beacon": 7}}"#),
        ),
        (
            "unknown field",
            format!(
                r#"{{"statement": {statement}, "nonce": "{nonce}", "beacon": "", "seed": ""}}"#
            ),
        ),
        (
            "duplicate envelope key",
            format!(
                r#"{{"statement": {statement}, "nonce": "{nonce}", "beacon": "", "beacon": ""}}"#
            ),
        ),
        (
            "truncated statement",
            format!(r#"{{"statement": {}"#, &statement[..statement.len() / 2]),
        ),
    ] {
        let run = audit_with_stdin(["draw", "--input", "-"], input.as_bytes());
        assert_eq!(run.code, 2, "{what}: {run:?}");
        assert!(run.err.starts_with("draw-audit: "), "{what}: {}", run.err);
    }
    let run = audit_with_stdin(["draw", "--input", "-"], &[0xff, 0xfe]);
    assert_eq!(run.code, 2, "{run:?}");
    let run = audit(["draw", "--input", "/nonexistent/draw.json"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.err.contains("/nonexistent/draw.json"), "{}", run.err);
}

fn corpus_files(kind: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![
        workspace()
            .join("draw-audit/vectors/transparency-dev-merkle")
            .join(kind),
    ];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn proof_corpus_every_file() {
    let mut total = 0;
    for kind in ["inclusion", "consistency"] {
        let files = corpus_files(kind);
        let mut valid = 0;
        for f in &files {
            let case: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            let want_err = case["wantErr"].as_bool().unwrap();
            let run = audit([
                OsStr::new("proof"),
                kind.as_ref(),
                "--corpus".as_ref(),
                f.as_os_str(),
            ]);
            assert!(matches!(run.code, 0 | 1), "{}: {run:?}", f.display());
            assert_eq!(run.code == 0, !want_err, "{}: {run:?}", f.display());
            if run.code == 0 {
                valid += 1;
            }
        }
        println!(
            "proof {kind} --corpus: {} files, {valid} valid",
            files.len()
        );
        total += files.len();
    }
    assert!(total > 190, "only {total} corpus files");
}

fn b64_to_hex(s: &Value) -> String {
    hex::encode(STANDARD.decode(s.as_str().unwrap()).unwrap())
}

#[test]
fn proof_inclusion_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let corpus =
        workspace().join("draw-audit/vectors/transparency-dev-merkle/inclusion/4/happy-path.json");
    let case: Value = serde_json::from_str(&std::fs::read_to_string(&corpus).unwrap()).unwrap();
    let leaf = b64_to_hex(&case["leafHash"]);
    let root = case["root"].as_str().unwrap();
    let index = case["leafIdx"].to_string();
    let size = case["treeSize"].to_string();
    let hashes: Vec<&str> = case["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();

    let check = |proof: &Path, root: &str| {
        audit([
            OsStr::new("proof"),
            "inclusion".as_ref(),
            "--leaf-hash".as_ref(),
            leaf.as_ref(),
            "--index".as_ref(),
            index.as_ref(),
            "--size".as_ref(),
            size.as_ref(),
            "--root".as_ref(),
            root.as_ref(),
            "--proof".as_ref(),
            proof.as_os_str(),
        ])
    };
    // The testdata file itself is a JSON proof file.
    let run = check(&corpus, root);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.out.starts_with("inclusion proof valid"), "{}", run.out);
    let hex_list: String = hashes
        .iter()
        .map(|h| format!("{}\n", b64_to_hex(&json!(h))))
        .collect();
    let list = write(
        dir.path(),
        "proof.txt",
        format!("# from the corpus\n{hex_list}"),
    );
    assert_eq!(check(&list, root).code, 0);
    let hex_root = b64_to_hex(&case["root"]);
    assert_eq!(check(&list, &hex_root).code, 0);
    let wrong_root = STANDARD.encode([7u8; 32]);
    let run = check(&list, &wrong_root);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.err.contains("inclusion proof invalid"), "{}", run.err);
    let short = write(dir.path(), "short.txt", &hex_list[..hex_list.len() - 65]);
    assert_eq!(check(&short, root).code, 1);
    assert_eq!(check(&list, "not-a-hash").code, 2);
    assert_eq!(check(&dir.path().join("missing"), root).code, 2);

    // A c2sp tlog-proof: the index is in the file, and the signed checkpoint
    // gives size and root once --vkey verifies it.
    let log = NoteSigner::new("test.example/log", SigningKey::from_bytes(&[5; 32])).unwrap();
    let root_bytes: [u8; 32] = STANDARD.decode(root).unwrap().try_into().unwrap();
    let head = Checkpoint::new(log.name(), case["treeSize"].as_u64().unwrap(), root_bytes);
    let signed = head.sign(&[&log]).unwrap();
    let tlog = write(
        dir.path(),
        "leaf.tlog-proof",
        format!(
            "c2sp.org/tlog-proof@v1\nindex {index}\n{}\n\n{signed}",
            hashes.join("\n")
        ),
    );
    let vkey = log.verifier_key_string();
    let with_key = |key: &str, extra: &[&str]| {
        let mut args = vec![
            "proof",
            "inclusion",
            "--leaf-hash",
            &leaf,
            "--proof",
            tlog.to_str().unwrap(),
            "--vkey",
            key,
        ];
        args.extend_from_slice(extra);
        audit(args)
    };
    let run = with_key(&vkey, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        with_key(&vkey, &["--size", &size, "--index", &index]).code,
        0
    );
    assert_eq!(
        with_key(&vkey, &["--size", "6"]).code,
        1,
        "size disagrees with the checkpoint"
    );
    assert_eq!(
        with_key(&vkey, &["--index", "0"]).code,
        2,
        "index disagrees with the file"
    );
    let stranger = NoteSigner::new("test.example/log", SigningKey::from_bytes(&[6; 32])).unwrap();
    assert_eq!(with_key(&stranger.verifier_key_string(), &[]).code, 1);
    // Without a key the checkpoint is not trusted: size and root are needed.
    let run = audit([
        "proof",
        "inclusion",
        "--leaf-hash",
        &leaf,
        "--proof",
        tlog.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.err.contains("--size"), "{}", run.err);

    // --leaf-file hashes the leaf bytes: a two-leaf tree built here.
    let (a, b) = (b"{\"seq\":0}".as_slice(), b"{\"seq\":1}".as_slice());
    let root2 = node_hash(&leaf_hash(a), &leaf_hash(b));
    let leaf_file = write(dir.path(), "leaf0", a);
    let sibling = write(dir.path(), "sibling.txt", hex::encode(leaf_hash(b)));
    let run = audit([
        OsStr::new("proof"),
        "inclusion".as_ref(),
        "--leaf-file".as_ref(),
        leaf_file.as_os_str(),
        "--index".as_ref(),
        "0".as_ref(),
        "--size".as_ref(),
        "2".as_ref(),
        "--root".as_ref(),
        hex::encode(root2).as_ref(),
        "--proof".as_ref(),
        sibling.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn proof_consistency_from_files() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = workspace()
        .join("draw-audit/vectors/transparency-dev-merkle/consistency/4/happy-path.json");
    let case: Value = serde_json::from_str(&std::fs::read_to_string(&corpus).unwrap()).unwrap();
    let (size1, size2) = (case["size1"].to_string(), case["size2"].to_string());
    let (root1, root2) = (
        case["root1"].as_str().unwrap(),
        case["root2"].as_str().unwrap(),
    );
    let check = |proof: &Path, r1: &str, r2: &str| {
        audit([
            OsStr::new("proof"),
            "consistency".as_ref(),
            "--size1".as_ref(),
            size1.as_ref(),
            "--size2".as_ref(),
            size2.as_ref(),
            "--root1".as_ref(),
            r1.as_ref(),
            "--root2".as_ref(),
            r2.as_ref(),
            "--proof".as_ref(),
            proof.as_os_str(),
        ])
    };
    let run = check(&corpus, root1, root2);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.out.starts_with("consistency proof valid"),
        "{}",
        run.out
    );
    let list: String = case["proof"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| format!("{}\n", h.as_str().unwrap()))
        .collect();
    let list = write(dir.path(), "proof.txt", list);
    assert_eq!(check(&list, root1, root2).code, 0);
    assert_eq!(check(&list, root2, root1).code, 1, "swapped roots");
    let tlog = write(
        dir.path(),
        "p.tlog-proof",
        "c2sp.org/tlog-proof@v1\nindex 0\n\nx\n",
    );
    assert_eq!(
        check(&tlog, root1, root2).code,
        2,
        "a tlog-proof is an inclusion proof"
    );
    let run = audit(["proof", "consistency", "--size1", "1"]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn keygen_writes_a_private_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keys/log.pem");
    let name = "ggzy.example.cn/expert-draw";
    let run = audit([
        OsStr::new("keygen"),
        "--name".as_ref(),
        name.as_ref(),
        "--out".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let vkey = run.out.trim();
    let verifier = NoteVerifier::parse(vkey).unwrap();
    assert_eq!(verifier.name(), name);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let pem = std::fs::read_to_string(&path).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    let signer = draw_audit::keys::load_key_file(&path, name).unwrap();
    assert_eq!(signer.verifier_key_string(), vkey);

    let run = audit([
        OsStr::new("keygen"),
        "--name".as_ref(),
        name.as_ref(),
        "--out".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.err.contains("refusing to overwrite"), "{}", run.err);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        pem,
        "the key is untouched"
    );

    let bad = dir.path().join("bad.pem");
    let run = audit([
        OsStr::new("keygen"),
        "--name".as_ref(),
        "two words".as_ref(),
        "--out".as_ref(),
        bad.as_os_str(),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!bad.exists());
}

#[test]
fn checkpoint_verify_signed_tampered_and_wrong_key() {
    let dir = tempfile::tempdir().unwrap();
    let log = NoteSigner::new("test.example/log", SigningKey::from_bytes(&[9; 32])).unwrap();
    let root = leaf_hash(b"entry");
    let signed = Checkpoint::new(log.name(), 42, root).sign(&[&log]).unwrap();
    let file = write(dir.path(), "checkpoint", &signed);
    let vkey = log.verifier_key_string();
    let key_file = write(dir.path(), "log.vkey", format!("{vkey}\n"));
    let verify = |file: &Path, key: &str| {
        audit([
            OsStr::new("checkpoint"),
            "verify".as_ref(),
            "--checkpoint".as_ref(),
            file.as_os_str(),
            "--vkey".as_ref(),
            key.as_ref(),
        ])
    };

    let run = verify(&file, &vkey);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.out.contains("origin: test.example/log\n"),
        "{}",
        run.out
    );
    assert!(run.out.contains("size: 42\n"), "{}", run.out);
    assert!(
        run.out
            .contains(&format!("root: {}\n", STANDARD.encode(root))),
        "{}",
        run.out
    );
    assert_eq!(verify(&file, &format!("@{}", key_file.display())).code, 0);

    let tampered = write(
        dir.path(),
        "tampered",
        signed.replacen("\n42\n", "\n43\n", 1),
    );
    let run = verify(&tampered, &vkey);
    assert_eq!(run.code, 1, "{run:?}");
    let stranger = NoteSigner::new("test.example/log", SigningKey::from_bytes(&[8; 32])).unwrap();
    let run = verify(&file, &stranger.verifier_key_string());
    assert_eq!(run.code, 1, "{run:?}");

    assert_eq!(verify(&file, "not+a+key").code, 2);
    assert_eq!(verify(&dir.path().join("missing"), &vkey).code, 2);
    assert_eq!(verify(&file, "@/nonexistent/key").code, 2);
}

const RFC3797_POOL: &str = "John\nMary\nBashful\nDopey\nSleepy\nGrouchy\nDoc\nSneazy\nHandsome\n\
    Cassandra\nPollyanna\nPendragon\nPandora\nFaith\nHope\nCharity\nLee\nLongsuffering\n\
    Chastity\nSmith\nPride\nSloth\nEnvy\nAnger\nKasczynski\n";

const RFC3797_SELECTED: [&str; 11] = [
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
    "Sloth",
];

#[test]
fn rfc3797_reproduces_the_rfc_example() {
    let dir = tempfile::tempdir().unwrap();
    let pool = write(dir.path(), "pool.txt", RFC3797_POOL);
    let pool = pool.to_str().unwrap();

    // The second lottery as drawn, unsorted, and with a leading zero.
    let run = audit([
        "rfc3797",
        "--candidates",
        pool,
        "--sources",
        "9319",
        "2 5 12 8 10",
        "09 18 26 34 41 45",
        "--count",
        "11",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.out.lines().collect::<Vec<_>>(), RFC3797_SELECTED);

    let key = "9319./2.5.8.10.12./9.18.26.34.41.45./";
    let run = audit([
        "rfc3797",
        "--candidates",
        pool,
        "--key",
        key,
        "--count",
        "10",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let v: Value = serde_json::from_str(&run.out).unwrap();
    assert_eq!(v["key"], key);
    assert_eq!(v["candidates"], 25);
    assert_eq!(v["selected"], json!(RFC3797_SELECTED[..10]));

    for bad in [
        vec!["--key", key, "--count", "26"],
        vec!["--sources", "9319", "x", "--count", "1"],
        vec!["--count", "1"],
        vec!["--key", key, "--sources", "1", "--count", "1"],
    ] {
        let mut args = vec!["rfc3797", "--candidates", pool];
        args.extend(bad.iter().copied());
        let run = audit(&args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
    }
}

#[test]
fn help_everywhere() {
    for args in [
        vec![],
        vec!["draw"],
        vec!["keygen"],
        vec!["proof"],
        vec!["proof", "inclusion"],
        vec!["proof", "consistency"],
        vec!["checkpoint"],
        vec!["checkpoint", "verify"],
        vec!["rfc3797"],
    ] {
        let mut with_help = args.clone();
        with_help.push("--help");
        let run = audit(&with_help);
        assert_eq!(run.code, 0, "{with_help:?}: {run:?}");
        assert!(
            run.out.contains("Usage: draw-audit"),
            "{with_help:?}: {}",
            run.out
        );
    }
    let run = audit::<[&str; 0], &str>([]);
    assert_eq!(run.code, 2, "{run:?}");
    let run = audit(["frobnicate"]);
    assert_eq!(run.code, 2, "{run:?}");
}
