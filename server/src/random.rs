//! Random identifiers and secrets from the operating system's CSPRNG.
//!
//! The base of the crate: row ids, session IDs, refresh tokens, nonces and
//! test names all come from here, so every module can make one without
//! depending on the authentication code that gives secrets their meaning.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Random bytes in a secret token.
pub const TOKEN_BYTES: usize = 32;
/// Length of a token in base64url without padding.
pub const TOKEN_CHARS: usize = 43;

/// A fresh secret (256 bits, 43 base64url characters). Panics only if the OS
/// has no entropy source, which no server can run without.
pub fn new_token() -> String {
    random_base64(TOKEN_BYTES)
}

/// A fresh random identifier for rows (128 bits, 22 base64url characters).
pub fn new_id() -> String {
    random_base64(16)
}

fn random_base64(len: usize) -> String {
    let mut buf = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut buf[..len]).expect("the operating system's random source failed");
    URL_SAFE_NO_PAD.encode(&buf[..len])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn tokens_are_256_bit_base64url_and_distinct() {
        let tokens: HashSet<String> = (0..1000).map(|_| new_token()).collect();
        assert_eq!(tokens.len(), 1000);
        for t in &tokens {
            assert_eq!(t.len(), TOKEN_CHARS);
            assert_eq!(URL_SAFE_NO_PAD.decode(t).unwrap().len(), TOKEN_BYTES);
        }
    }

    #[test]
    fn ids_are_128_bit() {
        let id = new_id();
        assert_eq!(id.len(), 22);
        assert_eq!(URL_SAFE_NO_PAD.decode(&id).unwrap().len(), 16);
    }
}
