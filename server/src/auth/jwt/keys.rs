//! The signing keyring: one algorithm, one key, its `kid`.
//!
//! The algorithm is fixed by configuration and never read from a token's
//! header (no `alg: none`, no HS/EdDSA confusion). A missing key is generated
//! once from the OS CSPRNG and kept in the data directory with mode 0600;
//! there is no built-in default key. Instances that share the data directory
//! (or a copy of its key files) verify each other's tokens.

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};

use crate::config::JwtAlg;
use crate::{Error, Result};

/// Bytes of secret material in every generated key.
const KEY_BYTES: usize = 32;

/// The keys tokens are signed and verified with.
#[derive(Clone)]
pub struct Keyring {
    pub alg: Algorithm,
    pub kid: String,
    pub encoding: EncodingKey,
    pub decoding: DecodingKey,
    /// Secret for deriving refresh-token successors (never a signing key).
    pub refresh_secret: [u8; KEY_BYTES],
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl Keyring {
    /// Loads the keys for `alg` from `dir`, creating any that are missing.
    pub fn load_or_create(dir: &Path, alg: JwtAlg) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        let refresh_secret = secret_file(&dir.join("refresh-derivation.key"))?;
        match alg {
            JwtAlg::Hs256 => Ok(Self::hs256(
                secret_file(&dir.join("jwt-hs256.key"))?,
                refresh_secret,
            )),
            JwtAlg::EdDsa => {
                Self::ed25519(secret_file(&dir.join("jwt-ed25519.key"))?, refresh_secret)
            }
        }
    }

    /// An HS256 keyring over a 256-bit secret.
    pub fn hs256(secret: [u8; KEY_BYTES], refresh_secret: [u8; KEY_BYTES]) -> Self {
        Keyring {
            alg: Algorithm::HS256,
            kid: kid(b"HS256", &secret),
            encoding: EncodingKey::from_secret(&secret),
            decoding: DecodingKey::from_secret(&secret),
            refresh_secret,
        }
    }

    /// An EdDSA (Ed25519) keyring from a 32-byte seed.
    pub fn ed25519(seed: [u8; KEY_BYTES], refresh_secret: [u8; KEY_BYTES]) -> Result<Self> {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
        let der = signing
            .to_pkcs8_der()
            .map_err(|e| Error::Internal(format!("encoding the Ed25519 key: {e}")))?;
        let public = signing.verifying_key().to_bytes();
        let decoding = DecodingKey::from_ed_components(&URL_SAFE_NO_PAD.encode(public))
            .map_err(|e| Error::Internal(format!("loading the Ed25519 public key: {e}")))?;
        Ok(Keyring {
            alg: Algorithm::EdDSA,
            kid: kid(b"EdDSA", &public),
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            decoding,
            refresh_secret,
        })
    }

    /// A keyring with fresh random keys (tests).
    pub fn random(alg: JwtAlg) -> Result<Self> {
        match alg {
            JwtAlg::Hs256 => Ok(Self::hs256(random_key(), random_key())),
            JwtAlg::EdDsa => Self::ed25519(random_key(), random_key()),
        }
    }
}

/// A key id that names the key without revealing it: a hash prefix.
fn kid(label: &[u8], material: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(label)
        .chain_update(material)
        .finalize();
    URL_SAFE_NO_PAD.encode(&digest[..12])
}

fn random_key() -> [u8; KEY_BYTES] {
    let mut key = [0u8; KEY_BYTES];
    getrandom::fill(&mut key).expect("the operating system's random source failed");
    key
}

/// Reads a 32-byte secret from `path`, creating it (mode 0600) if missing.
fn secret_file(path: &Path) -> Result<[u8; KEY_BYTES]> {
    match std::fs::read(path) {
        Ok(bytes) => bytes.try_into().map_err(|b: Vec<u8>| {
            Error::Invalid(format!(
                "{} holds {} bytes; a key file must hold exactly {KEY_BYTES}",
                path.display(),
                b.len()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = random_key();
            write_private(path, &key)?;
            tracing::info!(path = %path.display(), "generated a new key");
            Ok(key)
        }
        Err(e) => Err(io_error(path, e)),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| io_error(path, e))?;
    file.write_all(bytes).map_err(|e| io_error(path, e))
}

fn io_error(path: &Path, e: std::io::Error) -> Error {
    Error::Invalid(format!("cannot use {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_generated_once_private_and_reused() {
        let dir =
            std::env::temp_dir().join(format!("latchkey-keys-{}", crate::auth::token::new_id()));
        let a = Keyring::load_or_create(&dir, JwtAlg::Hs256).unwrap();
        let b = Keyring::load_or_create(&dir, JwtAlg::Hs256).unwrap();
        assert_eq!(a.kid, b.kid);
        assert_eq!(a.refresh_secret, b.refresh_secret);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("jwt-hs256.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let ed = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap();
        assert_eq!(ed.alg, Algorithm::EdDSA);
        assert_ne!(ed.kid, a.kid);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_damaged_key_file_stops_startup_with_a_message() {
        let dir =
            std::env::temp_dir().join(format!("latchkey-keys-{}", crate::auth::token::new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("jwt-hs256.key"), b"short").unwrap();
        let err = Keyring::load_or_create(&dir, JwtAlg::Hs256).unwrap_err();
        assert!(err.to_string().contains("exactly 32"), "{err}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn random_keyrings_differ() {
        assert_ne!(
            Keyring::random(JwtAlg::Hs256).unwrap().kid,
            Keyring::random(JwtAlg::Hs256).unwrap().kid
        );
    }
}
