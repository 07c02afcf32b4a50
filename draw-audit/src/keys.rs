//! Ed25519 key material for the log signer: fresh keys from the OS CSPRNG,
//! PKCS#8 PEM encoding, and private key files that only their owner can read.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::spki::der::zeroize::Zeroizing;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};

use crate::note::{NoteError, NoteSigner};

/// Upper bound on a key file's size: a PEM Ed25519 key is about 120 bytes,
/// so anything far larger is not a key and is not read into memory.
const MAX_KEY_FILE_BYTES: u64 = 16 * 1024;

/// Why key material could not be made, read or stored.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the operating system's random number generator failed: {0}")]
    Random(getrandom::Error),
    #[error("not a PKCS#8 PEM Ed25519 private key: {0}")]
    Pkcs8(#[source] ed25519_dalek::pkcs8::Error),
    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "key file {} is accessible to group or others (mode {mode:03o}); \
         run `chmod 600 {}` and check who may have copied it",
        .path.display(), .path.display()
    )]
    InsecurePermissions { path: PathBuf, mode: u32 },
    #[error("key file {} is not a regular file", .path.display())]
    NotAFile { path: PathBuf },
    #[error("key file {} is too large to be a PEM key", .path.display())]
    TooLarge { path: PathBuf },
    #[error(transparent)]
    Note(#[from] NoteError),
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> KeyError {
    let path = path.to_path_buf();
    move |source| KeyError::Io {
        action,
        path,
        source,
    }
}

/// A fresh signing key from the operating system's CSPRNG.
pub fn generate_signing_key() -> Result<SigningKey, KeyError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).map_err(KeyError::Random)?;
    Ok(SigningKey::from_bytes(&seed))
}

/// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), wiped from memory on drop.
pub fn signing_key_to_pem(key: &SigningKey) -> Result<Zeroizing<String>, KeyError> {
    key.to_pkcs8_pem(LineEnding::LF).map_err(KeyError::Pkcs8)
}

/// Reads a PKCS#8 PEM Ed25519 private key (as OpenSSL's `genpkey -algorithm
/// ed25519` writes it). An embedded public key must match the private one.
pub fn signing_key_from_pem(pem: &str) -> Result<SigningKey, KeyError> {
    SigningKey::from_pkcs8_pem(pem).map_err(KeyError::Pkcs8)
}

/// Loads the signer named `name` from a PEM key file, refusing files that
/// group or others can access.
pub fn load_key_file(path: &Path, name: &str) -> Result<NoteSigner, KeyError> {
    let file = File::open(path).map_err(io_error("open key file", path))?;
    // Check the file we opened, not the path, so a swap in between is moot.
    let meta = file
        .metadata()
        .map_err(io_error("inspect key file", path))?;
    if !meta.is_file() {
        return Err(KeyError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::InsecurePermissions {
            path: path.to_path_buf(),
            mode,
        });
    }
    if meta.len() > MAX_KEY_FILE_BYTES {
        return Err(KeyError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let mut pem = Zeroizing::new(String::new());
    file.take(MAX_KEY_FILE_BYTES)
        .read_to_string(&mut pem)
        .map_err(io_error("read key file", path))?;
    let key = signing_key_from_pem(&pem)?;
    Ok(NoteSigner::new(name, key)?)
}

/// Loads the key file at `path`, or creates it with a fresh key (mode 0600,
/// parent directories 0700) when there is none. Returns the signer and
/// whether the key was created. Never overwrites an existing file.
pub fn load_or_create_key_file(path: &Path, name: &str) -> Result<(NoteSigner, bool), KeyError> {
    if path
        .try_exists()
        .map_err(io_error("look for key file", path))?
    {
        return Ok((load_key_file(path, name)?, false));
    }
    // Everything that can fail without touching the disk goes first.
    let signer = NoteSigner::new(name, generate_signing_key()?)?;
    let pem = signing_key_to_pem(signer.signing_key())?;

    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io_error("create key directory", dir))?;
    }
    // Write the key under a temporary name and publish it with a hard link,
    // which refuses to replace an existing file: another process that starts
    // at the same moment sees either no key file or a complete one, never
    // one still being written.
    let tmp = temporary_sibling(path)?;
    let written = write_new_private_file(&tmp, pem.as_bytes());
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error("write key file", &tmp)(e));
    }
    let published = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match published {
        Ok(()) => {}
        // Another process published its key since we looked: use theirs.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            return Ok((load_key_file(path, name)?, false));
        }
        Err(e) => return Err(io_error("create key file", path)(e)),
    }
    // Make the new directory entry durable too, so a crash cannot lose a
    // key whose checkpoints were already published.
    if let Some(dir) = parent {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io_error("sync key directory", dir))?;
    }
    Ok((signer, true))
}

/// A fresh name beside `path` for writing a file before it is published.
fn temporary_sibling(path: &Path) -> Result<PathBuf, KeyError> {
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(KeyError::Random)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let suffix: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
    Ok(path.with_file_name(format!(".{name}.{suffix}.tmp")))
}

/// Creates `path`, which must not exist yet, readable by its owner only
/// (0600), writes `bytes` and syncs them to disk. Callers publish the file
/// by renaming or linking it once this returns.
pub fn write_new_private_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
}
