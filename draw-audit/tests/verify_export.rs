//! The streaming export verifier and the draw replay (`draw_audit::verify`,
//! `draw_audit::replay`) on a generated log (the bench's generator, small):
//! a good log passes with every draw replayed, and each broken rule of SPEC
//! §7 is reported at the entry that breaks it.

#![cfg(test)]

#[path = "../../expert-core/benches/support/mod.rs"]
#[expect(dead_code, reason = "only the generator `Gen` is used here")]
mod support;

#[path = "../benches/support/export.rs"]
mod export;

use draw_audit::checkpoint::Checkpoint;
use draw_audit::jcs::canonical;
use draw_audit::verify::{ExportSummary, ExportVerifier};
use serde_json::{Value, json};

struct Generated {
    lines: Vec<Vec<u8>>,
    info: export::Generated,
    checkpoint: Checkpoint,
}

fn generated() -> Generated {
    let dir = tempfile::tempdir().unwrap();
    let (path, cp) = (dir.path().join("export.jsonl"), dir.path().join("cp"));
    let info = export::generate(3_000, &path, &cp).unwrap();
    let text = std::fs::read(&path).unwrap();
    let lines = text
        .strip_suffix(b"\n")
        .unwrap()
        .split(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let note = std::fs::read_to_string(&cp).unwrap();
    let verifier = export::signer().unwrap().verifier();
    let (checkpoint, _) = Checkpoint::open(&note, &[verifier]).unwrap();
    Generated {
        lines,
        info,
        checkpoint,
    }
}

fn run(lines: &[Vec<u8>], marks: &[u64]) -> ExportSummary {
    let mut v = ExportVerifier::new(marks);
    for l in lines {
        v.push(l);
    }
    v.finish()
}

fn entries(lines: &[Vec<u8>]) -> Vec<Value> {
    lines
        .iter()
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect()
}

/// Canonical leaves again, `seq` renumbered densely: a forger's log that
/// only the replay can catch.
fn relog(entries: &[Value]) -> Vec<Vec<u8>> {
    entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut e = e.clone();
            e["seq"] = json!(i);
            canonical(&e).unwrap()
        })
        .collect()
}

fn position(entries: &[Value], kind: &str, nth: usize) -> usize {
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e["kind"] == kind)
        .nth(nth)
        .map(|(i, _)| i)
        .unwrap()
}

/// The first error's (seq, reason).
fn fails(lines: &[Vec<u8>]) -> (Option<u64>, String) {
    let f = run(lines, &[])
        .first_error
        .expect("the broken log must fail");
    (f.seq, f.reason)
}

#[test]
fn generated_log_verifies_and_replays_every_draw() {
    let g = generated();
    let s = run(&g.lines, &[g.checkpoint.size, 10]);
    assert_eq!(s.first_error, None);
    assert_eq!(s.size, g.info.entries);
    assert_eq!(s.root, g.checkpoint.root);
    assert_eq!(s.roots.get(&g.checkpoint.size), Some(&g.checkpoint.root));
    assert!(s.roots.contains_key(&10));
    assert_eq!(s.draws_replayed, g.info.draws);
    assert_eq!(s.substitutions_checked, g.info.substitutions);
    assert!(
        g.info.draws >= 10 && g.info.substitutions >= 2,
        "{:?}",
        g.info
    );
    assert_eq!(s.abandoned.len() as u64, g.info.abandoned);
    // Every abandoned draw is a commit without a reveal.
    let es = entries(&g.lines);
    for a in &s.abandoned {
        let commit = &es[a.seq as usize];
        assert_eq!(commit["kind"], "draw.commit");
        assert_eq!(commit["data"]["draw_id"], a.draw_id.as_str());
        assert!(
            !es.iter()
                .any(|e| e["kind"] == "draw.reveal" && e["data"]["draw_id"] == a.draw_id.as_str())
        );
    }
}

#[test]
fn every_broken_draw_rule_is_named_at_its_entry() {
    let g = generated();
    let es = entries(&g.lines);
    let reveal = position(&es, "draw.reveal", 1);
    let commit = reveal - 1;
    assert_eq!(es[commit]["kind"], "draw.commit");
    let sub = position(&es, "draw.substitute", 0);

    // A reveal with no commit before it.
    let mut e = es.clone();
    e.remove(commit);
    let (seq, reason) = fails(&relog(&e));
    assert_eq!(seq, Some(commit as u64));
    assert!(reason.contains("follows no draw.commit"), "{reason}");

    // Two commits of one draw.
    let mut e = es.clone();
    e.insert(commit, es[commit].clone());
    let (seq, reason) = fails(&relog(&e));
    assert_eq!(seq, Some(commit as u64 + 1));
    assert!(reason.contains("second draw.commit"), "{reason}");

    // A reveal twice.
    let mut e = es.clone();
    e.insert(reveal + 1, es[reveal].clone());
    let (seq, reason) = fails(&relog(&e));
    assert_eq!(seq, Some(reveal as u64 + 1));
    assert!(reason.contains("second draw.reveal"), "{reason}");

    // The statement changed after the commit.
    let mut e = es.clone();
    e[reveal]["data"]["statement"]["candidates"][0]["recent"] = json!(99);
    let (seq, reason) = fails(&relog(&e));
    assert_eq!(seq, Some(reveal as u64));
    assert!(reason.contains("H(JCS(statement))"), "{reason}");

    // Another seed.
    let mut e = es.clone();
    e[reveal]["data"]["seed"] = json!("00".repeat(32));
    let (seq, reason) = fails(&relog(&e));
    assert_eq!(seq, Some(reveal as u64));
    assert!(reason.contains("seed"), "{reason}");

    // A statement that breaks a rule (and a commitment to match it).
    let mut e = es.clone();
    e[reveal]["data"]["statement"]["policy"]["remote_weight"] = json!(0);
    let h = draw_audit::sha256(&canonical(&e[reveal]["data"]["statement"]).unwrap());
    e[commit]["data"]["statement_hash"] = json!(hex::encode(h));
    let (seq, reason) = fails(&relog(&e));
    assert_eq!(seq, Some(reveal as u64));
    assert!(reason.contains("rule 3"), "{reason}");

    // A replacement other than SPEC §6's.
    let mut e = es.clone();
    let want = e[sub]["data"]["in"].clone();
    e[sub]["data"]["in"] = if want.is_null() {
        e[sub]["data"]["out"].clone()
    } else {
        Value::Null
    };
    let (seq, reason) = fails(&relog(&e));
    assert_eq!(seq, Some(sub as u64));
    assert!(reason.contains("SPEC §6 gives"), "{reason}");

    // Someone not on the panel leaves.
    let mut e = es.clone();
    e[sub]["data"]["out"] = json!("E999999");
    let (seq, reason) = fails(&relog(&e));
    assert_eq!(seq, Some(sub as u64));
    assert!(reason.contains("not on the panel"), "{reason}");
}

#[test]
fn entry_shape_rules() {
    let g = generated();
    let es = entries(&g.lines);
    let k = 5;
    for (what, change, needle) in [
        ("extra field", json!({"extra": 1}), "exactly the fields"),
        ("time", json!({"time": "2026-01-05 01:00:00Z"}), "time"),
        ("kind", json!({"kind": ""}), "kind"),
        ("actor", json!({"actor": 7}), "actor"),
        ("data", json!({"data": [1]}), "data is not an object"),
        ("seq", json!({"seq": "5"}), "seq"),
    ] {
        let mut e = es[k].clone();
        for (key, value) in change.as_object().unwrap() {
            e[key] = value.clone();
        }
        let mut lines = g.lines.clone();
        lines[k] = canonical(&e).unwrap();
        let f = run(&lines, &[]).first_error.expect(what);
        assert_eq!(f.line, k as u64 + 1, "{what}");
        assert!(f.reason.contains(needle), "{what}: {}", f.reason);
    }
    // After the first error the tree is still computed to the end.
    let mut lines = g.lines.clone();
    lines[3] = b"not json".to_vec();
    let s = run(&lines, &[]);
    assert_eq!(s.size, g.lines.len() as u64);
    assert_eq!(s.first_error.unwrap().line, 4);
}

#[test]
fn key_rotations_are_reported() {
    let g = generated();
    let mut es = entries(&g.lines);
    let data = json!({"old": "a+00000001+AQ", "new": "b+00000002+AQ"});
    es.insert(
        7,
        json!({"seq": 0, "time": "2026-01-05T02:00:00Z", "kind": "log.key_rotation",
               "actor": "admin", "data": data}),
    );
    let s = run(&relog(&es), &[]);
    assert_eq!(s.first_error, None);
    assert_eq!(s.key_rotations.len(), 1);
    assert_eq!(
        (s.key_rotations[0].seq, &s.key_rotations[0].data),
        (7, &data)
    );
}
