//! Unit tests for access-token checks, with a fixed clock.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

use super::*;
use crate::config::JwtAlg;

const NOW: i64 = 1_800_000_000;

fn claims() -> AccessClaims {
    sample(NOW)
}

fn keys() -> Keyring {
    Keyring::random(JwtAlg::Hs256).unwrap()
}

fn b64(json: &serde_json::Value) -> String {
    URL_SAFE_NO_PAD.encode(json.to_string())
}

/// A token with any header and payload, signed with `keys` by hand.
fn forge(keys: &Keyring, header: serde_json::Value, payload: serde_json::Value) -> String {
    let signing_input = format!("{}.{}", b64(&header), b64(&payload));
    let sig = jsonwebtoken::crypto::sign(
        signing_input.as_bytes(),
        &keys.signer(NOW).encoding,
        keys.alg,
    )
    .unwrap();
    format!("{signing_input}.{sig}")
}

fn good_header(keys: &Keyring) -> serde_json::Value {
    serde_json::json!({"alg": "HS256", "typ": "at+jwt", "kid": keys.signer(NOW).kid})
}

#[test]
fn issued_tokens_verify_and_carry_the_claims() {
    for alg in [JwtAlg::Hs256, JwtAlg::EdDsa] {
        let k = Keyring::random(alg).unwrap();
        let t = issue(&k, &claims()).unwrap();
        assert_eq!(t.split('.').count(), 3);
        assert_eq!(verify(&k, &t, NOW), Ok(claims()));
        let header = decode_header(&t).unwrap();
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(header.kid.as_deref(), Some(k.signer(NOW).kid.as_str()));
    }
}

#[test]
fn expiry_is_checked_with_leeway() {
    let k = keys();
    let t = issue(&k, &claims()).unwrap();
    assert!(verify(&k, &t, NOW + 1800 + LEEWAY - 1).is_ok());
    assert_eq!(
        verify(&k, &t, NOW + 1800 + LEEWAY),
        Err(TokenError::Expired)
    );
}

#[test]
fn not_before_and_issued_at_in_the_future_are_refused() {
    let k = keys();
    let mut c = claims();
    c.nbf = NOW + 60;
    assert_eq!(
        verify(&k, &issue(&k, &c).unwrap(), NOW),
        Err(TokenError::Invalid)
    );
    let mut c = claims();
    c.iat = NOW + 60;
    assert_eq!(
        verify(&k, &issue(&k, &c).unwrap(), NOW),
        Err(TokenError::Invalid)
    );
    let mut c = claims();
    c.nbf = NOW + LEEWAY - 1;
    assert!(
        verify(&k, &issue(&k, &c).unwrap(), NOW).is_ok(),
        "within leeway"
    );
}

#[test]
fn wrong_issuer_audience_or_typ_is_refused() {
    let k = keys();
    let mut c = claims();
    c.iss = "someone-else".into();
    assert!(verify(&k, &issue(&k, &c).unwrap(), NOW).is_err());
    let mut c = claims();
    c.aud = "another-api".into();
    assert!(verify(&k, &issue(&k, &c).unwrap(), NOW).is_err());
    let payload = serde_json::to_value(claims()).unwrap();
    for typ in ["JWT", "refresh+jwt", ""] {
        let header = serde_json::json!({"alg": "HS256", "typ": typ, "kid": k.signer(NOW).kid});
        assert!(
            verify(&k, &forge(&k, header, payload.clone()), NOW).is_err(),
            "typ {typ}"
        );
    }
    let no_typ = serde_json::json!({"alg": "HS256", "kid": k.signer(NOW).kid});
    assert!(verify(&k, &forge(&k, no_typ, payload), NOW).is_err());
}

#[test]
fn tampered_or_stripped_signatures_are_refused() {
    let k = keys();
    let t = issue(&k, &claims()).unwrap();
    let (head, sig) = t.rsplit_once('.').unwrap();
    assert!(verify(&k, &format!("{head}."), NOW).is_err());
    assert!(verify(&k, head, NOW).is_err());
    let mut flipped = sig.as_bytes().to_vec();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    assert!(verify(
        &k,
        &format!("{head}.{}", String::from_utf8(flipped).unwrap()),
        NOW
    )
    .is_err());
    // A payload changed after signing.
    let mut c = claims();
    c.username = "mallory".into();
    let parts: Vec<&str> = t.split('.').collect();
    let forged_payload = b64(&serde_json::to_value(c).unwrap());
    assert!(verify(
        &k,
        &format!("{}.{forged_payload}.{}", parts[0], parts[2]),
        NOW
    )
    .is_err());
}

#[test]
fn alg_none_is_refused_in_every_spelling() {
    let k = keys();
    let payload = b64(&serde_json::to_value(claims()).unwrap());
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header =
            b64(&serde_json::json!({"alg": alg, "typ": "at+jwt", "kid": k.signer(NOW).kid}));
        for token in [
            format!("{header}.{payload}."),
            format!("{header}.{payload}"),
        ] {
            assert!(verify(&k, &token, NOW).is_err(), "alg {alg}");
        }
    }
}

#[test]
fn key_confusion_is_refused() {
    // An EdDSA server must not accept an HS256 token keyed with anything.
    let ed = Keyring::random(JwtAlg::EdDsa).unwrap();
    let hs = Keyring::hs256([7; 32], [0; 32]);
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("at+jwt".into());
    header.kid = Some(ed.signer(NOW).kid.clone());
    let t = jsonwebtoken::encode(&header, &claims(), &hs.signer(NOW).encoding).unwrap();
    assert!(verify(&ed, &t, NOW).is_err());
    // Nor an HS256 server a token signed with another HS256 key.
    let other = keys();
    let t = issue(&other, &claims()).unwrap();
    assert!(verify(&keys(), &t, NOW).is_err());
}

#[test]
fn foreign_kid_and_key_url_headers_do_not_help() {
    let k = keys();
    let payload = serde_json::to_value(claims()).unwrap();
    for header in [
        serde_json::json!({"alg": "HS256", "typ": "at+jwt", "kid": "../../dev/null"}),
        serde_json::json!({"alg": "HS256", "typ": "at+jwt", "kid": "x' UNION SELECT 1--"}),
        serde_json::json!({"alg": "HS256", "typ": "at+jwt"}),
    ] {
        assert!(verify(&k, &forge(&k, header, payload.clone()), NOW).is_err());
    }
    // jku/x5u/jwk are ignored: a token signed by an attacker's key stays refused.
    let attacker = keys();
    let header = serde_json::json!({
        "alg": "HS256", "typ": "at+jwt", "kid": k.signer(NOW).kid,
        "jku": "https://evil.example/jwks", "x5u": "https://evil.example/x5u",
        "jwk": {"kty": "oct", "k": URL_SAFE_NO_PAD.encode([7u8; 32])}
    });
    assert!(verify(&k, &forge(&attacker, header, payload), NOW).is_err());
}

#[test]
fn claims_with_wrong_types_or_missing_are_refused() {
    let k = keys();
    let mut p = serde_json::to_value(claims()).unwrap();
    p["exp"] = serde_json::json!((NOW + 1800).to_string());
    assert!(
        verify(&k, &forge(&k, good_header(&k), p), NOW).is_err(),
        "exp as a string"
    );
    for missing in ["exp", "nbf", "iat", "iss", "aud", "sub", "sid"] {
        let mut p = serde_json::to_value(claims()).unwrap();
        p.as_object_mut().unwrap().remove(missing);
        assert!(
            verify(&k, &forge(&k, good_header(&k), p), NOW).is_err(),
            "{missing} missing"
        );
    }
    let mut p = serde_json::to_value(claims()).unwrap();
    p["exp"] = serde_json::json!(i64::MAX);
    assert!(
        verify(&k, &forge(&k, good_header(&k), p), NOW).is_ok(),
        "a huge exp is only a long token"
    );
    let mut p = serde_json::to_value(claims()).unwrap();
    p["nbf"] = serde_json::json!(i64::MIN);
    p["iat"] = serde_json::json!(i64::MIN);
    // Refused (negative times), and without an arithmetic overflow.
    assert!(verify(&k, &forge(&k, good_header(&k), p), NOW).is_err());
    let mut p = serde_json::to_value(claims()).unwrap();
    p["exp"] = serde_json::json!(1e300);
    assert!(
        verify(&k, &forge(&k, good_header(&k), p), NOW).is_err(),
        "exp not an integer"
    );
}

#[test]
fn malformed_tokens_are_refused() {
    let k = keys();
    let t = issue(&k, &claims()).unwrap();
    for bad in [
        String::new(),
        "a.b".into(),
        format!("{t}.extra"),
        format!("{t}.extra.more"),
        t.replacen('.', ".+", 1),
        t.replacen('.', ".\u{e9}", 1),
        format!("{t}="),
        "x".repeat(MAX_TOKEN_LEN + 1),
        format!("{}{}", t, "A".repeat(65_536)),
    ] {
        assert!(verify(&k, &bad, NOW).is_err());
    }
}

#[test]
fn duplicate_claims_are_refused() {
    let k = keys();
    let header = b64(&good_header(&k));
    let json = serde_json::to_string(&claims()).unwrap();
    let dup = json.replacen(
        "\"sub\":\"user-1\"",
        "\"sub\":\"user-1\",\"sub\":\"admin\"",
        1,
    );
    let payload = URL_SAFE_NO_PAD.encode(dup);
    let signing_input = format!("{header}.{payload}");
    let sig = jsonwebtoken::crypto::sign(signing_input.as_bytes(), &k.signer(NOW).encoding, k.alg)
        .unwrap();
    assert!(verify(&k, &format!("{signing_input}.{sig}"), NOW).is_err());
}

#[test]
fn unused_encoding_key_type_is_never_a_fallback() {
    // A secret-based key for an EdDSA keyring cannot sign tokens that verify.
    let ed = Keyring::random(JwtAlg::EdDsa).unwrap();
    let key = EncodingKey::from_secret(b"guess");
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("at+jwt".into());
    header.kid = Some(ed.signer(NOW).kid.clone());
    let t = jsonwebtoken::encode(&header, &claims(), &key).unwrap();
    assert!(verify(&ed, &t, NOW).is_err());
}
