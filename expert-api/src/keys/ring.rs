//! The key ring: which keys sign a checkpoint (read from the log's
//! rotation entries at every signing, so a running server follows a
//! rotation made from the command line), the signers that hold them, and
//! signing that never contradicts the pinned checkpoint.

use std::path::PathBuf;
use std::sync::{Arc, PoisonError, RwLock};

use draw_audit::checkpoint::Checkpoint;
use draw_audit::note::LogSigner;

use super::pin::Pin;
use crate::db::DbConn;
use crate::store::audit::{self, AuditTx, TreeHead};
use crate::store::{StoreError, keys};

/// A signer with its verifier key string, the name the log uses for it.
#[derive(Clone)]
struct Held {
    vkey: String,
    signer: Arc<dyn LogSigner>,
}

/// The log's signing keys and its pinned checkpoint.
pub struct KeyRing {
    origin: String,
    /// Signs while the log names no key (no rotation yet): `--key-file`.
    default: Option<String>,
    held: RwLock<Vec<Held>>,
    /// Key files read again when the log names a key not held yet.
    files: Vec<PathBuf>,
    pin: Arc<Pin>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("origin", &self.origin)
            .field("default", &self.default)
            .field("pin", &self.pin.path())
            .finish_non_exhaustive()
    }
}

impl KeyRing {
    /// A ring over `signers` (a hardware module would be one of them).
    /// `default` signs until the log's first rotation; `files` are PEM key
    /// files searched again for a key the log names later.
    pub fn new(
        origin: &str,
        default: Option<Arc<dyn LogSigner>>,
        signers: Vec<Arc<dyn LogSigner>>,
        files: Vec<PathBuf>,
        pin: Pin,
    ) -> Result<KeyRing, StoreError> {
        let ring = KeyRing {
            origin: origin.to_owned(),
            default: None,
            held: RwLock::new(Vec::new()),
            files,
            pin: Arc::new(pin),
        };
        let default = default.map(|s| ring.hold(s)).transpose()?;
        for s in signers {
            ring.hold(s)?;
        }
        Ok(KeyRing { default, ..ring })
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn pin(&self) -> &Pin {
        &self.pin
    }

    fn hold(&self, signer: Arc<dyn LogSigner>) -> Result<String, StoreError> {
        let vkey = signer
            .verifier()
            .map_err(|e| StoreError::Signing(e.to_string()))?
            .to_string();
        let mut held = self.held.write().unwrap_or_else(PoisonError::into_inner);
        if !held.iter().any(|h| h.vkey == vkey) {
            held.push(Held {
                vkey: vkey.clone(),
                signer,
            });
        }
        Ok(vkey)
    }

    fn find(&self, vkey: &str) -> Option<Arc<dyn LogSigner>> {
        let held = self.held.read().unwrap_or_else(PoisonError::into_inner);
        held.iter()
            .find(|h| h.vkey == vkey)
            .map(|h| h.signer.clone())
    }

    /// The verifier keys that sign a checkpoint of `size` entries.
    pub fn vkeys_at(&self, conn: &mut DbConn, size: u64) -> Result<Vec<String>, StoreError> {
        match keys::rotation_at(conn, size)? {
            Some(rotation) => Ok(rotation.signers_at(size)),
            None => {
                self.default.clone().map(|v| vec![v]).ok_or_else(|| {
                    StoreError::Signing("no signing key: --key-file holds none".into())
                })
            }
        }
    }

    /// The signers of those keys; a key file put in place since start (the
    /// next key of a rotation) is read now. For notes other than
    /// checkpoints (receipts): `draw_audit::note::sign_note(text, &refs)`.
    pub fn signers_at(
        &self,
        conn: &mut DbConn,
        size: u64,
    ) -> Result<Vec<Arc<dyn LogSigner>>, StoreError> {
        let wanted = self.vkeys_at(conn, size)?;
        if wanted.iter().any(|v| self.find(v).is_none()) {
            self.reload();
        }
        wanted
            .iter()
            .map(|v| {
                self.find(v).ok_or_else(|| {
                    StoreError::Signing(format!(
                        "the log names signing key {v}, but none of the key files {} holds it",
                        self.files_list()
                    ))
                })
            })
            .collect()
    }

    fn reload(&self) {
        for path in &self.files {
            match draw_audit::keys::load_key_file(path, &self.origin) {
                Ok(s) => {
                    if let Err(e) = self.hold(Arc::new(s)) {
                        tracing::warn!(path = %path.display(), error = %e, "key file skipped");
                    }
                }
                Err(e) => tracing::debug!(path = %path.display(), error = %e, "no key read"),
            }
        }
    }

    fn files_list(&self) -> String {
        let names: Vec<String> = self.files.iter().map(|p| p.display().to_string()).collect();
        names.join(", ")
    }

    fn sign(&self, conn: &mut DbConn, head: &TreeHead) -> Result<String, StoreError> {
        let signers = self.signers_at(conn, head.size)?;
        let refs: Vec<&dyn LogSigner> = signers.iter().map(AsRef::as_ref).collect();
        Checkpoint::new(self.origin.clone(), head.size, head.root)
            .sign(&refs)
            .map_err(|e| StoreError::Signing(e.to_string()))
    }

    /// Signs the committed head and pins it before returning the note.
    pub fn sign_committed(&self, conn: &mut DbConn) -> Result<(String, TreeHead), StoreError> {
        // Read the head while holding the pin, so a head pinned meanwhile
        // by a commit in this process cannot look like a rollback.
        let mut pinned = self.pin.lock();
        let head = audit::head(conn)?;
        self.pin.check(&pinned, &head)?;
        let note = self.sign(conn, &head)?;
        self.pin.record(&mut pinned, &head, &note)?;
        Ok((note, head))
    }

    /// Signs a committed head read earlier (`head` as just read with its
    /// proof) and pins it. A later head pinned meanwhile is no rollback
    /// when the log still holds it and `head` is its prefix (both roots
    /// recomputed from the stored tree); then `head` is signed, not pinned.
    pub fn sign_committed_head(
        &self,
        conn: &mut DbConn,
        head: &TreeHead,
    ) -> Result<String, StoreError> {
        let mut pinned = self.pin.lock();
        if let Some(p) = pinned.as_ref().filter(|p| p.size > head.size) {
            let current = audit::head(conn)?;
            let prefix = current.size >= p.size
                && audit::root_at(conn, p.size)? == p.root
                && audit::root_at(conn, head.size)? == head.root;
            if !prefix {
                return Err(self.pin.check(&pinned, head).err().map_or_else(
                    || StoreError::Signing("the head is not in the log".into()),
                    StoreError::from,
                ));
            }
            return self.sign(conn, head);
        }
        self.pin.check(&pinned, head)?;
        let note = self.sign(conn, head)?;
        self.pin.record(&mut pinned, head, &note)?;
        Ok(note)
    }

    /// Signs the head of a transaction that has not committed yet. The
    /// checkpoint is pinned after the commit, before `audit::write`
    /// returns: a failed commit leaves the pin untouched, and a pin that
    /// cannot be written makes the write fail, so the note is never handed
    /// out unpinned.
    pub fn sign_in_tx(&self, tx: &mut AuditTx<'_>) -> Result<String, StoreError> {
        let head = tx.head();
        self.pin.check(&self.pin.lock(), &head)?;
        let note = self.sign(tx.conn, &head)?;
        let pin = self.pin.clone();
        let pinned_note = note.clone();
        tx.after_commit(Box::new(move || {
            pin.record(&mut pin.lock(), &head, &pinned_note)
                .map_err(StoreError::from)
        }));
        Ok(note)
    }
}
