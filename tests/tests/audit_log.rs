//! The audit log's guarantees, checked from outside against the real server
//! on both backends: signed checkpoints that verify by the c2sp rules and
//! stay append-only-consistent, dense `seq` under concurrent writers (also
//! from two processes), tamper detection by `expert-api audit check`, and
//! state changes that commit together with their entries or not at all.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use draw_audit::checkpoint::Checkpoint;
use draw_audit::entry::Entry;
use draw_audit::merkle::{
    Hash, consistency_proof, inclusion_proof, verify_consistency, verify_inclusion,
};
use draw_audit::note::NoteSigner;
use expert_api::db::schema::{audit_entries, audit_head};
use expert_api::store::audit::{LogCheck, check_log};
use expert_draw_tests::audit::{ORIGIN, dense_entries, leaf_hashes, leaves, root, signed_head};
use expert_draw_tests::fixtures::{application_in, approve_ok, get_expert, with_wrong_check_digit};
use expert_draw_tests::{Api, Backend, Server, TestDb, both_backends, cli};
use serde_json::{Value, json};

// --- helpers ----------------------------------------------------------------

/// The region every expert here belongs to (Wuhan).
const REGION: &str = "420100";

/// Register a new, valid applicant; returns the expert id.
fn apply(api: &Api) -> String {
    let r = api.post("/api/v1/experts", &application_in(REGION));
    assert_eq!(r.status, 201, "apply: {}", r.text);
    r.json["id"].as_str().expect("expert id").to_owned()
}

/// The log as a verifier sees it: checkpoint and leaves agree, leaves are
/// canonical and dense, the root recomputed from them is the signed one.
fn verified_log(s: &Server) -> (Checkpoint, Vec<String>) {
    let head = signed_head(&s.anonymous());
    assert_eq!(head.checkpoint.origin, ORIGIN);
    let all = leaves(&s.admin(), 1000);
    dense_entries(&all);
    assert_eq!(head.checkpoint.size, all.len() as u64, "checkpoint size");
    assert_eq!(
        root(&leaf_hashes(&all)),
        head.checkpoint.root,
        "root recomputed from the leaves"
    );
    (head.checkpoint, all)
}

fn assert_consistent(old: &Checkpoint, new: &Checkpoint, new_hashes: &[Hash]) {
    assert!(
        old.size <= new.size,
        "log shrank: {} -> {}",
        old.size,
        new.size
    );
    let proof = consistency_proof(new_hashes, old.size, new.size).expect("consistency proof");
    verify_consistency(old.size, new.size, &proof, &old.root, &new.root)
        .expect("the later checkpoint extends the earlier one");
}

fn key_mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("key file exists")
        .permissions()
        .mode()
        & 0o777
}

// --- 1. checkpoints ---------------------------------------------------------

fn checkpoint_verifies_by_c2sp_rules(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let ids: Vec<String> = (0..3).map(|_| apply(&admin)).collect();
    approve_ok(&admin, &ids[0]);
    s.token("supervisor", None);

    // Anyone may fetch the checkpoint and key; the key is named by the origin.
    let early = signed_head(&s.anonymous());
    assert_eq!(early.verifier.name(), ORIGIN);
    assert_eq!(early.checkpoint.origin, ORIGIN);
    assert!(early.checkpoint.extensions.is_empty());
    assert!(early.note.starts_with(&format!("{ORIGIN}\n")));

    // Small pages exercise from/limit paging; the result is the whole log.
    let early_leaves = leaves(&admin, 3);
    assert_eq!(early_leaves, leaves(&admin, 1000));
    let entries = dense_entries(&early_leaves);
    // CLI admin token, three applications, an approval, a supervisor token.
    assert_eq!(entries.len(), 6);
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "token.create",
            "expert.apply",
            "expert.apply",
            "expert.apply",
            "expert.approve",
            "token.create"
        ]
    );
    assert_eq!(early.checkpoint.size, early_leaves.len() as u64);
    let hashes = leaf_hashes(&early_leaves);
    assert_eq!(root(&hashes), early.checkpoint.root);
    // The library's root agrees with the one computed from the definition.
    assert_eq!(
        draw_audit::merkle::root_of_leaf_hashes(hashes.iter().copied()).expect("root"),
        early.checkpoint.root
    );

    // Every entry is provably included under the signed root, and a proof
    // for one leaf does not pass for another.
    let size = early.checkpoint.size;
    for (i, h) in hashes.iter().enumerate() {
        let proof = inclusion_proof(&hashes, i as u64, size).expect("inclusion proof");
        verify_inclusion(h, i as u64, size, &proof, &early.checkpoint.root)
            .unwrap_or_else(|e| panic!("entry {i} not included: {e}"));
        let other = &hashes[(i + 1) % hashes.len()];
        assert!(verify_inclusion(other, i as u64, size, &proof, &early.checkpoint.root).is_err());
    }

    // A key with the same name but other bytes does not open the note.
    let stranger = NoteSigner::new(
        ORIGIN,
        draw_audit::keys::generate_signing_key().expect("key"),
    )
    .expect("signer");
    assert!(Checkpoint::open(&early.note, &[stranger.verifier()]).is_err());
    // Nor does a note whose body was changed.
    let forged = early
        .note
        .replacen(&format!("\n{size}\n"), &format!("\n{}\n", size + 1), 1);
    assert_ne!(forged, early.note);
    assert!(Checkpoint::open(&forged, std::slice::from_ref(&early.verifier)).is_err());

    // More writes; the later checkpoint extends the earlier one.
    for _ in 0..5 {
        apply(&admin);
    }
    let r = admin.patch(
        &format!("/api/v1/experts/{}/contact", ids[1]),
        &json!({"mobile": "13900000001"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let later = signed_head(&s.anonymous());
    assert_eq!(later.vkey, early.vkey);
    let later_leaves = leaves(&admin, 4);
    dense_entries(&later_leaves);
    assert_eq!(later.checkpoint.size, later_leaves.len() as u64);
    assert_eq!(later.checkpoint.size, early.checkpoint.size + 6);
    assert_eq!(
        &later_leaves[..early_leaves.len()],
        &early_leaves[..],
        "earlier leaves are unchanged"
    );
    let later_hashes = leaf_hashes(&later_leaves);
    assert_eq!(root(&later_hashes), later.checkpoint.root);
    assert_consistent(&early.checkpoint, &later.checkpoint, &later_hashes);
    // Every intermediate size is consistent with the latest tree too.
    for m in 1..later.checkpoint.size {
        let old = Checkpoint::new(ORIGIN, m, root(&later_hashes[..m as usize]));
        assert_consistent(&old, &later.checkpoint, &later_hashes);
    }
    // A wrong earlier root is refused.
    let wrong = Checkpoint::new(ORIGIN, early.checkpoint.size, later.checkpoint.root);
    let proof = consistency_proof(&later_hashes, wrong.size, later.checkpoint.size).expect("proof");
    assert!(
        verify_consistency(
            wrong.size,
            later.checkpoint.size,
            &proof,
            &wrong.root,
            &later.checkpoint.root
        )
        .is_err()
    );

    // The signing key is private to the service account.
    let key = s.db.path("log-key.pem");
    assert_eq!(key_mode(&key), 0o600, "{}", key.display());

    // Restart on the same database and key file: same key, and the new
    // checkpoint (one more entry: the harness mints an admin token) extends
    // the one signed before the restart.
    let db = s.stop();
    let s = Server::start_with(db, &[]);
    let after = signed_head(&s.anonymous());
    assert_eq!(after.vkey, later.vkey, "verifier key survives a restart");
    assert_eq!(after.verifier.key_id(), later.verifier.key_id());
    let (cp, after_leaves) = verified_log(&s);
    assert_eq!(cp, after.checkpoint);
    assert_eq!(after.checkpoint.size, later.checkpoint.size + 1);
    let after_hashes = leaf_hashes(&after_leaves);
    assert_consistent(&later.checkpoint, &after.checkpoint, &after_hashes);
    assert_consistent(&early.checkpoint, &after.checkpoint, &after_hashes);
    assert_eq!(key_mode(&s.db.path("log-key.pem")), 0o600);
}

both_backends!(checkpoint_verifies, checkpoint_verifies_by_c2sp_rules);

fn entries_are_for_supervisors_and_admins(backend: Backend) {
    let s = Server::start(backend);
    assert_eq!(s.anonymous().get("/api/v1/audit/entries").status, 401);
    let op = s.token("operator", Some("420100"));
    assert_eq!(op.get("/api/v1/audit/entries").status, 403);
    let sup = s.token("supervisor", None);
    let r = sup.get("/api/v1/audit/entries");
    assert_eq!(r.status, 200, "{}", r.text);
    // Two entries besides the CLI token: the operator and supervisor tokens.
    assert_eq!(leaves(&sup, 1000).len(), 3);
    for bad in ["limit=0", "limit=10001", "from=-1", "limit=x", "nope=1"] {
        let r = sup.get(&format!("/api/v1/audit/entries?{bad}"));
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        r.problem();
    }
    // Past the end is an empty page, not an error.
    let r = sup.get("/api/v1/audit/entries?from=3");
    assert_eq!((r.status, r.text.as_str()), (200, ""));
}

both_backends!(entries_access, entries_are_for_supervisors_and_admins);

// --- 2. concurrent writers --------------------------------------------------

/// `threads` clients at once, alternating over `servers`: even threads mint
/// tokens, odd threads register experts. Returns the token ids and expert
/// ids that the server acknowledged.
fn write_concurrently(
    servers: &[&Server],
    threads: u32,
    per_thread: u32,
) -> (Vec<String>, Vec<String>) {
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let s = servers[t as usize % servers.len()];
            let api = Api::new(&s.base, Some(&s.admin_token));
            std::thread::spawn(move || {
                let mut tokens = Vec::new();
                let mut experts = Vec::new();
                for i in 0..per_thread {
                    if t % 2 == 0 {
                        let r = api.post(
                            "/api/v1/tokens",
                            &json!({"role": "supervisor", "label": format!("load {t}-{i}")}),
                        );
                        assert_eq!(r.status, 201, "token {t}-{i}: {}", r.text);
                        tokens.push(r.json["id"].as_str().expect("id").to_owned());
                    } else {
                        let r = api.post("/api/v1/experts", &application_in(REGION));
                        assert_eq!(r.status, 201, "apply {t}-{i}: {}", r.text);
                        experts.push(r.json["id"].as_str().expect("id").to_owned());
                    }
                }
                (tokens, experts)
            })
        })
        .collect();
    let mut tokens = Vec::new();
    let mut experts = Vec::new();
    for h in handles {
        let (t, e) = h.join().expect("writer thread");
        tokens.extend(t);
        experts.extend(e);
    }
    (tokens, experts)
}

/// Each acknowledged write is in the log exactly once, nothing else is, and
/// the log is dense and matches its checkpoint.
fn assert_log_holds(s: &Server, before: usize, tokens: &[String], experts: &[String]) {
    let (cp, all) = verified_log(s);
    let entries = dense_entries(&all);
    assert_eq!(
        all.len(),
        before + tokens.len() + experts.len(),
        "entries = initial + acknowledged writes"
    );
    // Times never go back along the log, even when a writer that read the
    // clock earlier got the lock later.
    for w in entries.windows(2) {
        assert!(
            w[0].time <= w[1].time,
            "entry {} at {} follows entry {} at {}",
            w[1].seq,
            w[1].time,
            w[0].seq,
            w[0].time
        );
    }
    let mut logged_tokens = BTreeMap::<String, usize>::new();
    let mut logged_experts = BTreeMap::<String, usize>::new();
    for e in &entries[before..] {
        match e.kind.as_str() {
            "token.create" => {
                *logged_tokens
                    .entry(e.data["token_id"].as_str().expect("token_id").to_owned())
                    .or_default() += 1;
            }
            "expert.apply" => {
                *logged_experts
                    .entry(e.data["expert_id"].as_str().expect("expert_id").to_owned())
                    .or_default() += 1;
            }
            other => panic!("unexpected entry kind {other}"),
        }
    }
    let want_tokens: BTreeMap<String, usize> = tokens.iter().map(|t| (t.clone(), 1)).collect();
    let want_experts: BTreeMap<String, usize> = experts.iter().map(|t| (t.clone(), 1)).collect();
    assert_eq!(logged_tokens, want_tokens);
    assert_eq!(logged_experts, want_experts);
    // Expert ids come from a counter in the same transactions: dense too.
    let ids: BTreeSet<&str> = experts.iter().map(String::as_str).collect();
    assert_eq!(ids.len(), experts.len(), "duplicate expert ids");
    let mut conn = s.db.connect();
    assert_eq!(
        check_log(&mut conn).expect("check"),
        LogCheck::Consistent(expert_api::store::audit::TreeHead {
            size: cp.size,
            root: cp.root
        })
    );
}

fn concurrent_writers_leave_no_gaps(backend: Backend) {
    let s = Server::start(backend);
    let before = leaves(&s.admin(), 1000).len();
    let (tokens, experts) = write_concurrently(&[&s], 12, 20);
    assert_eq!(tokens.len() + experts.len(), 240);
    assert_log_holds(&s, before, &tokens, &experts);
}

both_backends!(concurrent_writers, concurrent_writers_leave_no_gaps);

fn two_processes_share_one_log(backend: Backend) {
    let a = Server::start(backend);
    let b = a.start_second();
    let before = leaves(&a.admin(), 1000).len();
    let (tokens, experts) = write_concurrently(&[&a, &b], 8, 15);
    assert_log_holds(&a, before, &tokens, &experts);
    // Both processes sign the same head with the same key.
    let ha = signed_head(&a.anonymous());
    let hb = signed_head(&b.anonymous());
    assert_eq!(ha.vkey, hb.vkey);
    assert_eq!(ha.checkpoint, hb.checkpoint);
    assert_eq!(leaves(&b.admin(), 1000), leaves(&a.admin(), 1000));
}

both_backends!(two_processes, two_processes_share_one_log);

/// `audit check` runs against a live service (from cron, say): writers
/// committing while it reads must never look like tampering.
fn check_while_writing(backend: Backend) {
    let s = Server::start(backend);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let s_base = s.base.clone();
        let token = s.admin_token.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            let handles: Vec<_> = (0..4)
                .map(|t| {
                    let api = Api::new(&s_base, Some(&token));
                    std::thread::spawn(move || {
                        for i in 0..40 {
                            let r = api.post(
                                "/api/v1/tokens",
                                &json!({"role": "supervisor", "label": format!("w {t}-{i}")}),
                            );
                            assert_eq!(r.status, 201, "{}", r.text);
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().expect("writer");
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        })
    };
    let mut conn = s.db.connect();
    let mut checks = 0;
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        match check_log(&mut conn).expect("check") {
            LogCheck::Consistent(_) => checks += 1,
            other => panic!("after {checks} good checks, a live log looked tampered: {other:?}"),
        }
    }
    writer.join().expect("writers");
    assert!(matches!(
        check_log(&mut conn).expect("check"),
        LogCheck::Consistent(h) if h.size == 161
    ));
}

both_backends!(check_live_log, check_while_writing);

// --- 3. tamper detection ------------------------------------------------------

type StoredEntry = (
    i64,
    chrono::NaiveDateTime,
    String,
    String,
    Option<String>,
    String,
    Vec<u8>,
);

/// A copy of the stored log, to put back after each tampering.
struct Saved {
    entries: Vec<StoredEntry>,
    head: (i64, Vec<u8>, Vec<u8>),
}

fn save(db: &TestDb) -> Saved {
    let mut conn = db.connect();
    let entries = audit_entries::table
        .order(audit_entries::seq.asc())
        .select((
            audit_entries::seq,
            audit_entries::time,
            audit_entries::kind,
            audit_entries::actor,
            audit_entries::subject,
            audit_entries::leaf,
            audit_entries::leaf_hash,
        ))
        .load(&mut conn)
        .expect("load entries");
    let head = audit_head::table
        .find(1)
        .select((audit_head::size, audit_head::compact, audit_head::root))
        .first(&mut conn)
        .expect("load head");
    Saved { entries, head }
}

fn restore(db: &TestDb, saved: &Saved) {
    let mut conn = db.connect();
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        diesel::delete(audit_entries::table).execute(conn)?;
        for (seq, time, kind, actor, subject, leaf, hash) in &saved.entries {
            diesel::insert_into(audit_entries::table)
                .values((
                    audit_entries::seq.eq(seq),
                    audit_entries::time.eq(time),
                    audit_entries::kind.eq(kind),
                    audit_entries::actor.eq(actor),
                    audit_entries::subject.eq(subject),
                    audit_entries::leaf.eq(leaf),
                    audit_entries::leaf_hash.eq(hash),
                ))
                .execute(conn)?;
        }
        let (size, compact, root) = &saved.head;
        diesel::update(audit_head::table.find(1))
            .set((
                audit_head::size.eq(size),
                audit_head::compact.eq(compact),
                audit_head::root.eq(root),
            ))
            .execute(conn)?;
        Ok(())
    })
    .expect("restore the log");
}

/// Run raw SQL behind the application's back; returns rows affected.
fn sql(db: &TestDb, statement: &str) -> usize {
    let mut conn = db.connect();
    diesel::sql_query(statement)
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{statement}: {e}"))
}

fn audit_check(db: &TestDb) -> (i32, String, String) {
    cli(&["audit", "check", "--db", &db.url])
}

fn assert_intact(db: &TestDb, size: usize) {
    let (code, out, err) = audit_check(db);
    assert_eq!(code, 0, "audit check on an intact log:\n{out}\n{err}");
    assert!(
        out.starts_with(&format!("log consistent: {size} entries, root ")),
        "{out}"
    );
    let mut conn = db.connect();
    assert!(matches!(
        check_log(&mut conn).expect("check"),
        LogCheck::Consistent(h) if h.size == size as u64
    ));
}

/// The CLI exits 1 naming entry `seq`, and `check_log` agrees.
fn assert_bad_entry(db: &TestDb, seq: u64, what: &str) {
    let (code, out, err) = audit_check(db);
    assert_eq!(code, 1, "{what}: audit check must fail:\n{out}\n{err}");
    assert!(
        err.contains(&format!("log INVALID at entry {seq}:")),
        "{what}: {err}"
    );
    let mut conn = db.connect();
    match check_log(&mut conn).expect("check") {
        LogCheck::BadEntry { seq: got, .. } => assert_eq!(got, seq, "{what}"),
        other => panic!("{what}: expected BadEntry at {seq}, got {other:?}"),
    }
}

/// The CLI exits 1 blaming the head, and `check_log` agrees.
fn assert_bad_head(db: &TestDb, what: &str) {
    let (code, out, err) = audit_check(db);
    assert_eq!(code, 1, "{what}: audit check must fail:\n{out}\n{err}");
    assert!(err.contains("log INVALID: "), "{what}: {err}");
    assert!(!err.contains("at entry"), "{what}: {err}");
    let mut conn = db.connect();
    match check_log(&mut conn).expect("check") {
        LogCheck::BadHead { .. } => {}
        other => panic!("{what}: expected BadHead, got {other:?}"),
    }
}

fn tampering_is_detected(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    for n in 0..4 {
        let id = apply(&admin);
        if n % 2 == 0 {
            approve_ok(&admin, &id);
        }
    }
    s.token("supervisor", None);
    let n = leaves(&admin, 1000).len();
    assert_eq!(n, 1 + 4 + 2 + 1);
    let db = s.stop();
    let saved = save(&db);
    assert_intact(&db, n);

    // Entry 3 is the second application: it has "years_in_field":15 in data.
    let leaf3 = &saved.entries[3].5;
    assert!(leaf3.contains("\"kind\":\"expert.apply\""), "{leaf3}");
    let bump = |entry: u64| {
        sql(
            &db,
            &format!(
                "UPDATE audit_entries SET leaf = REPLACE(leaf, '\"years_in_field\":15', \
                 '\"years_in_field\":16') WHERE seq = {entry}"
            ),
        )
    };

    // One digit in one entry's data.
    assert_eq!(bump(3), 1);
    assert_bad_entry(&db, 3, "changed digit");
    restore(&db, &saved);
    assert_intact(&db, n);

    // An entry deleted from the middle.
    assert_eq!(sql(&db, "DELETE FROM audit_entries WHERE seq = 4"), 1);
    assert_bad_entry(&db, 4, "deleted entry");
    restore(&db, &saved);

    // The last entry deleted: the entries alone look fine, the head does not.
    assert_eq!(
        sql(
            &db,
            &format!("DELETE FROM audit_entries WHERE seq = {}", n - 1)
        ),
        1
    );
    assert_bad_head(&db, "deleted last entry");
    restore(&db, &saved);

    // Two leaves swapped (hashes left in place, then moved along too).
    let swap = |column: &str| {
        sql(
            &db,
            &format!(
                "UPDATE audit_entries SET {column} = CASE seq \
                 WHEN 2 THEN (SELECT {column} FROM audit_entries WHERE seq = 5) \
                 ELSE (SELECT {column} FROM audit_entries WHERE seq = 2) END \
                 WHERE seq IN (2, 5)"
            ),
        )
    };
    assert_eq!(swap("leaf"), 2);
    assert_bad_entry(&db, 2, "swapped leaves");
    assert_eq!(swap("leaf_hash"), 2);
    assert_bad_entry(&db, 2, "swapped leaves and hashes");
    restore(&db, &saved);

    // A leaf hash changed.
    assert_eq!(
        sql(
            &db,
            "UPDATE audit_entries SET leaf_hash = \
             (SELECT leaf_hash FROM audit_entries WHERE seq = 0) WHERE seq = 6"
        ),
        1
    );
    assert_bad_entry(&db, 6, "changed leaf hash");
    restore(&db, &saved);

    // The head's root, size and compact range.
    assert_eq!(
        sql(
            &db,
            "UPDATE audit_head SET root = (SELECT leaf_hash FROM audit_entries WHERE seq = 0)"
        ),
        1
    );
    assert_bad_head(&db, "changed root");
    restore(&db, &saved);
    assert_eq!(sql(&db, "UPDATE audit_head SET size = size - 1"), 1);
    assert_bad_head(&db, "smaller size");
    restore(&db, &saved);
    assert_eq!(sql(&db, "UPDATE audit_head SET size = size + 1"), 1);
    assert_bad_head(&db, "larger size");
    restore(&db, &saved);
    // The compact range is what the next append builds on: a wrong one would
    // make the server sign a root that is not the root of its entries.
    assert_eq!(
        sql(
            &db,
            "UPDATE audit_head SET compact = (SELECT leaf_hash FROM audit_entries WHERE seq = 0)"
        ),
        1
    );
    assert_bad_head(&db, "changed compact range");
    restore(&db, &saved);

    // An entry slipped in at the end, well-formed and correctly hashed.
    {
        let mut conn = db.connect();
        let extra = Entry::new(n as u64, chrono::Utc::now(), "token.create", "x", json!({}));
        let leaf = String::from_utf8(extra.leaf_bytes().expect("leaf")).expect("utf8");
        diesel::insert_into(audit_entries::table)
            .values((
                audit_entries::seq.eq(n as i64),
                audit_entries::time.eq(chrono::Utc::now().naive_utc()),
                audit_entries::kind.eq("token.create"),
                audit_entries::actor.eq("x"),
                audit_entries::leaf_hash
                    .eq(draw_audit::merkle::leaf_hash(leaf.as_bytes()).to_vec()),
                audit_entries::leaf.eq(leaf),
            ))
            .execute(&mut conn)
            .expect("insert");
    }
    assert_bad_head(&db, "appended entry");
    restore(&db, &saved);

    assert_intact(&db, n);
}

both_backends!(tamper_detection, tampering_is_detected);

/// A checker only reads: pointed at a mistyped path or a database without
/// the schema, it fails instead of creating and migrating an empty log and
/// calling it consistent.
fn check_never_creates_a_log(backend: Backend) {
    let db = TestDb::new(backend);
    let (code, out, err) = audit_check(&db);
    assert_ne!(
        code, 0,
        "audit check on a database without a log:\n{out}\n{err}"
    );
    assert!(!out.contains("log consistent"), "{out}");
    assert!(err.starts_with("error: "), "{err}");
    let mut conn = db.connect();
    assert_eq!(
        expert_api::db::run_migrations(&mut conn)
            .expect("migrate")
            .len(),
        expert_api::db::known_migrations(&conn)
            .expect("known")
            .len(),
        "audit check must not have migrated the database"
    );
    if backend == Backend::Sqlite {
        let missing = db.path("typo").join("expert-draw.db");
        let url = format!("sqlite://{}", missing.display());
        let (code, out, err) = cli(&["audit", "check", "--db", &url]);
        assert_ne!(code, 0, "{out}{err}");
        assert!(!missing.exists() && !missing.parent().expect("dir").exists());
    }
}

both_backends!(check_is_read_only, check_never_creates_a_log);

/// Someone with write access who rewrites an entry and recomputes every
/// hash and the head passes `audit check`; what catches them is a
/// checkpoint signed earlier, which no longer matches the log.
fn rewrite_is_caught_by_an_earlier_checkpoint(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    for _ in 0..3 {
        apply(&admin);
    }
    let (signed, _) = verified_log(&s);
    let db = s.stop();

    {
        let mut conn = db.connect();
        let leaves: Vec<String> = audit_entries::table
            .order(audit_entries::seq.asc())
            .select(audit_entries::leaf)
            .load(&mut conn)
            .expect("leaves");
        let mut hashes = Vec::new();
        let mut range = draw_audit::merkle::CompactRange::new();
        for (i, leaf) in leaves.iter().enumerate() {
            let leaf = if i == 2 {
                let forged = leaf.replace("\"years_in_field\":15", "\"years_in_field\":16");
                assert_ne!(&forged, leaf);
                diesel::update(audit_entries::table.find(i as i64))
                    .set((
                        audit_entries::leaf.eq(&forged),
                        audit_entries::leaf_hash
                            .eq(draw_audit::merkle::leaf_hash(forged.as_bytes()).to_vec()),
                    ))
                    .execute(&mut conn)
                    .expect("rewrite");
                forged
            } else {
                leaf.clone()
            };
            let h = draw_audit::merkle::leaf_hash(leaf.as_bytes());
            hashes.push(h);
            range.append(h).expect("append");
        }
        let compact: Vec<u8> = range.hashes().iter().flatten().copied().collect();
        diesel::update(audit_head::table.find(1))
            .set((
                audit_head::compact.eq(compact),
                audit_head::root.eq(range.root().to_vec()),
            ))
            .execute(&mut conn)
            .expect("rewrite head");
    }
    let (code, out, err) = audit_check(&db);
    assert_eq!(code, 0, "a full rewrite is self-consistent:\n{out}\n{err}");

    // The server that signed the checkpoint kept it outside the database
    // and refuses to start on the rewritten log.
    let (code, err) = expert_draw_tests::serve_refused(&db, &[]);
    assert_ne!(code, 0);
    assert!(
        err.contains("contradicts the last signed checkpoint"),
        "{err}"
    );
    // A server whose state file was lost starts, and the checkpoint signed
    // earlier exposes the rewrite.
    let lost = db.path("lost").join("last-signed-checkpoint.txt");
    let s = Server::start_with(db, &["--state-file", lost.to_str().expect("utf-8 path")]);
    let (now, all) = verified_log(&s);
    let hashes = leaf_hashes(&all);
    assert_ne!(root(&hashes[..signed.size as usize]), signed.root);
    let proof = consistency_proof(&hashes, signed.size, now.size).expect("proof");
    assert!(
        verify_consistency(signed.size, now.size, &proof, &signed.root, &now.root).is_err(),
        "the rewritten log must not extend the checkpoint signed before"
    );
}

both_backends!(
    rewrite_vs_checkpoint,
    rewrite_is_caught_by_an_earlier_checkpoint
);

// --- 4. atomicity -------------------------------------------------------------

/// The size of the signed (and verified) checkpoint.
fn log_size(s: &Server) -> u64 {
    signed_head(&s.anonymous()).checkpoint.size
}

/// `request` fails with `status`, and neither the log nor the experts
/// changed.
fn refused(
    s: &Server,
    what: &str,
    status: u16,
    request: impl FnOnce(&Api) -> expert_draw_tests::Response,
) {
    let admin = s.admin();
    let size = log_size(s);
    let experts_before = admin.get("/api/v1/experts?limit=200").json;
    let tokens_before = admin.get("/api/v1/tokens").json;
    let r = request(&admin);
    assert_eq!(r.status, status, "{what}: {}", r.text);
    r.problem();
    assert_eq!(log_size(s), size, "{what}: the log grew");
    assert_eq!(
        admin.get("/api/v1/experts?limit=200").json,
        experts_before,
        "{what}: experts changed"
    );
    assert_eq!(
        admin.get("/api/v1/tokens").json,
        tokens_before,
        "{what}: tokens changed"
    );
}

fn failed_requests_write_nothing(backend: Backend) {
    let s = Server::start(backend);
    let admin = s.admin();
    let a = apply(&admin);
    approve_ok(&admin, &a);
    let a_resident_id = get_expert(&s, &a)["resident_id"].clone();
    let b = apply(&admin);

    refused(&s, "bad resident ID", 422, |api| {
        let mut app = application_in(REGION);
        let rid = app["resident_id"].as_str().expect("id").to_owned();
        app["resident_id"] = json!(with_wrong_check_digit(&rid));
        api.post("/api/v1/experts", &app)
    });
    refused(&s, "admission rule inside the write", 422, |api| {
        let mut app = application_in(REGION);
        app["years_in_field"] = json!(2);
        api.post("/api/v1/experts", &app)
    });
    refused(&s, "same resident ID again", 409, |api| {
        let mut app = application_in(REGION);
        app["resident_id"] = a_resident_id.clone();
        api.post("/api/v1/experts", &app)
    });
    refused(&s, "reapply while active", 409, |api| {
        api.post(&format!("/api/v1/experts/{a}/reapply"), &json!(null))
    });
    refused(&s, "reinstate while active", 409, |api| {
        api.post(
            &format!("/api/v1/experts/{a}/reinstate"),
            &json!({"via": {"kind": "application", "reference": "R-1"}}),
        )
    });
    refused(&s, "leave for an applicant", 409, |api| {
        api.post(
            &format!("/api/v1/experts/{b}/leave"),
            &json!({"from": "2030-01-01", "to": "2030-01-10", "reason": "出差"}),
        )
    });
    refused(&s, "blank suspension reason", 400, |api| {
        api.post(
            &format!("/api/v1/experts/{a}/suspend"),
            &json!({"restore": "on_application", "reason": "  "}),
        )
    });
    refused(&s, "rejection without reasons", 400, |api| {
        api.post(
            &format!("/api/v1/experts/{b}/admission"),
            &json!({"decision": "reject", "reasons": []}),
        )
    });
    refused(&s, "unknown expert", 404, |api| {
        api.post(
            "/api/v1/experts/E9999999/admission",
            &json!({"decision": "approve"}),
        )
    });
    refused(&s, "operator token without a region", 400, |api| {
        api.post("/api/v1/tokens", &json!({"role": "operator", "label": "x"}))
    });

    // A change that gets as far as writing the new status and then fails on
    // a later statement of the same transaction rolls back completely: a
    // second leave starting on the same day as an earlier one collides with
    // the stored leave's key after the status row was already updated. (If
    // the API ever accepts such a leave, this needs another statement that
    // fails late.)
    let leave = json!({"from": "2030-01-01", "to": "2030-01-10", "reason": "出差"});
    let r = admin.post(&format!("/api/v1/experts/{a}/leave"), &leave);
    assert_eq!(r.status, 200, "{}", r.text);
    let r = admin.post(
        &format!("/api/v1/experts/{a}/suspend"),
        &json!({"restore": "on_application", "reason": "违规"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let r = admin.post(
        &format!("/api/v1/experts/{a}/reinstate"),
        &json!({"via": {"kind": "application", "reference": "R-1"}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "active");
    let version = r.json["version"].as_i64().expect("version");
    let size = log_size(&s);
    let r = admin.post(&format!("/api/v1/experts/{a}/leave"), &leave);
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(log_size(&s), size, "failed leave grew the log");
    let now = get_expert(&s, &a);
    assert_eq!(now["status"], "active", "failed leave left a status behind");
    assert_eq!(now["version"].as_i64(), Some(version));

    // Revoking twice: the second is refused and writes nothing.
    let t = admin.post(
        "/api/v1/tokens",
        &json!({"role": "supervisor", "label": "x"}),
    );
    assert_eq!(t.status, 201);
    let tid = t.json["id"].as_str().expect("id").to_owned();
    assert_eq!(admin.delete(&format!("/api/v1/tokens/{tid}")).status, 200);
    refused(&s, "revoke twice", 409, |api| {
        api.delete(&format!("/api/v1/tokens/{tid}"))
    });

    assert_entries_match_state(&s);
}

both_backends!(atomicity, failed_requests_write_nothing);

/// Every expert's version counts its logged changes, the last logged status
/// is the stored one, and every token's creation and revocation is logged
/// once.
fn assert_entries_match_state(s: &Server) {
    let admin = s.admin();
    let entries = dense_entries(&leaves(&admin, 1000));
    let mut by_expert: BTreeMap<String, Vec<&Entry>> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.kind.starts_with("expert.")) {
        let id = e.data["expert_id"].as_str().expect("expert_id");
        by_expert.entry(id.to_owned()).or_default().push(e);
    }
    let list = admin.get("/api/v1/experts?limit=200");
    assert_eq!(list.status, 200);
    let experts = list.json["items"].as_array().expect("items");
    assert_eq!(
        by_expert.len(),
        experts.len(),
        "experts without entries or vice versa"
    );
    for x in experts {
        let id = x["id"].as_str().expect("id");
        let logged = &by_expert[id];
        assert_eq!(logged[0].kind, "expert.apply", "{id}");
        assert_eq!(
            logged.iter().filter(|e| e.kind == "expert.apply").count(),
            1,
            "{id}"
        );
        let version = x["version"].as_i64().expect("version");
        assert_eq!(
            logged.len() as i64 - 1,
            version - 1,
            "{id}: changes after the application vs version"
        );
        let last_status = logged
            .iter()
            .rev()
            .find_map(|e| e.data.get("to").and_then(Value::as_str))
            .unwrap_or("applicant");
        assert_eq!(x["status"], last_status, "{id}");
    }

    let tokens = admin.get("/api/v1/tokens").json;
    let tokens = tokens.as_array().expect("tokens");
    let count = |kind: &str, id: &str| {
        entries
            .iter()
            .filter(|e| e.kind == kind && e.data["token_id"] == id)
            .count()
    };
    assert_eq!(
        entries.iter().filter(|e| e.kind == "token.create").count(),
        tokens.len()
    );
    for t in tokens {
        let id = t["id"].as_str().expect("id");
        assert_eq!(count("token.create", id), 1, "{id}");
        let revoked = usize::from(!t["revoked_at"].is_null());
        assert_eq!(count("token.revoke", id), revoked, "{id}");
    }
}

// --- the signing key ------------------------------------------------------------

/// Several `serve` processes started at once on a fresh key file (a
/// deployment with replicas) must all end up with the one key: none may read
/// a file another is still writing, and none may fail to start.
#[test]
fn processes_racing_to_create_the_key_share_it() {
    for round in 0..20 {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("keys").join("log-key.pem");
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(6));
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let path = path.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    draw_audit::keys::load_or_create_key_file(&path, ORIGIN)
                        .map(|(signer, created)| (signer.verifier_key_string(), created))
                        .map_err(|e| e.to_string())
                })
            })
            .collect();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect();
        let ok: Vec<&(String, bool)> = results
            .iter()
            .map(|r| {
                r.as_ref()
                    .unwrap_or_else(|e| panic!("round {round}: a process failed: {e}"))
            })
            .collect();
        assert_eq!(
            ok.iter().filter(|(_, created)| *created).count(),
            1,
            "round {round}: exactly one creates the key"
        );
        assert!(
            ok.iter().all(|(vkey, _)| *vkey == ok[0].0),
            "round {round}: different keys: {ok:?}"
        );
        assert_eq!(key_mode(&path), 0o600);
        let files: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("list key dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(files, ["log-key.pem"], "round {round}: stray files");
        // What is on disk is the key they all use.
        let (again, created) =
            draw_audit::keys::load_or_create_key_file(&path, ORIGIN).expect("load");
        assert!(!created);
        assert_eq!(again.verifier_key_string(), ok[0].0);
    }
}
