//! The signing keyring: one algorithm, a key set, and the issuer they sign as.
//!
//! The algorithm is fixed by configuration and never read from a token's
//! header (no `alg: none`, no HS/EdDSA confusion). Keys are generated from
//! the OS CSPRNG and kept in the data directory with mode 0600; there is no
//! built-in default key.
//!
//! EdDSA keys form a rotating set ([`set`]): `latchkey keys rotate` adds a
//! key that is published at once and signs after a delay, and the old one
//! verifies until its tokens have expired. Servers pick a rotation up without
//! a restart: each checks the set file's modification time every
//! [`crate::auth::jwt::revocation::SYNC_EVERY`] and, at most once a second,
//! when a token names a key it does not know. HS256 has one secret: a
//! verifier holding it could sign too, so it is never published, and
//! replacing it signs everybody out.

mod file;
mod material;
pub mod set;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};

pub use self::file::KEY_BYTES;
use self::file::{Stamp, StoredKey};
use self::material::{ed25519_key, keys_of, kid, okp, stored_ed25519};
pub use self::set::{Key, KeySet, KeyState};
use crate::config::JwtAlg;
use crate::Result;

/// The issuer of a keyring built without configuration (tests): the
/// default `LATCHKEY_ISSUER`.
pub const DEFAULT_ISSUER: &str = "http://127.0.0.1:3000";
/// How long a superseded key verifies when nothing else is said: the
/// default access-token lifetime plus leeway.
const DEFAULT_OVERLAP: i64 = 30 * 60 + crate::clock::LEEWAY;

/// The keys tokens are signed and verified with.
pub struct Keyring {
    pub alg: Algorithm,
    /// Secret for deriving refresh-token successors (never a signing key).
    pub refresh_secret: [u8; KEY_BYTES],
    issuer: String,
    /// The resource servers tokens are issued for (`LATCHKEY_RESOURCES`),
    /// whose URIs a token may carry as `aud` beside Latchkey's own.
    resources: Vec<String>,
    set: RwLock<Arc<KeySet>>,
    /// The key set file followed for rotations (EdDSA from a data directory).
    watched: Option<Watched>,
}

struct Watched {
    path: PathBuf,
    stamp: Mutex<Option<Stamp>>,
    /// The second of the last reload for an unknown `kid`.
    last_try: AtomicI64,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("alg", &self.alg)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// What `latchkey keys rotate` did.
#[derive(Debug)]
pub struct Rotation {
    pub kid: String,
    pub signs_from: i64,
    /// Retired keys dropped from the file.
    pub dropped: Vec<String>,
}

impl Keyring {
    /// Loads the keys for `alg` from `dir`, creating any that are missing.
    pub fn load_or_create(dir: &Path, alg: JwtAlg) -> Result<Self> {
        crate::data_dir::create(dir)?;
        let refresh_secret = file::secret_file(&dir.join("refresh-derivation.key"))?;
        match alg {
            JwtAlg::Hs256 => Ok(Self::hs256(
                file::secret_file(&dir.join("jwt-hs256.key"))?,
                refresh_secret,
            )),
            JwtAlg::EdDsa => {
                let path = file::set_path(dir);
                let now = crate::clock::Clock::System.now();
                let stored = file::read_or_create_set(dir, now, new_key)?;
                let stamp = file::stamp(&path);
                let mut ring = Self::from_set(Algorithm::EdDSA, keys_of(&stored)?, refresh_secret);
                ring.watched = Some(Watched {
                    path,
                    stamp: Mutex::new(stamp),
                    last_try: AtomicI64::new(0),
                });
                Ok(ring)
            }
        }
    }

    fn from_set(alg: Algorithm, keys: Vec<Key>, refresh_secret: [u8; KEY_BYTES]) -> Self {
        let set = KeySet::new(keys, DEFAULT_OVERLAP).expect("a key set holds at least one key");
        Keyring {
            alg,
            refresh_secret,
            issuer: DEFAULT_ISSUER.into(),
            resources: Vec::new(),
            set: RwLock::new(Arc::new(set)),
            watched: None,
        }
    }

    /// An HS256 keyring over a 256-bit secret.
    pub fn hs256(secret: [u8; KEY_BYTES], refresh_secret: [u8; KEY_BYTES]) -> Self {
        let key = Key {
            kid: kid(b"HS256", &secret),
            created_at: 0,
            signs_from: 0,
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
            public: None,
        };
        Self::from_set(Algorithm::HS256, vec![key], refresh_secret)
    }

    /// An EdDSA (Ed25519) keyring with one key from a 32-byte seed.
    pub fn ed25519(seed: [u8; KEY_BYTES], refresh_secret: [u8; KEY_BYTES]) -> Result<Self> {
        let key = ed25519_key(&stored_ed25519(&seed, 0, 0)?)?;
        Ok(Self::from_set(Algorithm::EdDSA, vec![key], refresh_secret))
    }

    /// A keyring with fresh random keys (tests).
    pub fn random(alg: JwtAlg) -> Result<Self> {
        match alg {
            JwtAlg::Hs256 => Ok(Self::hs256(file::random_key(), file::random_key())),
            JwtAlg::EdDsa => Self::ed25519(file::random_key(), file::random_key()),
        }
    }

    /// The same keys, signing as `issuer` (the `iss` of every token).
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = issuer.into();
        self
    }

    /// The same keys, also accepting tokens for `resources` (their `aud`)
    /// beside Latchkey's own.
    pub fn with_resources(mut self, resources: &[String]) -> Self {
        self.resources = resources.to_vec();
        self
    }

    /// The resource servers tokens are issued for.
    pub fn resources(&self) -> &[String] {
        &self.resources
    }

    /// Whether `resource` is a service tokens are issued for.
    pub fn serves(&self, resource: &str) -> bool {
        self.resources.iter().any(|r| r == resource)
    }

    /// Superseded keys verify for `overlap` seconds: the longest token
    /// lifetime plus leeway.
    pub fn set_overlap(&mut self, overlap: i64) {
        let set = self.snapshot().with_overlap(overlap);
        *self.set.get_mut().unwrap_or_else(|e| e.into_inner()) = Arc::new(set);
    }

    /// Whether the keys may be published: EdDSA public keys; never an
    /// HS256 secret.
    pub fn publishes(&self) -> bool {
        self.alg == Algorithm::EdDSA
    }

    /// The `iss` of every token.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The key set as it is now.
    pub fn snapshot(&self) -> Arc<KeySet> {
        self.set.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The key that signs at `now`.
    pub fn signer(&self, now: i64) -> Arc<Key> {
        self.snapshot().signer(now).clone()
    }

    /// Whether the key named `kid` verifies at `now`, as last read.
    pub fn verifies(&self, kid: &str, now: i64) -> bool {
        self.snapshot().verifier(kid, now).is_some()
    }

    /// The key named `kid` if it verifies at `now`. An unknown `kid` may be
    /// a key another instance just started using: the set file is read
    /// again, at most once a second.
    pub fn verifier(&self, kid: &str, now: i64) -> Option<Arc<Key>> {
        let set = self.snapshot();
        if let Some(key) = set.verifier(kid, now) {
            return Some(key.clone());
        }
        let watched = self.watched.as_ref()?;
        // A key of the set that no longer verifies is retired, not new.
        if set.holds(kid) || watched.last_try.swap(now, Ordering::Relaxed) >= now {
            return None;
        }
        if let Err(e) = self.reload() {
            tracing::warn!(error = %e, "could not read the key set");
        }
        self.snapshot().verifier(kid, now).cloned()
    }

    /// Reads the key set file again if it changed; whether it did.
    pub fn reload(&self) -> Result<bool> {
        let Some(watched) = &self.watched else {
            return Ok(false);
        };
        let now = file::stamp(&watched.path);
        let mut seen = watched.stamp.lock().unwrap_or_else(|e| e.into_inner());
        if now.is_none() || *seen == now {
            return Ok(false);
        }
        let Some(stored) = file::read_set(&watched.path)? else {
            return Ok(false);
        };
        let overlap = self.snapshot().overlap();
        let set = KeySet::new(keys_of(&stored)?, overlap).expect("read_set refuses an empty set");
        *self.set.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(set);
        *seen = now;
        tracing::info!(path = %watched.path.display(), "read a changed key set");
        Ok(true)
    }

    /// The public keys a verifier may need at `now` (RFC 7517); `None` for
    /// HS256, whose secret must never leave the server.
    pub fn jwks(&self, now: i64) -> Option<JwkSet> {
        let set = self.snapshot();
        let keys = set
            .published(now)
            .map(|k| k.public.map(|public| okp(&k.kid, &public)))
            .collect::<Option<Vec<Jwk>>>()?;
        Some(JwkSet { keys })
    }

    /// Adds a key to the Ed25519 set in `dir` that signs from `now + delay`
    /// and drops the keys retired at `now` (superseded ones verify for
    /// `overlap` seconds).
    pub fn rotate(dir: &Path, now: i64, delay: i64, overlap: i64) -> Result<Rotation> {
        let path = file::set_path(dir);
        let stored = file::read_or_create_set(dir, now, new_key)?;
        let set = KeySet::new(keys_of(&stored)?, overlap).expect("read_set refuses an empty set");
        let retired: Vec<String> = set
            .states(now)
            .into_iter()
            .filter(|(_, state, _)| *state == KeyState::Retired)
            .map(|(k, ..)| k.kid.clone())
            .collect();
        let mut kept: Vec<StoredKey> = stored
            .into_iter()
            .filter(|k| !retired.contains(&k.kid))
            .collect();
        let new = stored_ed25519(&file::random_key(), now, now.saturating_add(delay))?;
        let rotation = Rotation {
            kid: new.kid.clone(),
            signs_from: new.signs_from,
            dropped: retired,
        };
        kept.push(new);
        file::write_set(&path, &kept)?;
        Ok(rotation)
    }

    /// The Ed25519 set in `dir` (created if missing), for listing.
    pub fn read_set(dir: &Path, overlap: i64) -> Result<KeySet> {
        let now = crate::clock::Clock::System.now();
        let stored = file::read_or_create_set(dir, now, new_key)?;
        Ok(KeySet::new(keys_of(&stored)?, overlap).expect("read_set refuses an empty set"))
    }
}

/// A key of the set made from `seed`, signing from `at` (and created then).
fn new_key(seed: &[u8; KEY_BYTES], at: i64) -> Result<StoredKey> {
    stored_ed25519(seed, at, at)
}

#[cfg(test)]
mod tests;
