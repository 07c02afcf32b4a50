//! The whole log as an outside verifier gets it (JSON Lines export through
//! `/api/v1/audit/entries`), checked for gaps against the signed checkpoint,
//! and every draw in it replayed by the INDEPENDENT Python implementation
//! of expert-draw/1 (`tests/independent/expert_draw_1.py replay`).

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::client::Api;

/// Every leaf of the log, in `seq` order, fetched page by page (the API
/// returns at most 10,000 entries per request). `api` must be an admin or
/// supervisor.
pub fn export_lines(api: &Api) -> Vec<String> {
    const PAGE: usize = 10_000;
    let mut lines = Vec::new();
    loop {
        let r = api.get(&format!(
            "/api/v1/audit/entries?from={}&limit={PAGE}",
            lines.len()
        ));
        assert_eq!(r.status, 200, "entries: {}", r.text);
        let page: Vec<String> = r.text.lines().map(str::to_owned).collect();
        let n = page.len();
        lines.extend(page);
        if n < PAGE {
            return lines;
        }
    }
}

/// What the log check found.
#[derive(Debug, Clone)]
pub struct LogCheck {
    pub size: u64,
    pub entries: Vec<Value>,
}

/// The log has no gap: `seq` is dense from 0, and the RFC 6962 root
/// recomputed from the exported leaf bytes (the first `size` of them) equals
/// the root of the signed checkpoint, whose signature checks with the served
/// verifier key. The checkpoint is read first, so background writers (the
/// outbox worker) may append meanwhile: its tree must be a prefix of the
/// export.
pub fn check_log(api: &Api) -> LogCheck {
    let vkey = api.get("/api/v1/audit/vkey").text;
    let verifier = draw_audit::note::NoteVerifier::parse(vkey.trim()).expect("verifier key");
    let note = api.get("/api/v1/audit/checkpoint").text;
    let (checkpoint, _) =
        draw_audit::checkpoint::Checkpoint::open(&note, &[verifier]).expect("signed checkpoint");
    let lines = export_lines(api);
    let entries: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("entry JSON"))
        .collect();
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e["seq"].as_u64(), Some(i as u64), "seq gap at {i}: {e}");
    }
    let size = usize::try_from(checkpoint.size).expect("size");
    assert!(
        size <= lines.len(),
        "the checkpoint covers {size} entries, the export has {}",
        lines.len()
    );
    let root = draw_audit::merkle::root_of_leaf_hashes(
        lines[..size]
            .iter()
            .map(|l| draw_audit::merkle::leaf_hash(l.as_bytes())),
    )
    .expect("root");
    assert_eq!(
        root, checkpoint.root,
        "root recomputed from the export differs from the signed checkpoint"
    );
    LogCheck {
        size: checkpoint.size,
        entries,
    }
}

/// The independent verifier's script.
pub fn independent_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("independent")
        .join("expert_draw_1.py")
}

/// `true` when python3 runs. Without it: a failure under `CI=true`, else
/// `false` (the caller skips, saying so).
pub fn python3_available() -> bool {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true and python3 is missing: the independent replay cannot run");
    }
    ok
}

/// Export the log to a temporary file and run
/// `python3 tests/independent/expert_draw_1.py replay FILE`; asserts exit 0,
/// no `errors`, and that `draws_replayed` equals the number of
/// `draw.reveal` entries. Returns the summary, or `None` (with a message)
/// when python3 is missing outside CI.
pub fn replay_independent(api: &Api) -> Option<Value> {
    if !python3_available() {
        eprintln!("SKIPPED independent replay: python3 is not installed");
        return None;
    }
    let lines = export_lines(api);
    let reveals = lines
        .iter()
        .filter(|l| {
            serde_json::from_str::<Value>(l)
                .is_ok_and(|e| e["kind"].as_str() == Some("draw.reveal"))
        })
        .count();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("export.jsonl");
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&file, text).expect("write export");
    let out = Command::new("python3")
        .arg(independent_script())
        .arg("replay")
        .arg(&file)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let summary: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("replay output is not JSON ({e}):\n{stdout}\n{stderr}"));
    assert!(
        out.status.success(),
        "independent replay failed ({}):\n{summary:#}\n{stderr}",
        out.status
    );
    assert_eq!(
        summary["errors"],
        serde_json::json!([]),
        "independent replay errors"
    );
    assert_eq!(
        summary["draws_replayed"].as_u64(),
        Some(reveals as u64),
        "every revealed draw replays: {summary}"
    );
    Some(summary)
}
