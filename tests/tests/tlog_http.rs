//! The log export and proofs over real HTTP, checked as an outside verifier
//! would: with draw-audit's tree math, the signed checkpoint and the
//! `draw-audit` CLI.

use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use diesel::prelude::*;
use draw_audit::merkle::{
    Hash, leaf_hash, root_of_leaf_hashes, verify_consistency, verify_inclusion,
};
use expert_api::db::schema::checkpoints;
use expert_draw_tests::audit::{leaves, signed_head};
use expert_draw_tests::fixtures::{application_in, apply_ok, assert_problem, log_size};
use expert_draw_tests::{Api, Backend, Server, audit_bin, both_backends};
use serde_json::Value;

fn b64(h: &Hash) -> String {
    STANDARD.encode(h)
}

fn hash(v: &Value) -> Hash {
    let bytes = STANDARD
        .decode(v.as_str().expect("base64 string"))
        .expect("base64");
    Hash::try_from(bytes.as_slice()).expect("32 bytes")
}

fn hashes(v: &Value) -> Vec<Hash> {
    v.as_array().expect("array").iter().map(hash).collect()
}

fn root_of(lines: &[String]) -> Hash {
    root_of_leaf_hashes(lines.iter().map(|l| leaf_hash(l.as_bytes()))).expect("root")
}

/// A log of a few dozen entries: tokens and expert applications.
fn some_entries(s: &Server, n: usize) {
    let admin = s.admin();
    for _ in 0..n {
        apply_ok(&admin, &application_in("420100"));
    }
}

fn export(api: &Api, query: &str) -> (Vec<String>, u64, Hash) {
    let r = api.get(&format!("/api/v1/audit/export{query}"));
    assert_eq!(r.status, 200, "export{query}: {}", r.text);
    assert!(
        r.content_type.starts_with("application/jsonl"),
        "{}",
        r.content_type
    );
    let size = r
        .header("Tlog-Size")
        .and_then(|v| v.parse().ok())
        .expect("Tlog-Size");
    let root = hash(&Value::from(r.header("Tlog-Root").expect("Tlog-Root")));
    let lines = match r.text.strip_suffix('\n') {
        Some(body) => body.split('\n').map(str::to_owned).collect(),
        None => {
            assert!(r.text.is_empty(), "JSON Lines end with a newline");
            Vec::new()
        }
    };
    (lines, size, root)
}

fn export_and_proofs(backend: Backend) {
    let s = Server::start(backend);
    some_entries(&s, 12);
    let admin = s.admin();
    let supervisor = s.token("supervisor", None);

    // The whole export: exactly the leaves, recomputing to the signed root.
    let head = signed_head(&admin);
    let all = leaves(&admin, 7);
    let (exported, size, root) = export(&supervisor, "");
    assert_eq!(exported, all);
    assert_eq!(size, head.checkpoint.size);
    assert_eq!(root, head.checkpoint.root);
    assert_eq!(root_of(&exported), head.checkpoint.root);
    let n = size;
    assert!(n > 12, "{n}");

    // Ranges: `to` is exclusive; the headers name the tree at `to`.
    let (part, size, root) = export(&admin, &format!("?from=3&to={}", n - 2));
    assert_eq!(part, all[3..(n - 2) as usize]);
    assert_eq!(size, n - 2);
    assert_eq!(root, root_of(&all[..(n - 2) as usize]));
    let (part, _, _) = export(&admin, "?to=5");
    assert_eq!(part, all[..5]);
    let (part, size, _) = export(&admin, &format!("?from={n}"));
    assert!(part.is_empty());
    assert_eq!(size, n);
    let (part, size, root) = export(&admin, "?to=0");
    assert!(part.is_empty());
    assert_eq!((size, root), (0, draw_audit::merkle::empty_root()));

    // Inclusion proofs of every entry, in the signed tree and a past one.
    for index in 0..n {
        let r = supervisor.get(&format!("/api/v1/audit/proof/inclusion?index={index}"));
        assert_eq!(r.status, 200, "{}", r.text);
        let leaf = leaf_hash(all[index as usize].as_bytes());
        assert_eq!(r.json["index"], index);
        assert_eq!(r.json["size"], n);
        assert_eq!(hash(&r.json["leaf_hash"]), leaf);
        assert_eq!(hash(&r.json["root"]), head.checkpoint.root);
        let proof = hashes(&r.json["proof"]);
        verify_inclusion(&leaf, index, n, &proof, &head.checkpoint.root)
            .unwrap_or_else(|e| panic!("inclusion {index}: {e}"));
        let past = index + 1 + (n - index - 1) / 2;
        let r = admin.get(&format!(
            "/api/v1/audit/proof/inclusion?index={index}&size={past}"
        ));
        assert_eq!(r.status, 200, "{}", r.text);
        let past_root = root_of(&all[..past as usize]);
        assert_eq!(hash(&r.json["root"]), past_root);
        verify_inclusion(&leaf, index, past, &hashes(&r.json["proof"]), &past_root)
            .unwrap_or_else(|e| panic!("inclusion {index} in {past}: {e}"));
    }
    // Without an index: the tree's last entry.
    let r = admin.get("/api/v1/audit/proof/inclusion?size=9");
    assert_eq!(
        (r.status, &r.json["index"]),
        (200, &Value::from(8)),
        "{}",
        r.text
    );

    // Consistency from every older size to the signed head, and between
    // two past sizes.
    for old in 1..=n {
        let r = supervisor.get(&format!("/api/v1/audit/proof/consistency?from={old}"));
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            (r.json["old_size"].as_u64(), r.json["new_size"].as_u64()),
            (Some(old), Some(n))
        );
        let old_root = root_of(&all[..old as usize]);
        assert_eq!(hash(&r.json["old_root"]), old_root);
        assert_eq!(hash(&r.json["new_root"]), head.checkpoint.root);
        verify_consistency(
            old,
            n,
            &hashes(&r.json["proof"]),
            &old_root,
            &head.checkpoint.root,
        )
        .unwrap_or_else(|e| panic!("consistency {old} -> {n}: {e}"));
    }
    let r = admin.get("/api/v1/audit/proof/consistency?from=5&to=11");
    assert_eq!(r.status, 200, "{}", r.text);
    verify_consistency(
        5,
        11,
        &hashes(&r.json["proof"]),
        &root_of(&all[..5]),
        &root_of(&all[..11]),
    )
    .expect("5 -> 11");
    // As text: one base64 hash per line, sizes and roots in headers.
    let t = admin.get("/api/v1/audit/proof/consistency?from=5&to=11&format=text");
    assert_eq!(t.status, 200, "{}", t.text);
    assert!(
        t.content_type.starts_with("text/plain"),
        "{}",
        t.content_type
    );
    let lines: Vec<&str> = t.text.lines().collect();
    let json_lines: Vec<&str> = r.json["proof"]
        .as_array()
        .expect("proof")
        .iter()
        .map(|v| v.as_str().expect("str"))
        .collect();
    assert_eq!(lines, json_lines);
    assert_eq!(t.header("Tlog-Old-Size"), Some("5"));
    assert_eq!(t.header("Tlog-New-Size"), Some("11"));
    assert_eq!(
        t.header("Tlog-Old-Root"),
        Some(b64(&root_of(&all[..5])).as_str())
    );
    assert_eq!(
        t.header("Tlog-New-Root"),
        Some(b64(&root_of(&all[..11])).as_str())
    );
    let accept = admin.get_accept(
        "/api/v1/audit/proof/consistency?from=5&to=11",
        Some("text/plain"),
    );
    assert_eq!(accept.text, t.text);

    // The text proof goes through `draw-audit proof consistency` as is.
    let dir = tempfile::tempdir().expect("tmp");
    let proof_file = dir.path().join("5-11.txt");
    std::fs::write(&proof_file, &t.text).expect("write");
    let (code, out) = draw_audit(&[
        "proof",
        "consistency",
        "--size1",
        "5",
        "--size2",
        "11",
        "--root1",
        &b64(&root_of(&all[..5])),
        "--root2",
        &b64(&root_of(&all[..11])),
        "--proof",
        proof_file.to_str().expect("path"),
    ]);
    assert_eq!(code, 0, "{out}");
}

both_backends!(export_and_proofs_verify, export_and_proofs);

/// An export longer than one database read arrives whole and in order.
fn long_export(backend: Backend) {
    use expert_api::store::StoreError;
    use expert_api::store::audit::{self, NewEntry};
    let db = expert_draw_tests::TestDb::new(backend);
    {
        let mut conn = db.connect();
        expert_api::db::run_migrations(&mut conn).expect("migrate");
        let entries = (0..4_500)
            .map(|i| NewEntry {
                kind: "test.bulk".into(),
                actor: "test".into(),
                subject: None,
                data: serde_json::json!({ "i": i }),
            })
            .collect();
        audit::write(
            &mut conn,
            chrono::Utc::now(),
            |tx| -> Result<(), StoreError> { tx.append_all(entries) },
        )
        .expect("bulk append");
    }
    let s = Server::start_with(db, &[]);
    let admin = s.admin();
    let head = signed_head(&admin);
    let all = leaves(&admin, 10_000);
    let (exported, size, root) = export(&admin, "");
    assert_eq!(exported.len(), all.len());
    assert!(exported == all, "the export differs from the entries");
    assert_eq!((size, root), (head.checkpoint.size, head.checkpoint.root));
    assert_eq!(root_of(&exported), root);
    let (part, _, root) = export(&admin, "?from=1999&to=4001");
    assert!(part == all[1999..4001], "the range differs");
    assert_eq!(root, root_of(&all[..4001]));
}

both_backends!(long_export_streams_whole, long_export);

/// Run the draw-audit CLI; returns the exit code and stdout + stderr.
fn draw_audit(args: &[&str]) -> (i32, String) {
    let out = Command::new(audit_bin())
        .args(args)
        .output()
        .expect("run draw-audit");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// A tlog-proof as served verifies offline with the CLI, the verifier key
/// and the leaf bytes from the export; a past size needs a kept checkpoint.
fn tlog_proof_files(backend: Backend) {
    let s = Server::start(backend);
    some_entries(&s, 4);
    let admin = s.admin();
    let early = signed_head(&admin);
    some_entries(&s, 3);
    let head = signed_head(&admin);
    let all = leaves(&admin, 1000);
    let dir = tempfile::tempdir().expect("tmp");
    let vkey = dir.path().join("vkey");
    std::fs::write(&vkey, format!("{}\n", head.vkey)).expect("vkey");
    let vkey_arg = format!("@{}", vkey.display());

    let verify = |name: &str, text: &str, leaf: &str| {
        let proof = dir.path().join(format!("{name}.tlog-proof"));
        std::fs::write(&proof, text).expect("write proof");
        let leaf_file = dir.path().join(format!("{name}.leaf"));
        std::fs::write(&leaf_file, leaf).expect("write leaf");
        draw_audit(&[
            "proof",
            "inclusion",
            "--proof",
            proof.to_str().expect("path"),
            "--vkey",
            &vkey_arg,
            "--leaf-file",
            leaf_file.to_str().expect("path"),
        ])
    };

    // At the head: a checkpoint signed for the answer.
    let r = admin.get("/api/v1/audit/proof/inclusion?index=2&format=tlog-proof");
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.content_type.starts_with("text/plain"),
        "{}",
        r.content_type
    );
    assert!(
        r.text.starts_with("c2sp.org/tlog-proof@v1\nindex 2\n"),
        "{}",
        r.text
    );
    let (code, out) = verify("head", &r.text, &all[2]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("tree of size {}", head.checkpoint.size)),
        "{out}"
    );
    // The same by content negotiation; the wrong leaf is refused.
    let by_accept = admin.get_accept("/api/v1/audit/proof/inclusion?index=2", Some("text/plain"));
    assert!(
        by_accept
            .text
            .starts_with("c2sp.org/tlog-proof@v1\nindex 2\n")
    );
    let (code, out) = verify("wrong-leaf", &by_accept.text, &all[3]);
    assert_eq!(code, 1, "{out}");

    // A past size with no kept checkpoint: 404 naming `size`.
    let past = early.checkpoint.size;
    let url = format!("/api/v1/audit/proof/inclusion?index=1&size={past}&format=tlog-proof");
    assert_problem(&admin.get(&url), 404, "not-found", Some("size"), None);
    // Once a signed checkpoint of that size is kept (as a draw keeps one),
    // it is the one embedded.
    {
        let mut conn = s.db.connect();
        diesel::insert_into(checkpoints::table)
            .values((
                checkpoints::size.eq(past as i64),
                checkpoints::root.eq(hex::encode(early.checkpoint.root)),
                checkpoints::note.eq(&early.note),
                checkpoints::time.eq(chrono::Utc::now().naive_utc()),
            ))
            .execute(&mut conn)
            .expect("keep the checkpoint");
    }
    let r = admin.get(&url);
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.ends_with(&early.note), "{}", r.text);
    let (code, out) = verify("past", &r.text, &all[1]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("tree of size {past}")), "{out}");
}

both_backends!(tlog_proof_files_verify, tlog_proof_files);

fn bad_parameters(backend: Backend) {
    let s = Server::start(backend);
    some_entries(&s, 2);
    let n = log_size(&s);
    let admin = s.admin();
    let bad = |path: &str, field: &str| {
        let r = admin.get(path);
        assert_problem(&r, 400, "bad-request", Some(field), r.json["rule"].as_str());
        assert!(r.json["rule"].is_string(), "{}", r.text);
    };
    bad(&format!("/api/v1/audit/export?to={}", n + 1), "to");
    bad("/api/v1/audit/export?from=3&to=2", "from");
    bad("/api/v1/audit/export?from=-1", "from");
    bad("/api/v1/audit/export?to=x", "to");
    bad("/api/v1/audit/export?limit=3", "limit");
    bad(&format!("/api/v1/audit/proof/inclusion?index={n}"), "index");
    bad("/api/v1/audit/proof/inclusion?index=3&size=3", "index");
    bad(
        &format!("/api/v1/audit/proof/inclusion?index=0&size={}", n + 1),
        "size",
    );
    bad("/api/v1/audit/proof/inclusion?index=abc", "index");
    bad("/api/v1/audit/proof/inclusion?size=0", "index");
    bad("/api/v1/audit/proof/inclusion?index=0&format=xml", "format");
    bad("/api/v1/audit/proof/consistency?from=4&to=3", "from");
    bad("/api/v1/audit/proof/consistency?from=0&to=3", "from");
    bad(
        &format!("/api/v1/audit/proof/consistency?from=1&to={}", n + 1),
        "to",
    );
    bad(
        &format!("/api/v1/audit/proof/consistency?from={}", n + 1),
        "from",
    );
    bad("/api/v1/audit/proof/consistency?to=1.5", "to");
    bad(
        "/api/v1/audit/proof/consistency?from=1&format=tlog-proof",
        "format",
    );
    // Operators and regulators never see proofs or the export.
    let operator = s.token("operator", Some("420100"));
    for path in [
        "/api/v1/audit/export",
        "/api/v1/audit/proof/inclusion?index=0",
        "/api/v1/audit/proof/consistency?from=1",
    ] {
        assert_problem(&operator.get(path), 403, "forbidden", None, None);
    }
}

both_backends!(bad_parameters_are_named, bad_parameters);
