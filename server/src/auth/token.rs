//! Random secrets and their stored form.
//!
//! A session ID is 256 bits from the operating system's CSPRNG, written as 43
//! base64url characters. The server stores only its SHA-256 ([`TokenHash`]),
//! so a copy of the database does not let anybody sign in, and a lookup by hash
//! needs no constant-time comparison of secrets.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

pub use crate::random::{new_id, new_token, TOKEN_BYTES, TOKEN_CHARS};

/// Whether `raw` has the shape of a token we issue. Anything else is refused
/// before it costs a store lookup.
pub fn is_well_formed(raw: &str) -> bool {
    raw.len() == TOKEN_CHARS
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && URL_SAFE_NO_PAD
            .decode(raw)
            .is_ok_and(|b| b.len() == TOKEN_BYTES)
}

/// The stored form of a token: SHA-256, base64url.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    /// Hashes a raw token.
    pub fn of(raw: &str) -> Self {
        TokenHash(URL_SAFE_NO_PAD.encode(Sha256::digest(raw.as_bytes())))
    }

    /// A hash read back from a store.
    pub(crate) fn from_stored(hash: String) -> Self {
        TokenHash(hash)
    }

    /// The text stored in the database.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A prefix is enough to tell hashes apart in logs.
        write!(f, "TokenHash({}…)", self.0.get(..8).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_tokens_are_refused() {
        let good = new_token();
        for bad in [
            String::new(),
            good[..42].to_string(),
            format!("{good}A"),
            good.replace(|_| true, "+").chars().take(43).collect(),
            format!("{}=", &good[..42]),
            "é".repeat(22),
        ] {
            assert!(!is_well_formed(&bad), "{bad:?}");
        }
    }

    #[test]
    fn hash_is_sha256_and_never_the_token() {
        let t = new_token();
        let h = TokenHash::of(&t);
        assert_eq!(h, TokenHash::of(&t));
        assert_ne!(h.as_str(), t);
        assert_eq!(h.as_str().len(), 43);
        // Known answer: SHA-256("abc").
        assert_eq!(
            TokenHash::of("abc").as_str(),
            "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"
        );
        assert!(!format!("{h:?}").contains(h.as_str()));
    }
}
