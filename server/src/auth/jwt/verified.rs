//! A small cache of access tokens whose signature and claims already passed
//! [`claims::verify`], so a client sending the same token on every request
//! pays for parsing and the signature check once (an Ed25519 check costs
//! ≈ 40 µs of CPU, an HS256 one a few; docs/PERFORMANCE.md).
//!
//! What is cached is only what cannot change for a given token: that our key
//! signed exactly these bytes, and the claims in them. Entries are keyed by
//! the SHA-256 of the whole token, so a token differing in any byte misses
//! and gets the full check. Everything that depends on time or on other state
//! is still checked on every hit: `exp`, `nbf` and `iat` against the clock
//! ([`claims::check_times`]), that the signing key has not been retired
//! since ([`super::keys`]), and, by the caller, the revocation set. Only
//! successes are cached. The cache is bounded: when full, it starts over.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sha2::{Digest, Sha256};

use super::claims::{self, AccessClaims, TokenError};
use super::keys::{Key, Keyring};

/// Most tokens remembered at once (a few MB at most).
pub const CAPACITY: usize = 16_384;

/// A verified token's claims and the key that signed it.
#[derive(Clone, Debug)]
struct Entry {
    claims: Arc<AccessClaims>,
    key: Arc<Key>,
}

/// Access tokens verified with one keyring, by the SHA-256 of their text.
#[derive(Clone, Debug)]
pub struct VerifiedTokens {
    /// The keys every cached token was checked with: the cache is tied to
    /// them, so no token can be vouched for under another key.
    keys: Arc<Keyring>,
    map: Arc<RwLock<HashMap<[u8; 32], Entry>>>,
}

impl VerifiedTokens {
    /// An empty cache for tokens signed with `keys`.
    pub fn new(keys: Arc<Keyring>) -> Self {
        VerifiedTokens {
            keys,
            map: Arc::default(),
        }
    }

    /// The claims of `token` if [`claims::verify`] accepts it at `now`:
    /// from the cache when this exact token was verified before (checking
    /// its times again), else by a full verification whose success is kept.
    pub fn verify(&self, token: &str, now: i64) -> Result<Arc<AccessClaims>, TokenError> {
        if token.len() > claims::MAX_TOKEN_LEN {
            return Err(TokenError::Invalid);
        }
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let cached = self
            .map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        if let Some(Entry { claims, key }) = cached {
            claims::check_times(&claims, now)?;
            if !self.keys.verifies(&key.kid, now) {
                return Err(TokenError::Invalid);
            }
            return Ok(claims);
        }
        let (claims, signer) = claims::verify_keyed(&self.keys, token, now)?;
        let claims = Arc::new(claims);
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CAPACITY {
            map.clear();
        }
        map.insert(
            key,
            Entry {
                claims: claims.clone(),
                key: signer,
            },
        );
        Ok(claims)
    }

    /// How many tokens are remembered.
    pub fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether no token is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
