//! Server nonces for DPoP proofs (RFC 9449 §8): with them on, a proof must
//! carry a value this server handed out lately, so a client (or malware on
//! it) cannot make proofs ahead of time for later use, whatever `iat` it
//! writes.
//!
//! A nonce is stateless: an HMAC of the current five-minute window under a
//! key derived from the signing keyring's secret, so every instance sharing
//! the data directory hands out and accepts the same nonces without a
//! store. The current window's nonce and the one before it are accepted, so
//! a nonce lives five to ten minutes; a client holding an older one is told
//! `use_dpop_nonce` with a fresh one in `DPoP-Nonce`, and retries.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long one nonce is handed out, in seconds.
pub const LIFETIME: i64 = 300;

/// The nonces of this deployment.
#[derive(Clone)]
pub struct Nonces {
    key: [u8; 32],
}

impl std::fmt::Debug for Nonces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nonces")
    }
}

impl Nonces {
    /// Nonces keyed from `secret` (the keyring's): the derivation keeps
    /// them apart from every other use of it.
    pub fn new(secret: &[u8]) -> Self {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
        mac.update(b"latchkey dpop nonce key");
        Nonces {
            key: mac.finalize().into_bytes().into(),
        }
    }

    /// The nonce handed out at `now`.
    pub fn current(&self, now: i64) -> String {
        self.of_window(now.div_euclid(LIFETIME))
    }

    /// The nonce handed out in the window before `now`'s, still accepted.
    pub fn previous(&self, now: i64) -> String {
        self.of_window(now.div_euclid(LIFETIME).saturating_sub(1))
    }

    fn of_window(&self, window: i64) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(&window.to_be_bytes());
        // 128 bits: unguessable, and short in a header.
        URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_changes_with_its_window_and_its_key() {
        let nonces = Nonces::new(&[7; 32]);
        let t = 1_800_000_000 - 1_800_000_000 % LIFETIME;
        assert_eq!(nonces.current(t), nonces.current(t + LIFETIME - 1));
        assert_ne!(nonces.current(t), nonces.current(t + LIFETIME));
        assert_eq!(nonces.previous(t + LIFETIME), nonces.current(t));
        assert_ne!(Nonces::new(&[8; 32]).current(t), nonces.current(t));
        assert_eq!(nonces.current(t).len(), 22);
    }
}
