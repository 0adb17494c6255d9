//! Unit tests for key files, key sets and rotation.

use super::*;
use crate::auth::jwt::claims::{self, TokenError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

const NOW: i64 = 1_800_000_000;
/// Access lifetime plus leeway, as a backend with the default settings sets it.
const OVERLAP: i64 = 1805;

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("latchkey-keys-{}", crate::auth::token::new_id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A token signed by `keys` at `at`, living the default 30 minutes.
fn token(keys: &Keyring, at: i64) -> String {
    let mut c = claims::sample(at);
    c.iss = keys.issuer().into();
    claims::issue(keys, &c).unwrap()
}

#[test]
fn keys_are_generated_once_private_and_reused() {
    let dir = temp_dir();
    let a = Keyring::load_or_create(&dir, JwtAlg::Hs256).unwrap();
    let b = Keyring::load_or_create(&dir, JwtAlg::Hs256).unwrap();
    assert_eq!(a.signer(NOW).kid, b.signer(NOW).kid);
    assert_eq!(a.refresh_secret, b.refresh_secret);
    assert_eq!(mode(&dir.join("jwt-hs256.key")), 0o600);
    let ed = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap();
    let again = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap();
    assert_eq!(ed.alg, Algorithm::EdDSA);
    assert_eq!(ed.signer(NOW).kid, again.signer(NOW).kid);
    assert_ne!(ed.signer(NOW).kid, a.signer(NOW).kid);
    assert_eq!(mode(&dir.join(file::ED25519_SET)), 0o600);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_damaged_key_file_stops_startup_with_a_message() {
    let dir = temp_dir();
    std::fs::write(dir.join("jwt-hs256.key"), b"short").unwrap();
    let err = Keyring::load_or_create(&dir, JwtAlg::Hs256).unwrap_err();
    assert!(err.to_string().contains("exactly 32"), "{err}");
    std::fs::write(dir.join(file::ED25519_SET), b"{\"keys\": 3}").unwrap();
    let err = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap_err();
    assert!(err.to_string().contains("is not a key set"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn random_keyrings_differ() {
    assert_ne!(
        Keyring::random(JwtAlg::Hs256).unwrap().signer(NOW).kid,
        Keyring::random(JwtAlg::Hs256).unwrap().signer(NOW).kid
    );
}

#[test]
fn a_seed_from_before_key_sets_becomes_the_first_key_with_its_kid() {
    let dir = temp_dir();
    let seed = [9u8; 32];
    std::fs::write(dir.join("jwt-ed25519.key"), seed).unwrap();
    let before = Keyring::ed25519(seed, [0; 32]).unwrap();
    let old_token = token(&before, NOW);
    let loaded = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap();
    assert_eq!(loaded.signer(NOW).kid, before.signer(NOW).kid);
    assert!(claims::verify(&loaded, &old_token, NOW).is_ok());
    assert!(!dir.join("jwt-ed25519.key").exists(), "one copy of the key");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_rotated_key_is_published_at_once_and_signs_after_the_delay() {
    let dir = temp_dir();
    let mut ring = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap();
    ring.set_overlap(OVERLAP);
    let first = ring.signer(NOW).kid.clone();
    let rotation = Keyring::rotate(&dir, NOW, 300, OVERLAP).unwrap();
    assert!(ring.reload().unwrap(), "the changed file is read again");
    assert!(!ring.reload().unwrap(), "and only once");
    let published = |at| -> Vec<String> {
        let set = ring.jwks(at).unwrap();
        set.keys
            .iter()
            .map(|k| k.common.key_id.clone().unwrap())
            .collect()
    };
    // Published at once, signing only from NOW + 300.
    assert_eq!(published(NOW), vec![first.clone(), rotation.kid.clone()]);
    assert_eq!(ring.signer(NOW + 299).kid, first);
    assert_eq!(ring.signer(NOW + 300).kid, rotation.kid);
    // The first key verifies until its last token has expired, then goes.
    assert_eq!(published(NOW + 300 + OVERLAP - 1).len(), 2);
    assert_eq!(published(NOW + 300 + OVERLAP), vec![rotation.kid.clone()]);
    let set = ring.snapshot();
    let states = set.states(NOW + 300);
    assert_eq!(states[0].1, KeyState::Previous);
    assert_eq!(states[0].2, Some(NOW + 300 + OVERLAP));
    assert_eq!(states[1].1, KeyState::Current);
    // The next rotation drops the retired key from the file.
    let later = Keyring::rotate(&dir, NOW + 300 + OVERLAP, 0, OVERLAP).unwrap();
    assert_eq!(later.dropped, vec![first]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_token_signed_before_a_rotation_verifies_until_it_expires_then_not() {
    let dir = temp_dir();
    let mut ring = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap();
    ring.set_overlap(OVERLAP);
    // Signed one second before the new key takes over: the latest token
    // the old key can sign.
    let old = token(&ring, NOW - 1);
    Keyring::rotate(&dir, NOW, 0, OVERLAP).unwrap();
    ring.reload().unwrap();
    let new = token(&ring, NOW);
    assert_ne!(
        jsonwebtoken::decode_header(&old).unwrap().kid,
        jsonwebtoken::decode_header(&new).unwrap().kid
    );
    assert!(claims::verify(&ring, &old, NOW).is_ok());
    assert!(claims::verify(&ring, &old, NOW + 1799 + claims::LEEWAY - 1).is_ok());
    assert_eq!(
        claims::verify(&ring, &old, NOW + 1799 + claims::LEEWAY),
        Err(TokenError::Expired)
    );
    // Past the overlap the key itself is gone, whatever a token claims.
    assert_eq!(
        claims::verify(&ring, &old, NOW + OVERLAP),
        Err(TokenError::Invalid)
    );
    assert!(claims::verify(&ring, &new, NOW + 1000).is_ok());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn another_instance_reads_a_key_it_does_not_know_when_a_token_names_it() {
    let dir = temp_dir();
    let signer = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap();
    let other = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap();
    Keyring::rotate(&dir, NOW, 0, OVERLAP).unwrap();
    signer.reload().unwrap();
    let fresh = token(&signer, NOW);
    // `other` has not read the file since; the unknown kid makes it look.
    assert!(claims::verify(&other, &fresh, NOW).is_ok());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_token_naming_a_key_nobody_has_is_refused() {
    let dir = temp_dir();
    let ring = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap();
    let stranger = Keyring::random(JwtAlg::EdDsa).unwrap();
    assert_eq!(
        claims::verify(&ring, &token(&stranger, NOW), NOW),
        Err(TokenError::Invalid)
    );
    // The same token again inside the second does not read the file again.
    assert_eq!(
        claims::verify(&ring, &token(&stranger, NOW), NOW),
        Err(TokenError::Invalid)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_jwks_holds_public_keys_only() {
    let seed = [5u8; 32];
    let ring = Keyring::ed25519(seed, [6; 32]).unwrap();
    let json = serde_json::to_value(ring.jwks(NOW).unwrap()).unwrap();
    let key = &json["keys"][0];
    let mut names: Vec<&str> = key
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["alg", "crv", "kid", "kty", "use", "x"]);
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    let text = json.to_string();
    assert!(!text.contains(&URL_SAFE_NO_PAD.encode(seed)));
    assert!(Keyring::random(JwtAlg::Hs256).unwrap().jwks(NOW).is_none());
}

#[test]
fn the_keys_command_may_run_before_any_server_made_the_directory() {
    let dir = temp_dir().join("not-yet");
    let rotation = Keyring::rotate(&dir, NOW, 0, OVERLAP).unwrap();
    let set = Keyring::read_set(&dir, OVERLAP).unwrap();
    let states = set.states(NOW);
    assert_eq!(states.len(), 2);
    assert_eq!(states[1].0.kid, rotation.kid);
    std::fs::remove_dir_all(dir.parent().unwrap()).unwrap();
}
