//! The console's JavaScript replay (`expert-api/console/replay.js`, a
//! second implementation of SPEC sections 2–6 that supervisors run in
//! their browser) reproduces every case of the draw conformance vectors:
//! each valid case's hashes, seed, result and substitutions, each invalid
//! case's rule, and each `uniform` known answer.
//!
//! Without `node` the test fails under `CI=true` and is skipped (with a
//! message) otherwise.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace root")
        .to_path_buf()
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

fn node_available() -> Result<(), String> {
    match Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!("`node --version` exited with {}", out.status)),
        Err(e) => Err(format!("`node` could not be run: {e}")),
    }
}

#[test]
fn javascript_replay_reproduces_every_conformance_vector() {
    if let Err(why) = node_available() {
        assert!(
            !in_ci(),
            "node is required under CI=true for the console's replay: {why}"
        );
        eprintln!("skipping the console replay check: {why} (set CI=true to make this fail)");
        return;
    }
    let root = workspace_root();
    let vectors = "expert-core/vectors/expert-draw-1.json";
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join(vectors)).expect("read the vectors"),
    )
    .expect("the vectors file is JSON");
    let cases = |v: &Value| v.as_array().map(Vec::len).expect("an array of cases");

    let out = Command::new("node")
        .current_dir(&root)
        .args([
            "tests/console/replay_vectors.mjs",
            "expert-api/console/replay.js",
            vectors,
        ])
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the JavaScript replay differs from the vectors:\n{stdout}\n{stderr}"
    );

    // Every case was checked, by name: a script that skipped cases (or the
    // whole file) cannot pass.
    for v in doc["valid"].as_array().expect("valid") {
        let name = v["name"].as_str().expect("name");
        for what in ["statement_hash", "nonce_commitment", "seed", "result"] {
            let line = format!("ok   valid/{name} {what}");
            assert!(stdout.contains(&line), "missing `{line}`:\n{stdout}");
        }
        let subs = v["substitutions"].as_array().map_or(0, Vec::len);
        for k in 0..subs {
            let line = format!("ok   valid/{name} substitution {k} ");
            assert!(stdout.contains(&line), "missing `{line}`:\n{stdout}");
        }
    }
    for v in doc["invalid"].as_array().expect("invalid") {
        let line = format!(
            "ok   invalid/{} (rule {})",
            v["name"].as_str().expect("name"),
            v["rule"]
        );
        assert!(stdout.contains(&line), "missing `{line}`:\n{stdout}");
    }
    for c in doc["uniform"]["cases"].as_array().expect("uniform cases") {
        let line = format!("ok   uniform/{}", c["n"].as_str().expect("n"));
        assert!(stdout.contains(&line), "missing `{line}`:\n{stdout}");
    }
    assert!(cases(&doc["valid"]) >= 10 && cases(&doc["invalid"]) >= 18);
    assert!(!stdout.contains("FAIL"), "{stdout}");
}
