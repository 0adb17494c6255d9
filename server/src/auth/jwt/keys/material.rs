//! Key material: Ed25519 keys from their stored seeds, their `kid`s, and
//! their public halves as JWKs.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{self, Jwk};
use jsonwebtoken::{DecodingKey, EncodingKey};
use sha2::{Digest, Sha256};

use super::file::{StoredKey, KEY_BYTES};
use super::Key;
use crate::{Error, Result};

/// An Ed25519 public key as a JWK: `kty: OKP`, `crv: Ed25519`, `x`.
pub fn okp(kid: &str, public: &[u8; 32]) -> Jwk {
    Jwk {
        common: jwk::CommonParameters {
            public_key_use: Some(jwk::PublicKeyUse::Signature),
            key_algorithm: Some(jwk::KeyAlgorithm::EdDSA),
            key_id: Some(kid.into()),
            ..Default::default()
        },
        algorithm: jwk::AlgorithmParameters::OctetKeyPair(jwk::OctetKeyPairParameters {
            key_type: jwk::OctetKeyPairType::OctetKeyPair,
            curve: jwk::EllipticCurve::Ed25519,
            x: URL_SAFE_NO_PAD.encode(public),
        }),
    }
}

pub fn keys_of(stored: &[StoredKey]) -> Result<Vec<Key>> {
    stored.iter().map(ed25519_key).collect()
}

/// A new stored Ed25519 key from `seed`.
pub fn stored_ed25519(
    seed: &[u8; KEY_BYTES],
    created_at: i64,
    signs_from: i64,
) -> Result<StoredKey> {
    let public = ed25519_dalek::SigningKey::from_bytes(seed)
        .verifying_key()
        .to_bytes();
    Ok(StoredKey {
        kid: kid(b"EdDSA", &public),
        created_at,
        signs_from,
        seed: URL_SAFE_NO_PAD.encode(seed),
    })
}

/// The signing and verifying halves of a stored Ed25519 key.
pub fn ed25519_key(stored: &StoredKey) -> Result<Key> {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let signing = ed25519_dalek::SigningKey::from_bytes(&stored.seed()?);
    let public = signing.verifying_key().to_bytes();
    if kid(b"EdDSA", &public) != stored.kid {
        return Err(Error::Invalid(format!(
            "key {} does not match its seed; the key set file is damaged",
            stored.kid
        )));
    }
    let der = signing
        .to_pkcs8_der()
        .map_err(|e| Error::Internal(format!("encoding the Ed25519 key: {e}")))?;
    let decoding = DecodingKey::from_ed_components(&URL_SAFE_NO_PAD.encode(public))
        .map_err(|e| Error::Internal(format!("loading the Ed25519 public key: {e}")))?;
    Ok(Key {
        kid: stored.kid.clone(),
        created_at: stored.created_at,
        signs_from: stored.signs_from,
        encoding: EncodingKey::from_ed_der(der.as_bytes()),
        decoding,
        public: Some(public),
    })
}

/// A key id that names the key without revealing it: a hash prefix.
pub fn kid(label: &[u8], material: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(label)
        .chain_update(material)
        .finalize();
    URL_SAFE_NO_PAD.encode(&digest[..12])
}
