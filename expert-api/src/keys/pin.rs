//! Rollback protection: the last checkpoint this process (or another on
//! the same host) signed, kept in a file outside the database, and the
//! checks that no checkpoint signed later contradicts it.
//!
//! The file holds exactly one signed checkpoint note. It is written only
//! for heads that are committed (after the commit, before the checkpoint
//! is handed out), so a failed commit can never leave it ahead of the
//! database, and it only moves forward. Several processes may share it:
//! each write re-reads it under an exclusive lock of `<file>.lock`.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use draw_audit::checkpoint::Checkpoint;
use draw_audit::merkle::{self, Hash};

use crate::db::DbConn;
use crate::store::StoreError;
use crate::store::audit::{self, TreeHead};

/// A signed checkpoint the database must never fall behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    pub size: u64,
    pub root: Hash,
    /// The signed note itself: evidence, and checkable with `draw-audit`.
    pub note: String,
}

/// Why a head contradicts the pinned checkpoint, or the file failed.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error(
        "the database is behind the last signed checkpoint: its log has {db_size} entries, \
         but a checkpoint of {pinned_size} entries was signed (pinned in {}). \
         Was the database restored from an old backup? Restore the newest backup; \
         see README \"Rollback protection\" for disaster recovery",
        .path.display()
    )]
    Behind {
        db_size: u64,
        pinned_size: u64,
        path: PathBuf,
    },
    #[error(
        "the log contradicts the last signed checkpoint: at {size} entries the database's root \
         is {db_root}, but the checkpoint signed at {size} entries has root {pinned_root} \
         (pinned in {}). The log was rewritten or restored from another copy",
        .path.display()
    )]
    Fork {
        size: u64,
        db_root: String,
        pinned_root: String,
        path: PathBuf,
    },
    #[error("{} does not hold a signed checkpoint of {origin}: {reason}", .path.display())]
    Malformed {
        path: PathBuf,
        origin: String,
        reason: String,
    },
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<PinError> for StoreError {
    fn from(e: PinError) -> Self {
        match e {
            PinError::Store(e) => e,
            other => StoreError::Signing(other.to_string()),
        }
    }
}

/// The pinned checkpoint of one log, in memory and in its file.
#[derive(Debug)]
pub struct Pin {
    path: PathBuf,
    origin: String,
    last: Mutex<Option<Pinned>>,
}

impl Pin {
    /// Reads the file at `path` (none yet: nothing pinned).
    pub fn open(path: &Path, origin: &str) -> Result<Pin, PinError> {
        let pin = Pin {
            path: path.to_path_buf(),
            origin: origin.to_owned(),
            last: Mutex::new(None),
        };
        let read = pin.read_file()?;
        *pin.lock() = read;
        Ok(pin)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The pinned checkpoint; holding the guard keeps others from pinning.
    pub fn lock(&self) -> MutexGuard<'_, Option<Pinned>> {
        self.last.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Refuses a head smaller than the pinned one, or of the same size with
    /// another root: signing it would contradict a checkpoint already
    /// handed out.
    pub fn check(&self, pinned: &Option<Pinned>, head: &TreeHead) -> Result<(), PinError> {
        let Some(p) = pinned else { return Ok(()) };
        if head.size < p.size {
            return Err(PinError::Behind {
                db_size: head.size,
                pinned_size: p.size,
                path: self.path.clone(),
            });
        }
        if head.size == p.size && head.root != p.root {
            return Err(self.fork(p, &head.root));
        }
        Ok(())
    }

    /// Whether `pinned` is at least as large as `head`; the same size with
    /// another root is a fork.
    fn covers(&self, pinned: &Option<Pinned>, head: &TreeHead) -> Result<bool, PinError> {
        match pinned {
            Some(p) if p.size == head.size && p.root != head.root => Err(self.fork(p, &head.root)),
            Some(p) => Ok(p.size >= head.size),
            None => Ok(false),
        }
    }

    fn fork(&self, p: &Pinned, db_root: &Hash) -> PinError {
        PinError::Fork {
            size: p.size,
            db_root: STANDARD.encode(db_root),
            pinned_root: STANDARD.encode(p.root),
            path: self.path.clone(),
        }
    }

    /// The start-up check: the database's log must hold the pinned
    /// checkpoint's entries unchanged. When it has grown since, the
    /// consistency proof from the pinned size to the head, served from the
    /// stored tree nodes (O(log n) hashes, one statement), must lead from the
    /// pinned root to the stored head's root: then every checkpoint signed
    /// from here on extends the pinned one. (That the stored leaf hashes
    /// and bytes give those nodes is `expert-api audit check`'s job, O(n).)
    pub fn check_database(&self, conn: &mut DbConn) -> Result<(), PinError> {
        let pinned = self.lock().clone();
        let Some(p) = pinned else { return Ok(()) };
        let head = audit::head(conn)?;
        self.check(&Some(p.clone()), &head)?;
        if head.size == p.size {
            return Ok(());
        }
        if p.size == 0 {
            // Every log extends the empty tree, whose root is fixed.
            return match p.root == merkle::empty_root() {
                true => Ok(()),
                false => Err(self.fork(&p, &merkle::empty_root())),
            };
        }
        let c = audit::consistency(conn, p.size, head.size)?;
        if c.old_root != p.root {
            return Err(self.fork(&p, &c.old_root));
        }
        let extends = c.new_root == head.root
            && merkle::verify_consistency(p.size, head.size, &c.proof, &p.root, &head.root).is_ok();
        if !extends {
            return Err(PinError::Store(StoreError::Corrupt(format!(
                "the stored tree nodes do not prove that the head ({} entries) extends the \
                 pinned checkpoint ({} entries, pinned in {}); run `expert-api audit check`",
                head.size,
                p.size,
                self.path.display()
            ))));
        }
        Ok(())
    }

    /// Pins a committed head signed as `note`, unless a larger one is
    /// pinned already (a later commit's checkpoint may be pinned first; the
    /// earlier head is committed, so that is no rollback). Written
    /// atomically and durably before it returns.
    pub fn record(
        &self,
        pinned: &mut Option<Pinned>,
        head: &TreeHead,
        note: &str,
    ) -> Result<(), PinError> {
        if self.covers(pinned, head)? {
            return Ok(());
        }
        let lock = self.lock_file()?;
        // Another process sharing the file may have pinned more since.
        let on_disk = self.read_file()?;
        match on_disk {
            Some(p) if self.covers(&Some(p.clone()), head)? => *pinned = Some(p),
            _ => {
                self.write_file(note)?;
                *pinned = Some(Pinned {
                    size: head.size,
                    root: head.root,
                    note: note.to_owned(),
                });
            }
        }
        drop(lock);
        Ok(())
    }

    /// Forgets the pinned checkpoint: disaster recovery only. The old file
    /// is kept beside as `<file>.superseded-<size>` for the record.
    pub fn supersede(&self) -> Result<Option<PathBuf>, PinError> {
        let mut pinned = self.lock();
        let _lock = self.lock_file()?;
        let Some(p) = self.read_file()? else {
            *pinned = None;
            return Ok(None);
        };
        let kept = self.sibling(&format!("superseded-{}", p.size));
        std::fs::rename(&self.path, &kept).map_err(self.io("set aside"))?;
        self.sync_dir()?;
        *pinned = None;
        Ok(Some(kept))
    }

    fn read_file(&self) -> Result<Option<Pinned>, PinError> {
        let note = match std::fs::read_to_string(&self.path) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io("read")(e)),
        };
        let malformed = |reason: String| PinError::Malformed {
            path: self.path.clone(),
            origin: self.origin.clone(),
            reason,
        };
        // The note's text ends where its signature block begins.
        let text = note
            .rfind("\n\n")
            .and_then(|i| note.get(..=i))
            .ok_or_else(|| malformed("no signature block".into()))?;
        let cp = Checkpoint::parse(text).map_err(|e| malformed(e.to_string()))?;
        if cp.origin != self.origin {
            return Err(malformed(format!("its origin is {:?}", cp.origin)));
        }
        Ok(Some(Pinned {
            size: cp.size,
            root: cp.root,
            note,
        }))
    }

    /// Temporary file, fsync, rename over the old one, fsync the directory:
    /// after a crash the file holds the old checkpoint or the new one.
    fn write_file(&self, note: &str) -> Result<(), PinError> {
        let nonce = crate::auth::random_bytes::<8>()
            .map_err(|e| self.io("write")(io::Error::other(e.to_string())))?;
        let tmp = self.sibling(&format!("{}.tmp", hex::encode(nonce)));
        let written = draw_audit::keys::write_new_private_file(&tmp, note.as_bytes())
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(self.io("write")(e));
        }
        self.sync_dir()
    }

    fn lock_file(&self) -> Result<File, PinError> {
        let path = self.sibling("lock");
        if let Some(dir) = self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(self.io("create the directory of"))?;
        }
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(self.io("open the lock file of"))?;
        file.lock().map_err(self.io("lock"))?;
        Ok(file)
    }

    fn sync_dir(&self) -> Result<(), PinError> {
        match self.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(dir) => File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(self.io("sync the directory of")),
            None => Ok(()),
        }
    }

    fn sibling(&self, suffix: &str) -> PathBuf {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".{suffix}"));
        self.path.with_file_name(name)
    }

    fn io(&self, action: &'static str) -> impl FnOnce(io::Error) -> PinError + '_ {
        move |source| PinError::Io {
            action,
            path: self.path.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use draw_audit::note::NoteSigner;
    use ed25519_dalek::SigningKey;

    const ORIGIN: &str = "test.example/log";

    fn signed(size: u64, root: Hash) -> (TreeHead, String) {
        let key = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[7; 32])).unwrap();
        let note = Checkpoint::new(ORIGIN, size, root).sign(&[&key]).unwrap();
        (TreeHead { size, root }, note)
    }

    #[test]
    fn pins_only_forward_and_refuses_contradictions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state").join("pin.txt");
        let pin = Pin::open(&path, ORIGIN).unwrap();
        assert!(pin.lock().is_none());

        let (h5, n5) = signed(5, [5; 32]);
        pin.record(&mut pin.lock(), &h5, &n5).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), n5);
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        // A later commit pinned first, then the earlier one: no change.
        let (h9, n9) = signed(9, [9; 32]);
        pin.record(&mut pin.lock(), &h9, &n9).unwrap();
        pin.record(&mut pin.lock(), &h5, &n5).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), n9);

        // Signing checks: behind, or the same size with another root.
        assert!(matches!(
            pin.check(&pin.lock(), &h5),
            Err(PinError::Behind {
                db_size: 5,
                pinned_size: 9,
                ..
            })
        ));
        let (other9, n_other9) = signed(9, [1; 32]);
        assert!(matches!(
            pin.check(&pin.lock(), &other9),
            Err(PinError::Fork { size: 9, .. })
        ));
        assert!(matches!(
            pin.record(&mut pin.lock(), &other9, &n_other9),
            Err(PinError::Fork { .. })
        ));
        pin.check(&pin.lock(), &h9).unwrap();

        // Another process sharing the file pinned more: a record re-reads it.
        let other = Pin::open(&path, ORIGIN).unwrap();
        let (h12, n12) = signed(12, [12; 32]);
        other.record(&mut other.lock(), &h12, &n12).unwrap();
        let (h10, n10) = signed(10, [10; 32]);
        pin.record(&mut pin.lock(), &h10, &n10).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), n12);
        assert_eq!(pin.lock().as_ref().map(|p| p.size), Some(12));

        // A reopened pin reads the file; another log's file is refused.
        assert_eq!(
            Pin::open(&path, ORIGIN)
                .unwrap()
                .lock()
                .clone()
                .unwrap()
                .size,
            12
        );
        assert!(matches!(
            Pin::open(&path, "other.example/log"),
            Err(PinError::Malformed { .. })
        ));

        // Disaster recovery sets the file aside.
        let kept = pin.supersede().unwrap().unwrap();
        assert!(kept.ends_with("pin.txt.superseded-12"));
        assert!(!path.exists());
        assert!(pin.lock().is_none());
    }
}
