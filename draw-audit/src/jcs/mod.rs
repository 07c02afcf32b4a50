//! RFC 8785 canonical JSON (JCS) for this project's integer-only profile, and
//! a strict parser that admits exactly the JSON that profile allows, and a
//! one-pass check that bytes are already canonical (for log exports).

mod check;
mod encode;
mod parse;

pub(crate) use check::unescape;
pub use check::{
    CanonicalVisitor, Member, NotCanonical, check_canonical, check_canonical_visit,
    check_canonical_with,
};
pub use encode::{canonical, canonical_string, write_string};
pub use parse::{JsonProfileError, ProfileViolation, parse_strict};

/// Largest integer magnitude the profile admits, 2^53 − 1: beyond it a
/// JavaScript (or any IEEE double) verifier would silently round.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Why a value has no canonical form under this profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JcsError {
    #[error("number at {} is not an integer; this profile has integers only", show(.path))]
    NonInteger { path: String },
    #[error("integer at {} is outside ±(2^53−1)", show(.path))]
    OutOfRange { path: String },
    #[error("value at {} is nested deeper than {} levels", show(.path), encode::MAX_DEPTH)]
    TooDeep { path: String },
}

impl JcsError {
    /// JSON pointer of the offending value.
    pub fn path(&self) -> &str {
        match self {
            Self::NonInteger { path } | Self::OutOfRange { path } | Self::TooDeep { path } => path,
        }
    }

    fn path_mut(&mut self) -> &mut String {
        match self {
            Self::NonInteger { path } | Self::OutOfRange { path } | Self::TooDeep { path } => path,
        }
    }
}

/// One step of a JSON pointer (RFC 6901).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// Appends `/segment` to a JSON pointer, escaping `~` and `/` per RFC 6901.
fn push_segment(pointer: &mut String, segment: &Segment) {
    pointer.push('/');
    match segment {
        Segment::Index(i) => pointer.push_str(&i.to_string()),
        Segment::Key(k) => {
            for c in k.chars() {
                match c {
                    '~' => pointer.push_str("~0"),
                    '/' => pointer.push_str("~1"),
                    c => pointer.push(c),
                }
            }
        }
    }
}

fn pointer(segments: &[Segment]) -> String {
    let mut p = String::new();
    for s in segments {
        push_segment(&mut p, s);
    }
    p
}

/// The empty pointer names the whole document, which reads badly in a
/// message; say so in words instead.
fn show(path: &str) -> String {
    if path.is_empty() {
        "the top level".to_owned()
    } else {
        format!("{path:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let p = pointer(&[
            Segment::Key("a/b".into()),
            Segment::Index(3),
            Segment::Key("~x".into()),
        ]);
        assert_eq!(p, "/a~1b/3/~0x");
        assert_eq!(pointer(&[]), "");
    }
}
