//! Key management and rollback protection, through the real binary: a key
//! rotation signs with both keys during the changeover and is logged; a
//! server refuses to start on a database restored from an old backup or
//! one whose log contradicts a checkpoint it signed.

use std::path::PathBuf;

use diesel::{Connection, RunQueryDsl};
use draw_audit::checkpoint::Checkpoint;
use draw_audit::note::{NoteError, NoteVerifier};
use expert_draw_tests::backend::postgres_admin_url;
use expert_draw_tests::{
    Backend, Server, TestDb, both_backends, cli, cli_ok, key_args, serve_refused,
};
use serde_json::json;

fn vkeys(server: &Server) -> Vec<NoteVerifier> {
    let r = server.anonymous().get("/api/v1/audit/vkey");
    assert_eq!(r.status, 200, "{}", r.text);
    r.text
        .lines()
        .map(|l| NoteVerifier::parse(l).expect("verifier key"))
        .collect()
}

fn checkpoint(server: &Server) -> String {
    let r = server.anonymous().get("/api/v1/audit/checkpoint");
    assert_eq!(r.status, 200, "{}", r.text);
    r.text
}

/// The keys (as verifiers) that signed `note`, each checked alone.
fn signed_by(note: &str, candidates: &[&NoteVerifier]) -> Vec<String> {
    candidates
        .iter()
        .filter(|v| opens(note, v))
        .map(|v| v.to_string())
        .collect()
}

fn signature_lines(note: &str) -> usize {
    note.lines().filter(|l| l.starts_with('\u{2014}')).count()
}

/// Any logged change, to move the head on.
fn write(server: &Server) {
    let r = server.admin().post(
        "/api/v1/tokens",
        &json!({"role": "supervisor", "label": "moves the head"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
}

/// `expert-api keys COMMAND [extra] --db … --key-file … --log-origin …`:
/// exit code, stdout, stderr.
fn keys(db: &TestDb, command: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "keys".to_owned(),
        command.to_owned(),
        "--db".into(),
        db.url.clone(),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args.extend(key_args(db));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    cli(&args)
}

fn keys_cli(db: &TestDb, command: &str) -> String {
    let (code, out, err) = keys(db, command, &[]);
    assert_eq!(code, 0, "keys {command}:\n{out}\n{err}");
    out
}

fn opens(note: &str, key: &NoteVerifier) -> bool {
    Checkpoint::open(note, std::slice::from_ref(key)).is_ok()
}

fn rotation_entries(server: &Server) -> Vec<serde_json::Value> {
    let r = server.admin().get("/api/v1/audit/entries?limit=10000");
    assert_eq!(r.status, 200, "{}", r.text);
    r.text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("leaf"))
        .filter(|e| e["kind"] == "log.key_rotation")
        .collect()
}

fn rotation(backend: Backend) {
    let server = Server::start(backend);
    let old = vkeys(&server);
    assert_eq!(old.len(), 1);
    let old = old[0].clone();
    write(&server);
    let before = checkpoint(&server);

    // Begin, from the command line, while the server runs.
    let out = keys_cli(&server.db, "begin-rotation");
    assert!(out.contains(&format!("old key: {old}")), "{out}");
    let both = vkeys(&server);
    assert_eq!(both.len(), 2, "during the changeover /vkey lists both keys");
    assert_eq!(both[0], old, "the old key first");
    let new = both[1].clone();
    assert_ne!(new.key_id(), old.key_id());
    assert!(out.contains(&format!("new key: {new}")), "{out}");
    // The checkpoint the command signed covers the rotation entry.
    let rotated = out
        .find("test.expert-draw.local/log\n")
        .map(|i| &out[i..])
        .expect("note");
    assert_eq!(signed_by(rotated, &[&old, &new]).len(), 2, "{rotated}");

    let entries = rotation_entries(&server);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["data"]["phase"], "begin");
    assert_eq!(entries[0]["data"]["old"], old.to_string());
    assert_eq!(entries[0]["data"]["new"], new.to_string());
    let (cp, _) = Checkpoint::open(rotated, std::slice::from_ref(&new)).expect("opens");
    assert_eq!(cp.size, entries[0]["seq"].as_u64().expect("seq") + 1);

    // The running server signs with both, and either key alone verifies.
    write(&server);
    let during = checkpoint(&server);
    assert_eq!(signature_lines(&during), 2, "{during}");
    assert_eq!(
        signed_by(&during, &[&old, &new]),
        vec![old.to_string(), new.to_string()]
    );
    let (opened, _) = Checkpoint::open(&during, &[old.clone(), new.clone()]).expect("opens");
    assert!(opened.size > cp.size);

    // Finish: the checkpoint ending with the finish entry is signed by
    // both; every later one by the new key alone.
    let out = keys_cli(&server.db, "finish-rotation");
    assert!(out.contains(&format!("retired key: {old}")), "{out}");
    let finished = checkpoint(&server);
    assert_eq!(signed_by(&finished, &[&old, &new]).len(), 2, "{finished}");
    write(&server);
    let after = checkpoint(&server);
    assert_eq!(signature_lines(&after), 1, "{after}");
    assert!(opens(&after, &new));
    assert!(matches!(
        Checkpoint::open(&after, std::slice::from_ref(&old)),
        Err(draw_audit::checkpoint::CheckpointError::Note(
            NoteError::NoVerifiedSignature { unverified: 1 }
        ))
    ));
    assert_eq!(vkeys(&server), vec![new.clone()]);
    let phases: Vec<_> = rotation_entries(&server)
        .iter()
        .map(|e| e["data"]["phase"].clone())
        .collect();
    assert_eq!(phases, vec![json!("begin"), json!("finish")]);
    // Checkpoints signed before the rotation still verify with the old key.
    assert!(opens(&before, &old));
    assert!(!opens(&before, &new));

    // A restart finds the new key at --next-key-file and signs with it.
    let db = server.stop();
    let server = Server::start_with(db, &[]);
    assert_eq!(vkeys(&server), vec![new.clone()]);
    let restarted = checkpoint(&server);
    assert_eq!(signed_by(&restarted, &[&old, &new]), vec![new.to_string()]);

    // With the next key file still holding the active key, a new rotation
    // is refused with what to do.
    let (code, _, err) = keys(&server.db, "begin-rotation", &[]);
    assert_ne!(code, 0);
    assert!(err.contains("holds the key that signs now"), "{err}");
}
both_backends!(key_rotation, rotation);

/// A copy of a test database taken while no server runs, restorable over it.
struct Backup {
    db: TestDb,
    copy: PathBuf,
    pg_name: Option<String>,
}

fn pg_admin() -> diesel::PgConnection {
    diesel::PgConnection::establish(&format!("{}/postgres", postgres_admin_url()))
        .expect("connect to PostgreSQL")
}

fn pg_name(db: &TestDb) -> String {
    db.url.rsplit('/').next().expect("database name").to_owned()
}

fn sqlite_path(db: &TestDb) -> PathBuf {
    PathBuf::from(db.url.strip_prefix("sqlite://").expect("sqlite url"))
}

impl Backup {
    fn take(db: &TestDb, label: &str) -> Backup {
        match db.backend {
            Backend::Sqlite => {
                // VACUUM INTO writes a consistent copy including the WAL.
                let copy = db.path(&format!("backup-{label}.db"));
                let mut conn = db.connect();
                diesel::sql_query(format!("VACUUM INTO '{}'", copy.display()))
                    .execute(&mut conn)
                    .expect("vacuum into");
                Backup {
                    db: db.clone(),
                    copy,
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let name = format!("{}_{label}", pg_name(db));
                diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {}", pg_name(db)))
                    .execute(&mut pg_admin())
                    .expect("copy database");
                Backup {
                    db: db.clone(),
                    copy: PathBuf::new(),
                    pg_name: Some(name),
                }
            }
        }
    }

    fn restore(&self) {
        match &self.pg_name {
            None => {
                let path = sqlite_path(&self.db);
                for suffix in ["-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
                std::fs::copy(&self.copy, &path).expect("restore the copy");
            }
            Some(name) => {
                let mut admin = pg_admin();
                let target = pg_name(&self.db);
                diesel::sql_query(format!("DROP DATABASE {target} WITH (FORCE)"))
                    .execute(&mut admin)
                    .expect("drop");
                diesel::sql_query(format!("CREATE DATABASE {target} TEMPLATE {name}"))
                    .execute(&mut admin)
                    .expect("restore the copy");
            }
        }
    }
}

impl Drop for Backup {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut pg_admin());
        }
    }
}

fn db_size(db: &TestDb) -> u64 {
    expert_api::store::audit::head(&mut db.connect())
        .expect("head")
        .size
}

/// Grow the log from the command line (which signs nothing) to `size`.
fn grow_to(db: &TestDb, size: u64) {
    while db_size(db) < size {
        cli_ok(&[
            "token",
            "create",
            "--role",
            "supervisor",
            "--label",
            "fork",
            "--db",
            &db.url,
        ]);
    }
}

fn restored_backup(backend: Backend) {
    let server = Server::start(backend);
    write(&server);
    let first = checkpoint(&server);
    let db = server.stop();
    let old = Backup::take(&db, "old");
    let old_size = db_size(&db);

    // A normal restart is fine; then more signed writes.
    let server = Server::start_with(db, &[]);
    for _ in 0..3 {
        write(&server);
    }
    let signed = checkpoint(&server);
    let (pinned, _) = Checkpoint::open(&signed, &vkeys(&server)).expect("opens");
    assert!(pinned.size >= old_size + 4);
    let db = server.stop();
    let state = db.path("last-signed-checkpoint.txt");
    assert_eq!(std::fs::read_to_string(&state).expect("state file"), signed);
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&state)
        .expect("state file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // The old backup is back: the server refuses, naming both sizes.
    old.restore();
    let (code, err) = serve_refused(&db, &[]);
    assert_ne!(code, 0);
    assert!(
        err.contains("the database is behind the last signed checkpoint"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "its log has {old_size} entries, but a checkpoint of {} entries",
            pinned.size
        )),
        "{err}"
    );
    // The keys commands refuse too (they sign).
    let (code, _, err) = keys(&db, "show", &[]);
    assert_ne!(code, 0);
    assert!(err.contains("behind"), "{err}");

    // Other entries up to the pinned size: same size, another root.
    grow_to(&db, pinned.size);
    let (code, err) = serve_refused(&db, &[]);
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!("at {} entries the database's root", pinned.size)),
        "{err}"
    );
    // Beyond it: the root at the pinned size is recomputed, and differs.
    grow_to(&db, pinned.size + 2);
    let (code, err) = serve_refused(&db, &[]);
    assert_ne!(code, 0);
    assert!(
        err.contains("contradicts the last signed checkpoint"),
        "{err}"
    );

    // Disaster recovery: acknowledged, logged, and the server starts.
    let reason = [
        "--reason",
        "incident 42: disk lost, restored the nightly backup",
    ];
    let (code, out, err) = keys(&db, "acknowledge-rollback", &reason);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("acknowledged"), "{out}");
    let server = Server::start_with(db, &[]);
    let r = server.admin().get("/api/v1/audit/entries?limit=10000");
    let ack: Vec<serde_json::Value> = r
        .text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("leaf"))
        .filter(|e| e["kind"] == "log.rollback_acknowledged")
        .collect();
    assert_eq!(ack.len(), 1);
    assert_eq!(ack[0]["data"]["pinned_size"], json!(pinned.size));
    assert_eq!(ack[0]["data"]["pinned_checkpoint"], json!(signed));
    // Checkpoints signed before the backup still verify.
    assert!(Checkpoint::open(&first, &vkeys(&server)).is_ok());
}
both_backends!(restored_backup_is_refused, restored_backup);

/// A log that grew since the pinned checkpoint starts when the stored tree
/// proves the head extends the pinned checkpoint (a consistency proof from
/// the stored nodes, O(log n)), and is refused when it does not.
fn grown_log(backend: Backend) {
    let server = Server::start(backend);
    write(&server);
    let db = server.stop();
    let pinned = db_size(&db);

    // Grown from the command line, which signs and pins nothing: it starts
    // (and pins the grown head).
    grow_to(&db, pinned + 5);
    let server = Server::start_with(db, &[]);
    let (cp, _) = Checkpoint::open(&checkpoint(&server), &vkeys(&server)).expect("opens");
    assert!(cp.size >= pinned + 5, "{} < {pinned} + 5", cp.size);
    let db = server.stop();
    let pinned = cp.size;

    // Grown again, and the stored head's root rewritten (its compact range
    // left alone, so the nodes are not rebuilt): the proof from the stored
    // nodes does not lead to it.
    grow_to(&db, pinned + 3);
    let grown = db_size(&db);
    diesel::sql_query(
        "UPDATE audit_head SET root = \
         (SELECT leaf_hash FROM audit_entries WHERE seq = 0) WHERE id = 1",
    )
    .execute(&mut db.connect())
    .expect("rewrite the root");
    let (code, err) = serve_refused(&db, &[]);
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!(
            "the stored tree nodes do not prove that the head ({} entries) extends the pinned \
             checkpoint ({} entries",
            grown, pinned
        )),
        "{err}"
    );
}
both_backends!(grown_log_must_extend_the_pin, grown_log);
