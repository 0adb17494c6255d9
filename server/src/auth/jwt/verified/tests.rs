//! The cache never accepts what a full verification refuses: every token in
//! a varied set is checked at many times, through a cache warmed with every
//! token at every time, and compared with [`claims::verify`] on its own.

use super::*;
use crate::config::JwtAlg;

const NOW: i64 = 1_800_000_000;

fn claims(nbf: i64, iat: i64, exp: i64) -> AccessClaims {
    AccessClaims {
        iss: crate::auth::jwt::keys::DEFAULT_ISSUER.into(),
        aud: claims::AUDIENCE.into(),
        sub: "user-1".into(),
        exp,
        nbf,
        iat,
        jti: "jti-1".into(),
        sid: "sid-1".into(),
        username: "alice".into(),
        auth_time: NOW,
        amr: vec![crate::auth::Amr::Pwd],
        cnf: None,
    }
}

/// Tokens the cache must treat exactly as the full check does: valid ones,
/// ones that expire or start within the times below, ones signed with
/// another key, and every one-character change of a valid one.
fn tokens(keys: &Keyring) -> Vec<String> {
    let other = Keyring::random(JwtAlg::Hs256).unwrap();
    let mut out = vec![];
    for (nbf, iat, exp) in [
        (NOW, NOW, NOW + 1800),
        (NOW, NOW, NOW + 10),
        (NOW + 30, NOW, NOW + 1800),
        (NOW, NOW + 30, NOW + 1800),
        (NOW - 100, NOW - 100, NOW - 50),
        (i64::MIN, i64::MIN, i64::MAX),
    ] {
        out.push(claims::issue(keys, &claims(nbf, iat, exp)).unwrap());
        out.push(claims::issue(&other, &claims(nbf, iat, exp)).unwrap());
    }
    let valid = out[0].clone();
    for i in (0..valid.len()).step_by(13) {
        let mut bytes = valid.clone().into_bytes();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        out.push(String::from_utf8(bytes).unwrap());
    }
    out.push(format!("{valid}x"));
    out.push(valid[..valid.len() - 1].to_string());
    out.push(String::new());
    out
}

#[test]
fn a_cached_verification_agrees_with_a_full_one_at_every_time() {
    for alg in [JwtAlg::Hs256, JwtAlg::EdDsa] {
        let keys = Arc::new(Keyring::random(alg).unwrap());
        let cache = VerifiedTokens::new(keys.clone());
        let tokens = tokens(&keys);
        let times = [
            -120, -40, -6, -5, 0, 5, 9, 14, 15, 26, 1804, 1805, 5000, -1000,
        ];
        // Twice: the first pass fills the cache (moving back and forth in
        // time, as a clock stepped back would), the second reads from it.
        for _ in 0..2 {
            for &dt in &times {
                for t in &tokens {
                    let full = claims::verify(&keys, t, NOW + dt);
                    let cached = cache.verify(t, NOW + dt).map(|c| (*c).clone());
                    assert_eq!(cached, full, "{alg:?} at {dt:+}: {t}");
                }
            }
        }
        assert!(!cache.is_empty());
    }
}

#[test]
fn only_successes_are_remembered() {
    let keys = Arc::new(Keyring::random(JwtAlg::Hs256).unwrap());
    let cache = VerifiedTokens::new(keys.clone());
    let early = claims::issue(&keys, &claims(NOW + 60, NOW, NOW + 1800)).unwrap();
    assert_eq!(cache.verify(&early, NOW), Err(TokenError::Invalid));
    assert!(cache.is_empty());
    assert!(cache.verify(&early, NOW + 60).is_ok());
    assert_eq!(cache.len(), 1);
}

#[test]
fn the_cache_is_bounded() {
    let keys = Arc::new(Keyring::random(JwtAlg::Hs256).unwrap());
    let cache = VerifiedTokens::new(keys.clone());
    for i in 0..CAPACITY as i64 + 10 {
        let t = claims::issue(&keys, &claims(NOW, NOW, NOW + 1800 + i)).unwrap();
        cache.verify(&t, NOW).unwrap();
        assert!(cache.len() <= CAPACITY);
    }
}

#[test]
fn oversized_tokens_are_refused_unread() {
    let keys = Arc::new(Keyring::random(JwtAlg::Hs256).unwrap());
    let cache = VerifiedTokens::new(keys);
    let huge = "a".repeat(claims::MAX_TOKEN_LEN + 1);
    assert_eq!(cache.verify(&huge, NOW), Err(TokenError::Invalid));
}

#[test]
fn a_remembered_token_is_refused_once_its_key_is_retired() {
    let dir = std::env::temp_dir().join(format!("latchkey-cache-{}", crate::auth::token::new_id()));
    let keys = Arc::new(Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap());
    let cache = VerifiedTokens::new(keys.clone());
    // A lifetime longer than the overlap: only the key's retirement stops it.
    let long = claims::issue(&keys, &claims(NOW, NOW, NOW + 10_000)).unwrap();
    assert!(cache.verify(&long, NOW).is_ok());
    let overlap = keys.snapshot().overlap();
    Keyring::rotate(&dir, NOW + 1, 0, overlap).unwrap();
    assert!(keys.reload().unwrap());
    assert!(cache.verify(&long, NOW + overlap).is_ok());
    assert_eq!(
        cache.verify(&long, NOW + 1 + overlap),
        Err(TokenError::Invalid)
    );
    assert_eq!(
        claims::verify(&keys, &long, NOW + 1 + overlap),
        Err(TokenError::Invalid)
    );
    std::fs::remove_dir_all(dir).unwrap();
}
