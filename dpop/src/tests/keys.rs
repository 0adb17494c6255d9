//! The key checks, on proofs otherwise valid: the header's `jwk` must be a
//! public key of the kind `alg` names, and the signature must verify with it.

use serde_json::json;

use super::{b64, claims, remove, run, with_header, Key, ProofError, NOW, URL};

#[test]
fn the_jwk_must_be_present() {
    let proof = with_header(|h| remove(h, "jwk"));
    assert_eq!(run(&proof), Err(ProofError::JwkMissing));
    assert_eq!(
        run(&with_header(|h| h["jwk"] = json!("key"))),
        Err(ProofError::JwkInvalid)
    );
}

#[test]
fn a_jwk_with_private_members_is_refused() {
    for member in ["d", "p", "q", "dp", "dq", "qi", "k", "oth"] {
        let proof = with_header(|h| h["jwk"][member] = json!(b64([1; 32])));
        assert_eq!(run(&proof), Err(ProofError::JwkPrivate), "{member}");
    }
}

#[test]
fn the_jwk_must_be_the_kind_alg_names() {
    let ed = Key::ed25519(1).jwk();
    let mut p384 = Key::es256(1).jwk();
    p384["crv"] = json!("P-384");
    let mut short_x = Key::es256(1).jwk();
    short_x["x"] = json!(b64([1; 31]));
    let mut no_y = Key::es256(1).jwk();
    remove(&mut no_y, "y");
    for jwk in [ed, p384, short_x, no_y] {
        assert_eq!(
            run(&with_header(|h| h["jwk"] = jwk.clone())),
            Err(ProofError::JwkInvalid)
        );
    }
    let key = Key::ed25519(1);
    let mut header = key.header();
    header["jwk"] = Key::es256(1).jwk();
    assert_eq!(
        run(&key.proof(&header, &claims())),
        Err(ProofError::JwkInvalid)
    );
}

/// jsonwebtoken (p256) refuses a point that is not on the curve.
#[test]
fn a_p256_point_off_the_curve_is_refused() {
    let proof = with_header(|h| h["jwk"]["y"] = json!(b64([1; 32])));
    assert_eq!(run(&proof), Err(ProofError::JwkInvalid));
}

#[test]
fn a_tampered_payload_fails_the_signature() {
    for key in [Key::es256(1), Key::ed25519(1)] {
        let valid = key.valid_proof();
        let segments: Vec<&str> = valid.split('.').collect();
        let forged = b64(json!({ "jti": "x", "htm": "GET", "htu": URL, "iat": NOW }).to_string());
        let proof = format!("{}.{forged}.{}", segments[0], segments[2]);
        assert_eq!(run(&proof), Err(ProofError::SignatureInvalid));
    }
}

#[test]
fn a_proof_signed_by_another_key_than_its_jwk_fails() {
    for (signer, named) in [
        (Key::es256(2), Key::es256(1)),
        (Key::ed25519(2), Key::ed25519(1)),
    ] {
        let proof = signer.proof(&named.header(), &claims());
        assert_eq!(run(&proof), Err(ProofError::SignatureInvalid));
    }
}

#[test]
fn a_malformed_signature_fails() {
    let key = Key::es256(1);
    let valid = key.valid_proof();
    let (input, _) = valid.rsplit_once('.').unwrap();
    let raw = p256::ecdsa::Signature::from_slice(&key.sign(input.as_bytes())).unwrap();
    // A valid ECDSA signature as DER (not JWS's r || s), then none at all.
    for signature in [b64(raw.to_der()), String::new()] {
        assert_eq!(
            run(&format!("{input}.{signature}")),
            Err(ProofError::SignatureInvalid)
        );
    }
}
