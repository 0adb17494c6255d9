//! Names typed into a sign-in form, kept only as a keyed hash.
//!
//! People type passwords into the username field. The throttle's counters
//! and the audit trail must still tell attempts on one name from attempts
//! on another (to lock a name, and to show an account's owner the attempts
//! on it), so a typed name is kept as HMAC-SHA-256 under a key of the
//! server's own, never as itself or as a bare hash: a bare SHA-256 of a
//! short string is reversed with a dictionary from a copy of the database
//! alone, and with this key a database copy says nothing about a name.
//!
//! The key is `names.key` in the data directory (32 random bytes, created
//! on first start, mode 0600). Instances sharing a database share it the
//! way they share JWT keys (the same data directory's key files): two keys
//! would count one name's failures apart.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::data_dir::{secret_file, SECRET_BYTES};
use crate::Result;

/// The file the key is kept in, in the data directory.
pub const FILE: &str = "names.key";

/// Bytes of the hash kept (128 bits: no two typed names meet by chance).
const KEPT: usize = 16;

/// The key typed names are hashed under.
#[derive(Clone)]
pub struct NameKey([u8; SECRET_BYTES]);

impl std::fmt::Debug for NameKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NameKey(…)")
    }
}

impl NameKey {
    /// The key in `dir`, created if missing.
    pub fn load_or_create(dir: &std::path::Path) -> Result<Self> {
        secret_file(&dir.join(FILE)).map(NameKey)
    }

    /// A key from its bytes (tests, and instances given one key).
    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> Self {
        NameKey(bytes)
    }

    /// The hash `typed` is kept under: trimmed and lower-cased first, so
    /// " Alice" and "alice" are one name. Hex.
    pub fn hash(&self, typed: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(normalized(typed).as_bytes());
        hex(&mac.finalize().into_bytes()[..KEPT])
    }
}

/// What earlier releases kept instead: a bare SHA-256 prefix. Never written
/// any more; read only so an owner's activity still shows attempts recorded
/// before the upgrade, until the retention period purges them.
pub fn legacy_hash(typed: &str) -> String {
    hex(&Sha256::digest(normalized(typed).as_bytes())[..KEPT])
}

fn normalized(typed: &str) -> String {
    typed.trim().to_lowercase()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_kept_under_the_key_never_as_a_bare_hash() {
        let key = NameKey::from_bytes([7; SECRET_BYTES]);
        let other = NameKey::from_bytes([8; SECRET_BYTES]);
        let typed = "hunter2-typed-as-a-username";
        let kept = key.hash(typed);
        assert_eq!(kept.len(), 2 * KEPT);
        assert!(!kept.contains("hunter2"));
        let bare = hex(&Sha256::digest(typed.as_bytes()));
        assert!(!bare.starts_with(&kept), "a bare SHA-256 prefix");
        assert_ne!(kept, legacy_hash(typed));
        assert_ne!(kept, other.hash(typed), "another key, another hash");
        assert_eq!(key.hash(" Alice "), key.hash("alice"));
        assert_ne!(key.hash("alice"), key.hash("alicia"));
    }

    #[test]
    fn the_key_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = NameKey::load_or_create(dir.path()).unwrap();
        let again = NameKey::load_or_create(dir.path()).unwrap();
        assert_eq!(first.hash("alice"), again.hash("alice"));
        assert_eq!(format!("{first:?}"), "NameKey(…)");
    }
}
