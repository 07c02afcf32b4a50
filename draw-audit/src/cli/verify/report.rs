//! The verdict of `draw-audit verify` from a pass's summary and the two
//! checkpoints, and the report in text or JSON.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use draw_audit::checkpoint::Checkpoint;
use draw_audit::verify::ExportSummary;
use serde_json::{Value, json};

use super::{SignedCheckpoint, Verdict};

/// What was found, and what the state directory did about it.
#[derive(Debug)]
pub(super) struct Judged {
    pub verdict: Verdict,
    /// Why the log is invalid (exit 1), first problem first.
    pub problems: Vec<String>,
    /// Why the log contradicts the pinned checkpoint (exit 3).
    pub conflict: Option<String>,
    /// Evidence files written into the state directory.
    pub evidence: Vec<PathBuf>,
    /// The checkpoint pinned after this run, when it changed.
    pub newly_pinned: Option<(u64, String)>,
}

impl Judged {
    /// One line for standard error.
    pub fn headline(&self) -> String {
        let kind = match self.verdict {
            Verdict::Verified => "VERIFIED",
            Verdict::Invalid => "INVALID",
            Verdict::Fork => "FORK",
            Verdict::Rollback => "ROLLBACK",
        };
        let why = self
            .conflict
            .iter()
            .chain(&self.problems)
            .next()
            .map_or(String::new(), |w| format!(": {w}"));
        format!("{kind}{why}")
    }
}

fn b64(h: &[u8]) -> String {
    STANDARD.encode(h)
}

/// Compares the pass with the presented and the pinned checkpoints.
pub(super) fn judge(
    s: &ExportSummary,
    presented: Option<&SignedCheckpoint>,
    pinned: Option<&SignedCheckpoint>,
) -> Judged {
    let mut problems = Vec::new();
    if let Some(fault) = &s.first_error {
        problems.push(fault.to_string());
    }
    if let Some(c) = presented.map(SignedCheckpoint::checkpoint) {
        match prefix_root(s, c) {
            Err(()) => problems.push(format!(
                "incomplete export: the checkpoint covers {} entries, the export has {}",
                c.size, s.size
            )),
            Ok(false) => problems.push(format!(
                "the root of the export's first {} entries differs from the signed checkpoint's",
                c.size
            )),
            Ok(true) => {}
        }
    }
    let mut verdict = if problems.is_empty() {
        Verdict::Verified
    } else {
        Verdict::Invalid
    };
    let mut conflict = None;
    if let Some(p) = pinned.map(SignedCheckpoint::checkpoint)
        && let Some((kind, why)) = against_pinned(s, presented.map(SignedCheckpoint::checkpoint), p)
    {
        verdict = kind;
        conflict = Some(why);
    }
    Judged {
        verdict,
        problems,
        conflict,
        evidence: Vec::new(),
        newly_pinned: None,
    }
}

/// `Err` when the checkpoint is larger than the export; else whether the
/// export's prefix of its size has its root.
fn prefix_root(s: &ExportSummary, c: &Checkpoint) -> Result<bool, ()> {
    if c.size > s.size {
        return Err(());
    }
    Ok(s.roots.get(&c.size) == Some(&c.root))
}

/// ROLLBACK: a tree smaller than the pinned one. FORK: the same size with
/// another root, or an export that does not extend the pinned tree.
fn against_pinned(
    s: &ExportSummary,
    presented: Option<&Checkpoint>,
    pinned: &Checkpoint,
) -> Option<(Verdict, String)> {
    if let Some(c) = presented {
        if c.size < pinned.size {
            return Some((
                Verdict::Rollback,
                format!(
                    "the checkpoint's tree has {} entries, the pinned one already {}",
                    c.size, pinned.size
                ),
            ));
        }
        if c.size == pinned.size && c.root != pinned.root {
            return Some((
                Verdict::Fork,
                format!(
                    "two signed checkpoints of size {} with different roots",
                    c.size
                ),
            ));
        }
    }
    if s.size < pinned.size {
        return Some((
            Verdict::Rollback,
            format!(
                "the export has {} entries, the pinned checkpoint already {}",
                s.size, pinned.size
            ),
        ));
    }
    if s.roots.get(&pinned.size) != Some(&pinned.root) {
        return Some((
            Verdict::Fork,
            format!(
                "the export's first {} entries do not hash to the pinned checkpoint's root: \
                 this log is not an extension of the one verified before",
                pinned.size
            ),
        ));
    }
    None
}

fn checkpoint_json(c: Option<&SignedCheckpoint>) -> Value {
    c.map_or(Value::Null, |c| {
        let cp = c.checkpoint();
        json!({
            "origin": cp.origin,
            "size": cp.size,
            "root": b64(&cp.root),
            "signed_by": c.verified.signed_by,
        })
    })
}

pub(super) fn json(
    s: &ExportSummary,
    j: &Judged,
    presented: Option<&SignedCheckpoint>,
    pinned: Option<&SignedCheckpoint>,
) -> String {
    let verdict = match j.verdict {
        Verdict::Verified => "verified",
        Verdict::Invalid => "invalid",
        Verdict::Fork => "fork",
        Verdict::Rollback => "rollback",
    };
    let report = json!({
        "verdict": verdict,
        "entries": s.size,
        "bytes": s.bytes,
        "size": s.size,
        "root": b64(&s.root),
        "draws_replayed": s.draws_replayed,
        "substitutions_checked": s.substitutions_checked,
        "abandoned": s.abandoned.iter()
            .map(|a| json!({"draw_id": a.draw_id, "seq": a.seq}))
            .collect::<Vec<_>>(),
        "key_rotations": s.key_rotations.iter()
            .map(|k| json!({"seq": k.seq, "data": k.data}))
            .collect::<Vec<_>>(),
        "first_error": s.first_error.as_ref().map_or(Value::Null, |f| json!({
            "line": f.line,
            "seq": f.seq,
            "reason": f.reason,
        })),
        "problems": j.problems,
        "checkpoint": checkpoint_json(presented),
        "pinned": checkpoint_json(pinned),
        "conflict": j.conflict,
        "evidence": j.evidence.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "newly_pinned": j.newly_pinned.as_ref().map(|(size, root)| json!({"size": size, "root": root})),
    });
    format!("{report}\n")
}

pub(super) fn text(
    s: &ExportSummary,
    j: &Judged,
    presented: Option<&SignedCheckpoint>,
    pinned: Option<&SignedCheckpoint>,
) -> String {
    let mut out = Vec::new();
    out.push(format!("entries: {} ({} bytes)", s.size, s.bytes));
    out.push(format!("root: {}", b64(&s.root)));
    for (label, c) in [("checkpoint", presented), ("pinned", pinned)] {
        if let Some(c) = c {
            let cp = c.checkpoint();
            out.push(format!(
                "{label}: {} size {} root {} signed by {}",
                cp.origin,
                cp.size,
                b64(&cp.root),
                c.verified.signed_by.join(", ")
            ));
        }
    }
    out.push(format!("draws replayed: {}", s.draws_replayed));
    out.push(format!(
        "substitutions checked: {}",
        s.substitutions_checked
    ));
    out.push(format!("abandoned draws: {}", s.abandoned.len()));
    for a in &s.abandoned {
        out.push(format!("  {} (draw.commit at seq {})", a.draw_id, a.seq));
    }
    for k in &s.key_rotations {
        out.push(format!("key rotation at seq {}: {}", k.seq, k.data));
    }
    if let Some(why) = &j.conflict {
        out.push(format!("conflict with the pinned checkpoint: {why}"));
    }
    for p in &j.evidence {
        out.push(format!("evidence written: {}", p.display()));
    }
    if let Some((size, root)) = &j.newly_pinned {
        out.push(format!("pinned: size {size} root {root}"));
    }
    if let Some(f) = &s.first_error {
        out.push(format!("first bad entry: {f}"));
    }
    for p in j.problems.iter().skip(usize::from(s.first_error.is_some())) {
        out.push(format!("problem: {p}"));
    }
    out.push(format!("result: {}", j.headline()));
    let mut text = out.join("\n");
    text.push('\n');
    text
}
