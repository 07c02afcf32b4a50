//! `draw-audit verify` end to end, on logs the real server wrote on SQLite
//! and PostgreSQL: a clean export verifies (every draw replayed, the
//! abandoned draw listed), and each tampering of issue 4 is caught with
//! the bad entry named: one byte changed, an entry deleted, two swapped,
//! one inserted, the tail truncated (incomplete export; ROLLBACK against a
//! pinned checkpoint), another log of the same size (FORK, with evidence
//! files), and a changed draw result.

use expert_draw_tests::panel::seated;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Duration, Utc};
use draw_audit::checkpoint::Checkpoint;
use draw_audit::jcs::canonical_string;
use draw_audit::merkle::{leaf_hash, root_of_leaf_hashes};
use draw_audit::note::NoteSigner;
use expert_draw_tests::audit::{ORIGIN, signed_head};
use expert_draw_tests::pool::{Seed, credit_code, seed_pool};
use expert_draw_tests::{Api, Backend, Server, audit_bin, both_backends};
use serde_json::{Value, json};

/// Exit status and output of one run.
#[derive(Debug)]
struct Run {
    code: i32,
    out: String,
    err: String,
}

impl Run {
    /// The `--json` report.
    fn report(&self) -> Value {
        serde_json::from_str(self.out.trim())
            .unwrap_or_else(|e| panic!("report is not JSON ({e}): {self:?}"))
    }
}

/// A log made by the server, written out as a verifier receives it.
struct Log {
    _server: Server,
    dir: tempfile::TempDir,
    lines: Vec<String>,
    vkey: PathBuf,
    /// The checkpoint the server served (may be smaller than the export).
    served: PathBuf,
    /// The server's own signing key, to sign checkpoints of forged logs as
    /// an operator rewriting history would.
    signer: NoteSigner,
    draw_id: String,
    abandoned_id: String,
}

fn request(project: &str, count: u32, reserve: u32, later_hours: i64) -> Value {
    let start = Utc::now() + Duration::hours(2 + later_hours);
    json!({
        "project": {"id": project, "name": "验证测试项目", "region": "420100",
                    "tenderer": credit_code(1), "bid_section": "1"},
        "evaluation": {
            "start": start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "end": (start + Duration::hours(8)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "venue": "市公共资源交易中心",
        },
        "panel": [{"specialty": "ENA01", "count": count, "reserve": reserve}],
        "avoid": {"bidders": [credit_code(2)], "agency": credit_code(3)},
        "representatives": 0,
    })
}

fn decline(op: &Api, id: &str, pseudonym: &str) {
    let r = op.post(
        &format!("/api/v1/draws/{id}/members/{pseudonym}/decline"),
        &json!({"evidence": "电话录音 #1", "reason": "出差"}),
    );
    assert_eq!(r.status, 200, "decline {pseudonym}: {}", r.text);
}

/// A pool of twelve, a draw of five with one reserve, two declines (the
/// reserve comes in, then a supplementary draw), and a second draw that is
/// committed and never revealed.
fn make_log(backend: Backend) -> Log {
    let s = Server::start(backend);
    let admin = s.admin();
    let seeds: Vec<Seed> = (0..12)
        .map(|i| Seed {
            region: if i % 2 == 0 { "420500" } else { "420600" },
            specialty: "ENA0101",
            employer: 100 + i,
        })
        .collect();
    seed_pool(&admin, &seeds);
    let op = s.token("operator", Some("420100"));
    let r = op.post("/api/v1/draws", &request("P-V1", 5, 1, 0));
    assert_eq!(r.status, 201, "{}", r.text);
    let draw_id = r.json["id"].as_str().expect("id").to_owned();
    let r = op.post(
        &format!("/api/v1/draws/{draw_id}/reveal"),
        &json!({"beacon": "08 15 23 42 47"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let primaries = seated(&r.json);
    decline(&op, &draw_id, &primaries[0]);
    decline(&op, &draw_id, &primaries[1]);
    let r = op.post("/api/v1/draws", &request("P-V2", 5, 0, 12));
    assert_eq!(r.status, 201, "{}", r.text);
    let abandoned_id = r.json["id"].as_str().expect("id").to_owned();

    let head = signed_head(&admin);
    // The export exactly as the server streams it (`/audit/export`).
    let r = admin.get("/api/v1/audit/export");
    assert_eq!(r.status, 200, "export: {}", r.text);
    let size: u64 = r
        .header("Tlog-Size")
        .and_then(|v| v.parse().ok())
        .expect("Tlog-Size");
    let raw = r.text;
    let lines: Vec<String> = raw
        .strip_suffix('\n')
        .expect("JSON Lines end with a newline")
        .split('\n')
        .map(str::to_owned)
        .collect();
    assert_eq!(lines.len() as u64, size);
    assert!(size >= head.checkpoint.size);
    let dir = tempfile::tempdir().expect("temp dir");
    let vkey = dir.path().join("vkey");
    std::fs::write(&vkey, format!("{}\n", head.vkey)).expect("vkey");
    std::fs::write(dir.path().join("export.jsonl"), &raw).expect("export");
    let served = dir.path().join("served.note");
    std::fs::write(&served, &head.note).expect("checkpoint");
    let signer =
        draw_audit::keys::load_key_file(&s.db.path("log-key.pem"), ORIGIN).expect("server key");
    Log {
        _server: s,
        dir,
        lines,
        vkey,
        served,
        signer,
        draw_id,
        abandoned_id,
    }
}

impl Log {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `lines` as an export file.
    fn export(&self, name: &str, lines: &[String]) -> PathBuf {
        let mut text = lines.join("\n");
        text.push('\n');
        let path = self.path(name);
        std::fs::write(&path, text).expect("export");
        path
    }

    /// A checkpoint of all of `lines`, signed with the server's key.
    fn checkpoint(&self, name: &str, lines: &[String]) -> PathBuf {
        let root =
            root_of_leaf_hashes(lines.iter().map(|l| leaf_hash(l.as_bytes()))).expect("root");
        let note = Checkpoint::new(ORIGIN, lines.len() as u64, root)
            .sign(&[&self.signer])
            .expect("sign");
        let path = self.path(name);
        std::fs::write(&path, note).expect("checkpoint");
        path
    }

    fn verify(&self, export: &Path, extra: &[&str]) -> Run {
        let out = Command::new(audit_bin())
            .arg("verify")
            .arg("--export")
            .arg(export)
            .arg("--vkey")
            .arg(format!("@{}", self.vkey.display()))
            .args(extra)
            .output()
            .expect("run draw-audit");
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            out: String::from_utf8_lossy(&out.stdout).into_owned(),
            err: String::from_utf8_lossy(&out.stderr).into_owned(),
        };
        assert!(!run.err.contains("panicked"), "{run:?}");
        run
    }

    fn seq_of(&self, kind: &str) -> usize {
        self.lines
            .iter()
            .position(|l| entry(l)["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in the log"))
    }
}

fn entry(line: &str) -> Value {
    serde_json::from_str(line).expect("entry")
}

fn canonical_line(v: &Value) -> String {
    canonical_string(v).expect("canonical")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// The first bad entry of an invalid run: (line, seq, reason).
fn first_error(run: &Run) -> (u64, Option<u64>, String) {
    assert_eq!(run.code, 1, "{run:?}");
    let r = run.report();
    assert_eq!(r["verdict"], "invalid", "{r}");
    let e = &r["first_error"];
    assert!(e.is_object(), "no entry named: {r}");
    (
        e["line"].as_u64().expect("line"),
        e["seq"].as_u64(),
        e["reason"].as_str().expect("reason").to_owned(),
    )
}

fn clean_log_verifies(log: &Log) {
    // The server's bytes, verbatim.
    let export = log.path("export.jsonl");
    let run = log.verify(&export, &["--checkpoint", s(&log.served), "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let r = run.report();
    let count = |kind: &str| {
        log.lines
            .iter()
            .filter(|l| entry(l)["kind"] == kind)
            .count()
    };
    assert_eq!(r["verdict"], "verified");
    assert_eq!(r["entries"], log.lines.len());
    assert_eq!(r["draws_replayed"], count("draw.reveal"));
    assert!(count("draw.reveal") >= 2, "first and supplementary draw");
    assert_eq!(r["substitutions_checked"], count("draw.substitute"));
    assert_eq!(r["substitutions_checked"], 2);
    let abandoned: Vec<&str> = r["abandoned"]
        .as_array()
        .expect("abandoned")
        .iter()
        .map(|a| a["draw_id"].as_str().expect("draw_id"))
        .collect();
    assert_eq!(abandoned, [log.abandoned_id.as_str()]);
    assert!(r["first_error"].is_null());
    let root = root_of_leaf_hashes(log.lines.iter().map(|l| leaf_hash(l.as_bytes()))).unwrap();
    use base64::Engine as _;
    assert_eq!(
        r["root"],
        base64::engine::general_purpose::STANDARD.encode(root)
    );
    // The readable report says the same.
    let run = log.verify(&export, &["--checkpoint", s(&log.served)]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.out.contains("result: VERIFIED"), "{}", run.out);
    assert!(run.out.contains(&log.abandoned_id), "{}", run.out);
    // Any one of several keys will do; a stranger's key alone will not.
    let stranger = NoteSigner::new(ORIGIN, ed25519_dalek::SigningKey::from_bytes(&[9; 32]))
        .unwrap()
        .verifier_key_string();
    let run = log.verify(
        &export,
        &["--vkey", &stranger, "--checkpoint", s(&log.served)],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let out = Command::new(audit_bin())
        .args(["verify", "--export", s(&export), "--vkey", &stranger])
        .args(["--checkpoint", s(&log.served)])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
}

fn tampered_entries_are_named(log: &Log) {
    let reveal = log.seq_of("draw.reveal");
    let lines = &log.lines;
    let k = lines.len() / 2;

    // One byte: a digit of the reveal's nonce (still canonical JSON).
    let mut bytes = lines.clone();
    let at = bytes[reveal].find("\"nonce\":\"").unwrap() + 9;
    let old = &bytes[reveal][at..at + 1];
    let new = if old == "0" { "1" } else { "0" };
    bytes[reveal].replace_range(at..at + 1, new);
    let run = log.verify(&log.export("byte.jsonl", &bytes), &["--json"]);
    let (line, seq, reason) = first_error(&run);
    assert_eq!(
        (line, seq),
        (reveal as u64 + 1, Some(reveal as u64)),
        "{reason}"
    );
    assert!(reason.contains("H(nonce)"), "{reason}");

    // One byte that breaks the canonical form: a ':' becomes ' '.
    let mut bytes = lines.clone();
    let at = bytes[k].find(':').unwrap();
    bytes[k].replace_range(at..at + 1, " ");
    let (line, _, reason) = first_error(&log.verify(&log.export("ws.jsonl", &bytes), &["--json"]));
    assert_eq!(line, k as u64 + 1, "{reason}");
    assert!(reason.contains("canonical"), "{reason}");

    // Delete one.
    let mut deleted = lines.clone();
    deleted.remove(k);
    let (line, seq, reason) =
        first_error(&log.verify(&log.export("del.jsonl", &deleted), &["--json"]));
    assert_eq!((line, seq), (k as u64 + 1, Some(k as u64 + 1)), "{reason}");
    assert!(reason.contains("missing"), "{reason}");

    // Swap two.
    let mut swapped = lines.clone();
    swapped.swap(k, k + 1);
    let (line, seq, _) = first_error(&log.verify(&log.export("swap.jsonl", &swapped), &["--json"]));
    assert_eq!((line, seq), (k as u64 + 1, Some(k as u64 + 1)));

    // Insert one: a copy of entry k right after it.
    let mut inserted = lines.clone();
    inserted.insert(k + 1, lines[k].clone());
    let (line, seq, _) = first_error(&log.verify(&log.export("ins.jsonl", &inserted), &["--json"]));
    assert_eq!((line, seq), (k as u64 + 2, Some(k as u64)));

    // A changed draw result, in canonical form and under a checkpoint
    // signed for it: only the replay can tell, and it names the reveal.
    let mut forged = lines.clone();
    let mut e = entry(&forged[reveal]);
    let result = e["data"]["result"].as_object_mut().unwrap();
    let primaries = result["primaries"][0].as_array().unwrap().clone();
    let reserves = result["reserves"][0].as_array().unwrap().clone();
    let mut changed = primaries.clone();
    changed[0] = reserves[0].clone();
    result.insert("primaries".into(), json!([changed]));
    result.insert("reserves".into(), json!([[primaries[0].clone()]]));
    forged[reveal] = canonical_line(&e);
    let cp = log.checkpoint("forged-result.note", &forged);
    let run = log.verify(
        &log.export("result.jsonl", &forged),
        &["--checkpoint", s(&cp), "--json"],
    );
    let (line, seq, reason) = first_error(&run);
    assert_eq!((line, seq), (reveal as u64 + 1, Some(reveal as u64)));
    assert!(
        reason.contains("result") && reason.contains("SPEC §5"),
        "{reason}"
    );
    assert!(run.err.contains(&format!("seq {reveal}")), "{}", run.err);
}

fn truncation_rollback_and_fork(log: &Log) {
    let lines = &log.lines;
    let export = log.export("full.jsonl", lines);
    let full = log.checkpoint("full.note", lines);
    let short = &lines[..lines.len() - 3];
    let short_export = log.export("short.jsonl", short);

    // Against a checkpoint of the full size: incomplete.
    let run = log.verify(&short_export, &["--checkpoint", s(&full), "--json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let r = run.report();
    assert!(
        r["problems"][0]
            .as_str()
            .unwrap()
            .contains("incomplete export"),
        "{r}"
    );

    // Pin the full checkpoint.
    let state = log.path("state");
    let run = log.verify(&export, &["--checkpoint", s(&full), "--state", s(&state)]);
    assert_eq!(run.code, 0, "{run:?}");
    let pinned = state.join("checkpoint");
    assert_eq!(
        std::fs::read_to_string(&pinned).unwrap(),
        std::fs::read_to_string(&full).unwrap()
    );
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&pinned), 0o600);
    assert_eq!(mode(&state), 0o700);
    // The checkpoint the server served before the export was read: an older
    // signed tree than the pinned one is a rollback, the same one is fine.
    let served_note = std::fs::read_to_string(&log.served).unwrap();
    let served_size = Checkpoint::open(&served_note, &[log.signer.verifier()])
        .unwrap()
        .0
        .size;
    let run = log.verify(
        &export,
        &["--checkpoint", s(&log.served), "--state", s(&state)],
    );
    if served_size < lines.len() as u64 {
        assert_eq!(run.code, 3, "{run:?}");
        assert!(run.err.contains("ROLLBACK"), "{}", run.err);
    } else {
        assert_eq!(run.code, 0, "{run:?}");
    }

    // The truncated export against the pin: ROLLBACK, with evidence.
    let run = log.verify(&short_export, &["--state", s(&state), "--json"]);
    assert_eq!(run.code, 3, "{run:?}");
    let r = run.report();
    assert_eq!(r["verdict"], "rollback", "{r}");
    assert_eq!(r["evidence"].as_array().unwrap().len(), 2, "{r}");
    // Also when the operator signs the older, smaller head.
    let short_cp = log.checkpoint("short.note", short);
    let run = log.verify(
        &short_export,
        &["--checkpoint", s(&short_cp), "--state", s(&state), "--json"],
    );
    assert_eq!(run.code, 3, "{run:?}");
    let r = run.report();
    assert_eq!(r["verdict"], "rollback", "{r}");
    let evidence: Vec<String> = r["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| std::fs::read_to_string(p.as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(
        evidence,
        [
            std::fs::read_to_string(&full).unwrap(),
            std::fs::read_to_string(&short_cp).unwrap()
        ]
    );
    // The pin did not move.
    assert_eq!(
        std::fs::read_to_string(&pinned).unwrap(),
        std::fs::read_to_string(&full).unwrap()
    );

    // Another log of the same size, signed by the same key: FORK.
    let k = lines.len() / 2;
    let mut other = lines.clone();
    let mut e = entry(&other[k]);
    e["actor"] = json!("someone-else");
    other[k] = canonical_line(&e);
    let other_cp = log.checkpoint("other.note", &other);
    let other_export = log.export("other.jsonl", &other);
    // On its own the other log is valid...
    let run = log.verify(&other_export, &["--checkpoint", s(&other_cp)]);
    assert_eq!(run.code, 0, "{run:?}");
    // ...but it forks from the pinned one.
    let run = log.verify(
        &other_export,
        &["--checkpoint", s(&other_cp), "--state", s(&state), "--json"],
    );
    assert_eq!(run.code, 3, "{run:?}");
    let r = run.report();
    assert_eq!(r["verdict"], "fork", "{r}");
    let files: Vec<PathBuf> = r["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| PathBuf::from(p.as_str().unwrap()))
        .collect();
    assert_eq!(files.len(), 2, "{r}");
    for f in &files {
        assert!(f.starts_with(&state), "{}", f.display());
        assert_eq!(mode(f), 0o600);
    }
    assert_eq!(
        std::fs::read_to_string(&files[0]).unwrap(),
        std::fs::read_to_string(&full).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(&files[1]).unwrap(),
        std::fs::read_to_string(&other_cp).unwrap()
    );
    // A longer fork (the other log plus entries) is caught by the prefix root.
    let mut longer = other.clone();
    longer.push(lines[0].replace("\"seq\":0", &format!("\"seq\":{}", lines.len())));
    let run = log.verify(
        &log.export("longer.jsonl", &longer),
        &["--state", s(&state), "--json"],
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert_eq!(run.report()["verdict"], "fork");
    // Text mode names the evidence files.
    let run = log.verify(
        &other_export,
        &["--checkpoint", s(&other_cp), "--state", s(&state)],
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.out.contains("evidence written:"), "{}", run.out);
    assert!(run.err.contains("FORK"), "{}", run.err);
}

fn verify_cli(backend: Backend) {
    let log = make_log(backend);
    assert!(log.lines.iter().any(|l| l.contains(&log.draw_id)));
    clean_log_verifies(&log);
    tampered_entries_are_named(&log);
    truncation_rollback_and_fork(&log);
}

both_backends!(verify_export_and_tampering, verify_cli);

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(audit_bin())
            .arg("verify")
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    let vkey = NoteSigner::new(ORIGIN, ed25519_dalek::SigningKey::from_bytes(&[3; 32]))
        .unwrap()
        .verifier_key_string();
    let missing = dir.path().join("missing.jsonl");
    assert_eq!(run(&["--export", s(&missing), "--vkey", &vkey]), Some(2));
    assert_eq!(run(&["--export", s(&missing)]), Some(2));
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    assert_eq!(
        run(&["--export", s(&empty), "--vkey", "not-a-key"]),
        Some(2)
    );
    // An empty export is an empty log: it verifies.
    assert_eq!(run(&["--export", s(&empty), "--vkey", &vkey]), Some(0));
    let help = Command::new(audit_bin())
        .args(["verify", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for needle in ["0 verified", "1 invalid", "2 usage", "3 fork or rollback"] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
}
