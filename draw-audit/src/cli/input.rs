//! Reading the command's input files, with `-` for standard input, into
//! memory with messages that name the file.

use std::io::Read as _;
use std::path::Path;

use anyhow::Context as _;

/// `-` names standard input, as in most Unix tools.
fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// What to call `path` in messages.
pub(super) fn describe(path: &Path) -> String {
    if is_stdin(path) {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    }
}

/// The bytes of `path` (or of standard input for `-`).
pub(super) fn read_bytes(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if is_stdin(path) {
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
    } else {
        bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(bytes)
}

/// The text of `path`, which must be UTF-8.
pub(super) fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            describe(path),
            e.utf8_error().valid_up_to()
        )
    })
}

/// A buffered reader over `path` (or standard input for `-`), for files
/// read line by line without holding them in memory.
pub(super) fn open_lines(path: &Path) -> anyhow::Result<Box<dyn std::io::BufRead>> {
    if is_stdin(path) {
        return Ok(Box::new(std::io::BufReader::new(std::io::stdin())));
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, file)))
}
