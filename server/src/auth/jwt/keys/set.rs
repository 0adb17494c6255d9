//! A key set at a moment: which key signs, which verify, which are retired.
//!
//! No state is stored: it follows from each key's `signs_from` time, the
//! same on every instance reading the same file. The key with the latest
//! `signs_from` not in the future is `current` and signs; a later one is
//! `next` (published, so verifiers fetch it before it signs, and already
//! accepted); an earlier one is `previous` until every token it can have
//! signed has expired (its successor's `signs_from` plus the longest token
//! lifetime), then `retired`.

use std::sync::Arc;

use jsonwebtoken::{DecodingKey, EncodingKey};

/// One signing key.
pub struct Key {
    /// Names the key in token headers and the JWKS: a hash prefix of its
    /// public part (HMAC: of the secret), never the key itself.
    pub kid: String,
    pub created_at: i64,
    /// When it starts signing.
    pub signs_from: i64,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// The Ed25519 public key; `None` for an HMAC secret, which verifies
    /// only by signing and so can never be published.
    pub public: Option<[u8; 32]>,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("kid", &self.kid)
            .field("signs_from", &self.signs_from)
            .finish_non_exhaustive()
    }
}

/// Where a key is in its life at a given moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// Published and verifying; signs from its `signs_from` on.
    Next,
    /// Signs every new token.
    Current,
    /// No longer signs; verifies until the tokens it signed have expired.
    Previous,
    /// Verifies nothing; dropped at the next rotation.
    Retired,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Next => "next",
            KeyState::Current => "current",
            KeyState::Previous => "previous",
            KeyState::Retired => "retired",
        }
    }
}

/// The keys, ordered by `signs_from`; never empty.
#[derive(Debug)]
pub struct KeySet {
    keys: Vec<Arc<Key>>,
    /// How long a superseded key keeps verifying: the longest lifetime of a
    /// token plus the clock leeway.
    overlap: i64,
}

impl KeySet {
    /// A set of `keys` (at least one) whose superseded keys verify for
    /// `overlap` seconds.
    pub fn new(mut keys: Vec<Key>, overlap: i64) -> Option<Self> {
        if keys.is_empty() {
            return None;
        }
        keys.sort_by_key(|k| (k.signs_from, k.created_at));
        Some(KeySet {
            keys: keys.into_iter().map(Arc::new).collect(),
            overlap,
        })
    }

    /// The same keys with another overlap.
    pub fn with_overlap(&self, overlap: i64) -> Self {
        KeySet {
            keys: self.keys.clone(),
            overlap,
        }
    }

    /// The overlap in seconds.
    pub fn overlap(&self) -> i64 {
        self.overlap
    }

    fn current_index(&self, now: i64) -> usize {
        // If every key starts in the future (a clock set back), the
        // earliest signs rather than none.
        self.keys
            .iter()
            .rposition(|k| k.signs_from <= now)
            .unwrap_or(0)
    }

    /// The key that signs at `now`.
    pub fn signer(&self, now: i64) -> &Arc<Key> {
        &self.keys[self.current_index(now)]
    }

    /// Whether the set holds a key named `kid`, whatever its state.
    pub fn holds(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid == kid)
    }

    /// The key named `kid`, if it verifies at `now`.
    pub fn verifier(&self, kid: &str, now: i64) -> Option<&Arc<Key>> {
        let i = self.keys.iter().position(|k| k.kid == kid)?;
        (self.state(i, now) != KeyState::Retired).then(|| &self.keys[i])
    }

    /// Every key with its state at `now` and, for a superseded key, the
    /// moment it stops verifying.
    pub fn states(&self, now: i64) -> Vec<(&Arc<Key>, KeyState, Option<i64>)> {
        (0..self.keys.len())
            .map(|i| {
                (
                    &self.keys[i],
                    self.state(i, now),
                    self.verifies_until(i, now),
                )
            })
            .collect()
    }

    /// The keys a verifier may need at `now` (every one not retired).
    pub fn published(&self, now: i64) -> impl Iterator<Item = &Arc<Key>> {
        (0..self.keys.len())
            .filter(move |&i| self.state(i, now) != KeyState::Retired)
            .map(|i| &self.keys[i])
    }

    fn verifies_until(&self, i: usize, now: i64) -> Option<i64> {
        if i >= self.current_index(now) {
            return None;
        }
        Some(self.keys[i + 1].signs_from.saturating_add(self.overlap))
    }

    fn state(&self, i: usize, now: i64) -> KeyState {
        let current = self.current_index(now);
        if i > current {
            KeyState::Next
        } else if i == current {
            KeyState::Current
        } else if self.verifies_until(i, now).is_some_and(|until| now < until) {
            KeyState::Previous
        } else {
            KeyState::Retired
        }
    }
}
