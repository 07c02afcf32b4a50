//! The independent Python implementation of expert-draw/1
//! (`tests/independent/expert_draw_1.py`, written from the SPEC alone)
//! reproduces every conformance vector in `expert-core/vectors/expert-draw-1.json`.
//!
//! Without `python3` on PATH the test fails under `CI=true` and is skipped
//! (with a message) otherwise.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the workspace root")
        .to_path_buf()
}

fn python3_available() -> Result<(), String> {
    match Command::new("python3").arg("--version").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!("`python3 --version` exited with {}", out.status)),
        Err(e) => Err(format!("`python3` could not be run: {e}")),
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

#[test]
fn python_reproduces_every_conformance_vector() {
    if let Err(why) = python3_available() {
        assert!(
            !in_ci(),
            "python3 is required under CI=true for the independent implementation: {why}"
        );
        eprintln!("skipping the independent Python check: {why} (set CI=true to make this fail)");
        return;
    }

    let root = workspace_root();
    let vectors_rel = "expert-core/vectors/expert-draw-1.json";
    let text = std::fs::read_to_string(root.join(vectors_rel)).expect("read the vectors file");
    let doc: Value = serde_json::from_str(&text).expect("the vectors file is JSON");
    let count = |v: &Value| v.as_array().map(Vec::len).expect("an array of cases");
    let valid = count(&doc["valid"]);
    let invalid = count(&doc["invalid"]);
    let uniform = count(&doc["uniform"]["cases"]);
    assert!(
        valid > 0 && invalid > 0 && uniform > 0,
        "the vectors file has cases of each kind"
    );

    let out = Command::new("python3")
        .current_dir(&root)
        .args(["tests/independent/expert_draw_1.py", "vectors", vectors_rel])
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the Python implementation disagrees with the vectors ({}):\n{stdout}\n{stderr}",
        out.status
    );

    // The last line is the summary: the number of cases of each kind that passed.
    let last = stdout.lines().last().expect("a summary line");
    let summary: Value = serde_json::from_str(last).expect("the summary line is JSON");
    let passed = |kind: &str| {
        summary[kind]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .expect("a count in the summary")
    };
    assert_eq!(passed("valid"), valid, "valid cases reproduced\n{stdout}");
    assert_eq!(
        passed("invalid"),
        invalid,
        "invalid cases rejected by the right rule\n{stdout}"
    );
    assert_eq!(
        passed("uniform"),
        uniform,
        "uniform known answers\n{stdout}"
    );
    assert_eq!(summary["failed"], 0, "{stdout}");
}
