//! What the authenticator reads and writes besides CBOR: the options JSON
//! a server sends (its `publicKey` member, credential descriptor lists),
//! base64url, the RP ID an origin implies, and the credential's public key
//! as a `COSE_Key`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use p256::ecdsa::SigningKey;
use serde_json::Value;

use super::cbor;

/// COSE algorithm identifier of ES256.
pub(super) const COSE_ES256: i64 = -7;

/// Servers send `{"publicKey": {...}}`; tests may pass the inner object.
pub(super) fn public_key_member(options: &Value) -> &Value {
    options.get("publicKey").unwrap_or(options)
}

/// Ids of a `PublicKeyCredentialDescriptor` list; absent or null means none.
pub(super) fn descriptor_ids(list: &Value) -> Vec<Vec<u8>> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|d| d["id"].as_str())
                .map(decode_b64url)
                .collect()
        })
        .unwrap_or_default()
}

/// Base64url, tolerating the padding some encoders add.
pub(super) fn decode_b64url(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .unwrap_or_else(|e| panic!("not base64url: {text:?}: {e}"))
}

/// Host of an origin such as `http://localhost:3000` (no IPv6 literals needed).
pub(super) fn host_of(origin: &str) -> String {
    let rest = origin.split_once("://").map_or(origin, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or(rest);
    authority.split(':').next().unwrap_or(authority).to_owned()
}

/// `COSE_Key` {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}, keys in
/// CTAP2 canonical order.
pub(super) fn cose_es256_key(key: &SigningKey) -> Vec<u8> {
    let point = key.verifying_key().to_encoded_point(false);
    let x = point.x().expect("uncompressed point has x");
    let y = point.y().expect("uncompressed point has y");
    let mut out = Vec::new();
    cbor::map_header(&mut out, 5);
    cbor::int(&mut out, 1);
    cbor::int(&mut out, 2);
    cbor::int(&mut out, 3);
    cbor::int(&mut out, COSE_ES256);
    cbor::int(&mut out, -1);
    cbor::int(&mut out, 1);
    cbor::int(&mut out, -2);
    cbor::bytes(&mut out, x);
    cbor::int(&mut out, -3);
    cbor::bytes(&mut out, y);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_is_taken_from_origin() {
        assert_eq!(host_of("http://localhost:3000"), "localhost");
        assert_eq!(host_of("https://example.com/path"), "example.com");
    }
}
