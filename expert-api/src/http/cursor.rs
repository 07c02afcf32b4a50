//! Opaque page cursors: `base64url(prefix + payload)`, where the prefix
//! names the list and its version (`e1:` experts, `a1:` awards, `c1:` cases,
//! `p1:` public penalties). Each list parses its own payload; anything that
//! is not a cursor of that list is one refusal, naming the `cursor` field.

use base64::Engine;

use super::problem::ApiError;

/// The cursor of `payload` in the list of `prefix`.
pub fn encode(prefix: &str, payload: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{prefix}{payload}"))
}

/// The payload of `cursor` if it belongs to the list of `prefix`.
pub fn decode(prefix: &str, cursor: &str) -> Result<String, ApiError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix(prefix)
        .map(str::to_owned)
        .ok_or_else(invalid)
}

/// The refusal of a cursor this API did not return.
pub fn invalid() -> ApiError {
    ApiError::bad_request(
        "cursor",
        "invalid_cursor",
        "the cursor is not one this API returned",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strangers() {
        let c = encode("e1:", "E0000042");
        assert_eq!(decode("e1:", &c).unwrap(), "E0000042");
        assert!(decode("a1:", &c).is_err());
        assert!(decode("e1:", "not base64!").is_err());
        assert!(decode("e1:", &encode("", "\u{0}")).is_err());
    }
}
