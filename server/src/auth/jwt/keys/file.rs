//! Key files in the data directory, all mode 0600.
//!
//! - `jwt-hs256.key`, `refresh-derivation.key`: 32 raw random bytes each.
//! - `jwt-ed25519-keys.json`: the Ed25519 key set, `{"keys": [{"kid",
//!   "created_at", "signs_from", "seed"}]}` (seed: the 32-byte private seed,
//!   base64url). It is replaced whole (written beside, then renamed), so a
//!   server reading it sees the old set or the new one, never half of one.
//!   A `jwt-ed25519.key` seed from before key sets is taken in as the first
//!   key, with the same `kid`, so its tokens keep verifying.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Bytes of secret material in every generated key.
pub const KEY_BYTES: usize = crate::data_dir::SECRET_BYTES;

pub use crate::data_dir::{random_key, secret_file, write_private};
/// The Ed25519 key set.
pub const ED25519_SET: &str = "jwt-ed25519-keys.json";
/// The single Ed25519 seed kept before key sets.
const ED25519_LEGACY: &str = "jwt-ed25519.key";

/// One key as stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredKey {
    pub kid: String,
    pub created_at: i64,
    pub signs_from: i64,
    pub seed: String,
}

impl StoredKey {
    /// The 32-byte seed.
    pub fn seed(&self) -> Result<[u8; KEY_BYTES]> {
        URL_SAFE_NO_PAD
            .decode(&self.seed)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Error::Invalid(format!("the seed of key {} is damaged", self.kid)))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stored {
    keys: Vec<StoredKey>,
}

/// What a file looked like when read: a change to it changes this.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

/// The stamp of `path` now, `None` if it cannot be read.
pub fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
    })
}

/// The path of the Ed25519 key set in `dir`.
pub fn set_path(dir: &Path) -> PathBuf {
    dir.join(ED25519_SET)
}

/// Reads the Ed25519 key set of `dir`; creates it when missing, with one
/// key that `key` makes of a seed and the time it signs from: the legacy
/// seed if there is one (signing since 0), else a fresh one (from `now`).
pub fn read_or_create_set(
    dir: &Path,
    now: i64,
    key: impl FnOnce(&[u8; KEY_BYTES], i64) -> Result<StoredKey>,
) -> Result<Vec<StoredKey>> {
    let path = set_path(dir);
    if let Some(keys) = read_set(&path)? {
        return Ok(keys);
    }
    // `latchkey keys …` may run before any server created the directory.
    crate::data_dir::create(dir)?;
    let legacy = dir.join(ED25519_LEGACY);
    let (keys, imported) = match std::fs::read(&legacy) {
        Ok(bytes) => {
            let seed: [u8; KEY_BYTES] = bytes.try_into().map_err(|b: Vec<u8>| {
                Error::Invalid(format!(
                    "{} holds {} bytes; a key file must hold exactly {KEY_BYTES}",
                    legacy.display(),
                    b.len()
                ))
            })?;
            (vec![key(&seed, 0)?], true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            (vec![key(&random_key(), now)?], false)
        }
        Err(e) => return Err(io_error(&legacy, e)),
    };
    write_set(&path, &keys)?;
    if imported {
        // One copy of a private key, not two.
        std::fs::remove_file(&legacy).map_err(|e| io_error(&legacy, e))?;
    }
    tracing::info!(path = %path.display(), "created the key set");
    Ok(keys)
}

/// The keys in `path`, `None` if there is no such file.
pub fn read_set(path: &Path) -> Result<Option<Vec<StoredKey>>> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, e)),
    };
    let stored: Stored = serde_json::from_slice(&text)
        .map_err(|e| Error::Invalid(format!("{} is not a key set: {e}", path.display())))?;
    if stored.keys.is_empty() {
        return Err(Error::Invalid(format!("{} holds no key", path.display())));
    }
    Ok(Some(stored.keys))
}

/// Replaces the key set in `path` with `keys`, atomically.
pub fn write_set(path: &Path, keys: &[StoredKey]) -> Result<()> {
    let text = serde_json::to_vec_pretty(&Stored {
        keys: keys.to_vec(),
    })
    .map_err(|e| Error::Internal(format!("encoding the key set: {e}")))?;
    let beside = path.with_extension(format!("json.{}", crate::auth::token::new_id()));
    write_private(&beside, &text)?;
    std::fs::rename(&beside, path).map_err(|e| {
        let _ = std::fs::remove_file(&beside);
        io_error(path, e)
    })
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    crate::data_dir::io_error(path, e)
}
