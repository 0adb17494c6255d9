//! The DPoP key (RFC 9449) and the proofs it signs.
//!
//! One ES256 (P-256) key per CLI directory, made at the first `login` and
//! kept for good: the tokens the server issues are bound to its thumbprint
//! (`cnf.jkt`), so losing it ends the sign-in, and copying it lets someone
//! else use the tokens. It is stored as a private JWK (`dpop-key.json`,
//! `{"kty","crv","x","y","d"}`), a format any JOSE library reads, in a
//! file created 0600 that is refused, as ssh refuses a private key, once
//! group or others may touch it.
//!
//! Proofs are put together by hand from `p256` and `serde_json` (RFC 9449
//! §4.2): a JWS compact serialization whose header carries the public key
//! only and whose signature is the raw 64-byte `r||s`.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use rand_core::{OsRng, RngCore as _};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::base::Fail;

/// The key file's name in the CLI directory.
pub const KEY_FILE: &str = "dpop-key.json";

/// The client's DPoP key pair.
pub struct Key {
    signing: SigningKey,
}

pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `ath` (RFC 9449 §4.2): base64url(SHA-256(access token)).
pub fn ath(access_token: &str) -> String {
    b64(&Sha256::digest(access_token.as_bytes()))
}

/// The RFC 7638 thumbprint of a P-256 public key: its required members in
/// lexicographic order, no whitespace. Plain formatting is safe, as base64url
/// needs no JSON escaping.
pub fn thumbprint_of(x: &str, y: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    b64(&Sha256::digest(canonical.as_bytes()))
}

impl Key {
    /// The key in `dir`, made there (0600, never overwriting) if there is none.
    pub fn load_or_create(dir: &Path) -> Result<Key, Fail> {
        if let Some(key) = Key::load(dir)? {
            return Ok(key);
        }
        crate::base::ensure_dir(dir)?;
        let path = dir.join(KEY_FILE);
        let key = Key {
            signing: SigningKey::random(&mut OsRng),
        };
        let mut jwk = key.public_jwk();
        jwk["d"] = json!(b64(&key.signing.to_bytes()));
        // create_new with the mode set at creation: the file is never, even
        // for an instant, readable by others, and a key made meanwhile by
        // another run is not replaced (its tokens would be lost).
        let created = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path);
        let mut file = match created {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                return Key::load(dir)?.ok_or_else(|| unreadable(&path, "it vanished"));
            }
            Err(e) => return Err(Fail(format!("Cannot create {}: {e}", path.display()))),
        };
        file.write_all(jwk.to_string().as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| Fail(format!("Cannot write {}: {e}", path.display())))?;
        Ok(key)
    }

    /// The key in `dir`, if there is one; refused if others may read it.
    pub fn load(dir: &Path) -> Result<Option<Key>, Fail> {
        let path = dir.join(KEY_FILE);
        let meta = match fs::metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(unreadable(&path, &e.to_string())),
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(Fail(format!(
                "Permissions {mode:04o} for {} are too open: the DPoP key must be accessible \
                 by you only. Run `chmod 600 {}`.",
                path.display(),
                path.display()
            )));
        }
        let text = fs::read_to_string(&path).map_err(|e| unreadable(&path, &e.to_string()))?;
        let jwk: Value =
            serde_json::from_str(&text).map_err(|e| unreadable(&path, &e.to_string()))?;
        let d = jwk["d"]
            .as_str()
            .and_then(|d| URL_SAFE_NO_PAD.decode(d).ok())
            .ok_or_else(|| unreadable(&path, "no base64url `d` member"))?;
        let signing = SigningKey::from_slice(&d)
            .map_err(|_| unreadable(&path, "`d` is not a P-256 private key"))?;
        let key = Key { signing };
        // The public members are derived from `d`; ones that disagree mean
        // the file was edited or mixed up, and the tokens may be another key's.
        let public = key.public_jwk();
        if jwk["x"] != public["x"] || jwk["y"] != public["y"] {
            return Err(unreadable(&path, "its x and y do not match its d"));
        }
        Ok(Some(key))
    }

    /// The public key as a JWK: what a proof's header carries.
    pub fn public_jwk(&self) -> Value {
        let point = self.signing.verifying_key().to_encoded_point(false);
        // An uncompressed point always has both coordinates.
        let (x, y) = (point.x().map(|x| b64(x)), point.y().map(|y| b64(y)));
        json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y })
    }

    /// The key's RFC 7638 thumbprint: the `jkt` the server binds tokens to.
    pub fn thumbprint(&self) -> String {
        let jwk = self.public_jwk();
        thumbprint_of(
            jwk["x"].as_str().unwrap_or_default(),
            jwk["y"].as_str().unwrap_or_default(),
        )
    }

    /// A proof for `htm` `htu` made now, with `ath` for `access_token` and
    /// the server's `nonce` when given.
    pub fn proof(
        &self,
        htm: &str,
        htu: &str,
        access_token: Option<&str>,
        nonce: Option<&str>,
    ) -> String {
        self.proof_at(htm, htu, crate::base::now(), access_token, nonce)
    }

    fn proof_at(
        &self,
        htm: &str,
        htu: &str,
        iat: i64,
        access_token: Option<&str>,
        nonce: Option<&str>,
    ) -> String {
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk() });
        // 16 random bytes: the server remembers `jti`s to refuse replays,
        // so they must not collide.
        let mut jti = [0u8; 16];
        OsRng.fill_bytes(&mut jti);
        let mut payload = json!({ "jti": b64(&jti), "htm": htm, "htu": htu, "iat": iat });
        if let Some(token) = access_token {
            payload["ath"] = json!(ath(token));
        }
        if let Some(nonce) = nonce {
            payload["nonce"] = json!(nonce);
        }
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(payload.to_string().as_bytes())
        );
        let signature: Signature = self.signing.sign(input.as_bytes());
        format!("{input}.{}", b64(&signature.to_bytes()))
    }
}

fn unreadable(path: &Path, why: &str) -> Fail {
    Fail(format!(
        "Cannot use the DPoP key {}: {why}.",
        path.display()
    ))
}

#[cfg(test)]
mod tests;
