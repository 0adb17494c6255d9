//! A DPoP client key for tests: an ES256 key that signs proofs (RFC 9449
//! §4.2) for a request, and, for the attack cases, proofs with any header
//! and payload. The proofs are put together here by hand from p256 and
//! serde_json, not by the server's code, so a test sees what a client
//! outside the server would send.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use rand_core::OsRng;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

/// An ES256 key pair held by a test client.
pub struct DpopKey {
    key: SigningKey,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

impl DpopKey {
    pub fn new() -> Self {
        DpopKey {
            key: SigningKey::random(&mut OsRng),
        }
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> Value {
        let point = self.key.verifying_key().to_encoded_point(false);
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": b64(point.x().unwrap()),
            "y": b64(point.y().unwrap()),
        })
    }

    /// The RFC 7638 thumbprint of [`Self::jwk`], computed from its
    /// required members in lexicographic order.
    pub fn thumbprint(&self) -> String {
        let jwk = self.jwk();
        let canonical = format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            jwk["x"].as_str().unwrap(),
            jwk["y"].as_str().unwrap()
        );
        b64(&Sha256::digest(canonical.as_bytes()))
    }

    /// The header and payload of a valid proof for `method` `url` at `iat`,
    /// with `ath` for `access_token`, for a test to alter.
    pub fn parts(
        &self,
        method: &str,
        url: &str,
        iat: i64,
        access_token: Option<&str>,
    ) -> (Value, Value) {
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": self.jwk() });
        let mut payload = json!({
            "jti": b64(&rand_core::RngCore::next_u64(&mut OsRng).to_be_bytes()),
            "htm": method,
            "htu": url,
            "iat": iat,
        });
        if let Some(token) = access_token {
            payload["ath"] = json!(ath(token));
        }
        (header, payload)
    }

    /// A valid proof.
    pub fn proof(&self, method: &str, url: &str, iat: i64, access_token: Option<&str>) -> String {
        let (header, payload) = self.parts(method, url, iat, access_token);
        self.sign(&header, &payload)
    }

    /// `header` and `payload` signed with this key (ES256), whatever they say.
    pub fn sign(&self, header: &Value, payload: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(payload.to_string().as_bytes())
        );
        let signature: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", b64(&signature.to_bytes()))
    }

    /// The private scalar, for a proof that wrongly carries it in its JWK.
    pub fn private_d(&self) -> String {
        b64(&self.key.to_bytes())
    }
}

/// `header` and `payload` with no signature at all (`alg: none`).
pub fn unsigned(header: &Value, payload: &Value) -> String {
    format!(
        "{}.{}.",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    )
}

/// `header` and `payload` signed with HMAC-SHA256 under `secret`.
pub fn hmac_signed(header: &Value, payload: &Value, secret: &[u8]) -> String {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(payload.to_string().as_bytes())
    );
    let key = jsonwebtoken::EncodingKey::from_secret(secret);
    let signature =
        jsonwebtoken::crypto::sign(input.as_bytes(), &key, jsonwebtoken::Algorithm::HS256).unwrap();
    format!("{input}.{signature}")
}

/// The `ath` of an access token: base64url(SHA-256(token)).
pub fn ath(token: &str) -> String {
    b64(&Sha256::digest(token.as_bytes()))
}
