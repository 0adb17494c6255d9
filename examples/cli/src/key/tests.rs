//! Tests of the key file (its mode, its checks) and of the proofs, checked
//! by Latchkey's own verifier (`dpop-proof`).

use super::*;
use crate::tests::scratch_dir;
use dpop_proof::{check, Expected, ProofError, Window};

const WINDOW: Window = Window {
    max_age: 60,
    leeway: 5,
};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn the_key_file_is_created_0600_and_reused() {
    let dir = scratch_dir("key-create");
    let key = Key::load_or_create(&dir).unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(KEY_FILE)), 0o600);
    let text = fs::read_to_string(dir.join(KEY_FILE)).unwrap();
    assert!(text.contains(r#""d":"#), "{text}");
    let again = Key::load_or_create(&dir).unwrap();
    assert_eq!(again.thumbprint(), key.thumbprint());
}

#[test]
fn a_key_file_others_may_read_is_refused() {
    let dir = scratch_dir("key-perms");
    Key::load_or_create(&dir).unwrap();
    let path = dir.join(KEY_FILE);
    for loose in [0o640, 0o604, 0o660, 0o644] {
        fs::set_permissions(&path, fs::Permissions::from_mode(loose)).unwrap();
        let Err(Fail(msg)) = Key::load_or_create(&dir) else {
            panic!("{loose:o} accepted");
        };
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(msg.contains("chmod 600"), "{msg}");
    }
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(Key::load(&dir).unwrap().is_some());
}

#[test]
fn a_corrupt_key_file_is_a_clear_error() {
    let dir = scratch_dir("key-corrupt");
    let path = dir.join(KEY_FILE);
    let mut jwk = Key::load_or_create(&dir).unwrap().public_jwk();
    let public_only = jwk.to_string();
    jwk["d"] = json!(b64(&SigningKey::random(&mut OsRng).to_bytes()));
    for (text, why) in [
        ("not json".to_string(), "expected"),
        (public_only, "no base64url `d`"),
        (jwk.to_string(), "do not match"),
    ] {
        fs::write(&path, text).unwrap();
        let Err(Fail(msg)) = Key::load(&dir) else {
            panic!("{why}: accepted")
        };
        assert!(msg.contains(why) && msg.contains(KEY_FILE), "{msg}");
    }
}

#[test]
fn a_proof_verifies_with_latchkeys_checker() {
    let key = Key::load_or_create(&scratch_dir("key-proof")).unwrap();
    let url = "http://localhost:3000/api/me";
    let now = 1_700_000_000;
    let proof = key.proof_at("GET", url, now, Some("tok"), Some("n1"));
    let expect = |method, token, nonce| Expected {
        method,
        url,
        access_token: token,
        nonce,
    };
    let ok = check(&proof, &expect("GET", Some("tok"), Some("n1")), WINDOW, now).unwrap();
    // The thumbprint is the one the server binds tokens to.
    assert_eq!(ok.jkt.as_str(), key.thumbprint());
    assert!(URL_SAFE_NO_PAD.decode(&ok.jti).unwrap().len() >= 16);
    let wrong = |e: &Expected| check(&proof, e, WINDOW, now).unwrap_err();
    assert_eq!(
        wrong(&expect("GET", Some("other"), None)),
        ProofError::AthMismatch
    );
    assert_eq!(wrong(&expect("POST", None, None)), ProofError::HtmMismatch);
    assert_eq!(
        wrong(&expect("GET", None, Some("n2"))),
        ProofError::NonceWrong
    );
    let bare = key.proof_at("GET", url, now, None, None);
    let e = check(&bare, &expect("GET", Some("tok"), None), WINDOW, now).unwrap_err();
    assert_eq!(e, ProofError::AthMissing);
    let other = key.proof_at("GET", url, now, None, None);
    let jti = |p: &str| {
        check(p, &expect("GET", None, None), WINDOW, now)
            .unwrap()
            .jti
    };
    assert_ne!(jti(&bare), jti(&other));
}

#[test]
fn proof_uses_the_clock_and_sends_the_public_key_only() {
    let key = Key::load_or_create(&scratch_dir("key-now")).unwrap();
    let url = "http://localhost:3000/auth/token";
    let proof = key.proof("POST", url, None, None);
    let expected = Expected {
        method: "POST",
        url,
        access_token: None,
        nonce: None,
    };
    check(&proof, &expected, WINDOW, crate::base::now()).unwrap();
    let header = proof.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["jwk"], key.public_jwk());
    assert!(header["jwk"].get("d").is_none());
}

/// RFC 9449's example key (§4.1) and the thumbprint it publishes (§6.1).
#[test]
fn thumbprint_matches_the_rfc_9449_example() {
    assert_eq!(
        thumbprint_of(
            "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
            "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"
        ),
        "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
    );
}
