//! The payload checks, on proofs with a valid signature: claim types, `htm`,
//! `htu`, the `iat` window, `nonce` and `ath`; and the error codes.

use serde_json::json;

use super::{b64, claims, expected, remove, run, with_claims, Key, NOW, URL, WINDOW};
use super::{check, Claim, Expected, ProofError, Window, ALGS};

#[test]
fn each_required_claim_must_be_present() {
    for claim in [Claim::Jti, Claim::Htm, Claim::Htu, Claim::Iat] {
        let proof = with_claims(|c| remove(c, claim.name()));
        assert_eq!(run(&proof), Err(ProofError::ClaimMissing(claim)));
    }
}

#[test]
fn each_required_claim_must_have_its_type() {
    let cases = [
        (Claim::Jti, json!(7)),
        (Claim::Jti, json!("")),
        (Claim::Jti, json!("j".repeat(257))),
        (Claim::Htm, json!(["POST"])),
        (Claim::Htu, json!(null)),
        (Claim::Iat, json!("1700000000")),
        (Claim::Iat, json!(1_700_000_000.5)),
    ];
    for (claim, value) in cases {
        let proof = with_claims(|c| c[claim.name()] = value.clone());
        assert_eq!(run(&proof), Err(ProofError::ClaimInvalid(claim)), "{value}");
    }
    assert!(run(&with_claims(|c| c["jti"] = json!("j".repeat(256)))).is_ok());
}

#[test]
fn htm_must_be_the_method_exactly() {
    for htm in ["GET", "post", "POST "] {
        let proof = with_claims(|c| c["htm"] = json!(htm));
        assert_eq!(run(&proof), Err(ProofError::HtmMismatch), "{htm}");
    }
}

#[test]
fn htu_must_be_this_url() {
    for htu in [
        "https://as.example.com/token2",
        "https://as.example.com/token/",
        "https://as.example.com/",
        "https://other.example.com/token",
        "http://as.example.com/token",
        "https://as.example.com:8443/token",
        "https://user@as.example.com/token",
        "/token",
        "as.example.com/token",
        "https://as.example.com/%2Ftoken",
        "not a url",
        "",
    ] {
        let proof = with_claims(|c| c["htu"] = json!(htu));
        assert_eq!(run(&proof), Err(ProofError::HtuMismatch), "{htu}");
    }
}

#[test]
fn htu_is_compared_after_normalization_without_query_or_fragment() {
    for htu in [
        "https://as.example.com/token?state=1",
        "https://as.example.com/token#top",
        "https://as.example.com/token?",
        "HTTPS://AS.Example.COM:443/token",
        "https://as.example.com/a/../token",
        "https://as.example.com/%74oken",
    ] {
        let proof = with_claims(|c| c["htu"] = json!(htu));
        assert!(run(&proof).is_ok(), "{htu}");
    }
    // Percent-encodings of reserved characters compare without case.
    let expected = Expected {
        url: "https://as.example.com/a%2Fb",
        ..expected()
    };
    let proof = with_claims(|c| c["htu"] = json!("https://as.example.com/a%2fb"));
    assert!(check(&proof, &expected, WINDOW, NOW).is_ok());
}

#[test]
fn iat_must_be_within_the_window() {
    let at = |iat: i64| run(&with_claims(|c| c["iat"] = json!(iat)));
    assert!(at(NOW - 65).is_ok(), "max_age + leeway");
    assert!(at(NOW + 5).is_ok(), "leeway");
    assert_eq!(at(NOW - 66), Err(ProofError::IatTooOld));
    assert_eq!(at(NOW + 6), Err(ProofError::IatInFuture));
    assert_eq!(at(i64::MIN), Err(ProofError::IatTooOld));
    assert_eq!(at(i64::MAX), Err(ProofError::IatInFuture));
    let beyond_i64 = with_claims(|c| c["iat"] = json!(u64::MAX));
    assert_eq!(run(&beyond_i64), Err(ProofError::IatInFuture));
}

#[test]
fn extreme_clocks_and_windows_do_not_overflow() {
    let proof = Key::es256(1).valid_proof();
    let wide = Window {
        max_age: i64::MAX,
        leeway: i64::MAX,
    };
    assert!(check(&proof, &expected(), wide, i64::MAX).is_ok());
    // i64::MIN + i64::MAX is -1: still before the proof's iat.
    assert_eq!(
        check(&proof, &expected(), wide, i64::MIN),
        Err(ProofError::IatInFuture)
    );
    let tight = Window {
        max_age: i64::MIN,
        leeway: i64::MIN,
    };
    assert_eq!(
        check(&proof, &expected(), tight, i64::MAX),
        Err(ProofError::IatTooOld)
    );
    assert_eq!(
        check(&proof, &expected(), tight, i64::MIN),
        Err(ProofError::IatInFuture)
    );
    assert!(
        check(&proof, &expected(), tight, NOW).is_ok(),
        "negative settings act as 0"
    );
}

#[test]
fn a_demanded_nonce_must_be_there() {
    let expected = Expected {
        nonce: Some("n-0S6_WzA2Mj"),
        ..expected()
    };
    let at = |proof: &str| check(proof, &expected, WINDOW, NOW);
    assert_eq!(at(&with_claims(|_| ())), Err(ProofError::NonceMissing));
    assert_eq!(
        at(&with_claims(|c| c["nonce"] = json!("old"))),
        Err(ProofError::NonceWrong)
    );
    assert_eq!(
        at(&with_claims(|c| c["nonce"] = json!(1))),
        Err(ProofError::NonceWrong)
    );
    assert!(at(&with_claims(|c| c["nonce"] = json!("n-0S6_WzA2Mj"))).is_ok());
    // Without a demand, a nonce is ignored.
    assert!(run(&with_claims(|c| c["nonce"] = json!("old"))).is_ok());
}

#[test]
fn ath_must_hash_the_access_token() {
    let token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    let expected = Expected {
        access_token: Some(token),
        ..expected()
    };
    let at = |proof: &str| check(proof, &expected, WINDOW, NOW);
    // The hash is computed independently of the checker (RFC 9449 §4.2).
    let ath = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo";
    assert!(at(&with_claims(|c| c["ath"] = json!(ath))).is_ok());
    assert_eq!(at(&with_claims(|_| ())), Err(ProofError::AthMissing));
    let other = b64(<sha2::Sha256 as sha2::Digest>::digest("another token"));
    assert_eq!(
        at(&with_claims(|c| c["ath"] = json!(other))),
        Err(ProofError::AthMismatch)
    );
    assert_eq!(
        at(&with_claims(|c| c["ath"] = json!(null))),
        Err(ProofError::AthMismatch)
    );
    // Without a token, ath is not looked at.
    assert!(run(&with_claims(|c| c["ath"] = json!("anything"))).is_ok());
}

/// Claims are read only once the signature holds, and the checks run in
/// the documented order.
#[test]
fn checks_run_in_order() {
    let key = Key::es256(1);
    let valid = key.valid_proof();
    let bad_htm = b64(json!({ "jti": "x", "htm": "GET", "htu": URL, "iat": NOW }).to_string());
    let parts: Vec<&str> = valid.split('.').collect();
    let forged = format!("{}.{bad_htm}.{}", parts[0], parts[2]);
    assert_eq!(run(&forged), Err(ProofError::SignatureInvalid));
    let mut header = key.header();
    header["typ"] = json!("JWT");
    header["alg"] = json!("none");
    assert_eq!(
        run(&key.proof(&header, &claims())),
        Err(ProofError::WrongTyp)
    );
    let stale_elsewhere = with_claims(|c| {
        c["htu"] = json!("https://other.example.com/");
        c["iat"] = json!(0);
    });
    assert_eq!(run(&stale_elsewhere), Err(ProofError::HtuMismatch));
}

#[test]
fn only_nonce_errors_ask_for_a_nonce() {
    use ProofError::*;
    let all = [
        TooLong,
        Malformed,
        WrongTyp,
        AlgNotAllowed,
        CritUnsupported,
        JwkMissing,
        JwkPrivate,
        JwkInvalid,
        SignatureInvalid,
        ClaimMissing(Claim::Jti),
        ClaimInvalid(Claim::Iat),
        HtmMismatch,
        HtuMismatch,
        IatTooOld,
        IatInFuture,
        NonceMissing,
        NonceWrong,
        AthMissing,
        AthMismatch,
    ];
    for error in all {
        let nonce = matches!(error, NonceMissing | NonceWrong);
        let code = if nonce {
            "use_dpop_nonce"
        } else {
            "invalid_dpop_proof"
        };
        assert_eq!(error.code(), code);
        assert!(error.description().starts_with("The DPoP proof"));
        assert!(error.description().ends_with('.'));
        assert_eq!(error.to_string(), error.description());
    }
    for alg in ALGS {
        assert!(
            AlgNotAllowed.description().contains(alg),
            "{alg} is not listed"
        );
    }
}
