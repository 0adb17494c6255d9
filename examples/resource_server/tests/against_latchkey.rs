//! The resource server against a real Latchkey (JWT mode, EdDSA) served on a
//! loopback port: tokens are accepted with no database and no shared
//! secret, bad ones are refused, a key rotation costs one key-set fetch,
//! an issuer that stops answering holds up no request with a known key and
//! gets at most one fetch attempt per cooldown (`key_set`), introspection
//! makes a revocation count at once, and a token is for one service and,
//! when bound to a key, for its client only (`audiences_and_keys`). The
//! Latchkey and the services under test: `harness`.

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use resource_server::Verifier;
use server::auth::jwt::claims;
use server::auth::jwt::keys::Keyring;
use server::config::JwtAlg;

#[path = "against_latchkey/harness.rs"]
mod harness;
use harness::*;

#[tokio::test]
async fn a_latchkey_token_is_accepted_with_no_database_and_no_secret() {
    let latchkey = Latchkey::start().await;
    let (url, _) = by_signature(&latchkey, Duration::ZERO).await;
    let token = latchkey.token().await;
    let res = get_notes(&url, &token).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["username"], "alice");
    assert_eq!(body["checked_by"], "signature");
    // With Latchkey gone, the token still checks: the key is all it takes.
    let Latchkey { task, dir, .. } = latchkey;
    task.abort();
    let _ = task.await;
    assert_eq!(get_notes(&url, &token).await.status(), 200);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn tampered_expired_and_foreign_tokens_are_refused() {
    let latchkey = Latchkey::start().await;
    let (url, _) = by_signature(&latchkey, Duration::ZERO).await;
    let token = latchkey.token().await;
    // One payload character changed: the signature no longer matches.
    let (head, rest) = token.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["username"] = "mallory".into();
    let tampered = format!(
        "{head}.{}.{sig}",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    // Latchkey's own key, but expired; its key, but another issuer.
    let own = Keyring::load_or_create(&latchkey.dir, JwtAlg::EdDsa).unwrap();
    let expired = latchkey.forge(&own, |c| {
        c.iat -= 3600;
        c.nbf -= 3600;
        c.exp -= 3600;
    });
    let other_issuer = latchkey.forge(&own, |c| c.iss = "http://elsewhere.example".into());
    // A key Latchkey never had, with and without Latchkey's kid.
    let foreign = Keyring::random(JwtAlg::EdDsa).unwrap();
    let stranger = latchkey.forge(&foreign, |_| {});
    let own_kid = jsonwebtoken::decode_header(&token).unwrap().kid.unwrap();
    let (_, s_rest) = stranger.split_once('.').unwrap();
    let header = serde_json::json!({"alg": "EdDSA", "typ": "at+jwt", "kid": own_kid});
    let impostor = format!("{}.{s_rest}", URL_SAFE_NO_PAD.encode(header.to_string()));
    assert_eq!(
        get_notes(&url, &latchkey.forge(&own, |_| {}))
            .await
            .status(),
        200
    );
    for (what, bad) in [
        ("tampered", tampered),
        ("expired", expired),
        ("another issuer", other_issuer),
        ("foreign key", stranger),
        ("foreign key under our kid", impostor),
        ("not a token", "abc".to_string()),
    ] {
        let res = get_notes(&url, &bad).await;
        assert_eq!(res.status(), 401, "{what}");
        let challenge = res.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(challenge.contains("invalid_token"), "{what}: {challenge}");
    }
    latchkey.stop();
}

#[tokio::test]
async fn introspection_makes_a_revocation_count_at_once() {
    let latchkey = Latchkey::start().await;
    let [signature_url, issuer_url] = both_checks(&latchkey, "latchkey").await;
    let grant = latchkey.grant().await;
    let token = grant["access_token"].as_str().unwrap();
    let res = get_notes(&issuer_url, token).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["checked_by"], "introspection");
    // The device signs out (RFC 7009).
    let res = reqwest::Client::new()
        .post(format!("{}/auth/revoke", latchkey.url))
        .form(&[("token", grant["refresh_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // Introspection refuses the token now; the signature alone cannot know
    // until the token expires: the trade-off in one assertion each.
    assert_eq!(get_notes(&issuer_url, token).await.status(), 401);
    assert_eq!(get_notes(&signature_url, token).await.status(), 200);
    // A wrong secret fails every request loudly (503), never passes one.
    let wrong = Some(("notes".to_string(), "not-the-secret-at-all".to_string()));
    let bad = Verifier::connect(&latchkey.url, "latchkey", wrong, Duration::ZERO)
        .await
        .unwrap();
    let (bad_url, _) = notes(bad).await;
    assert_eq!(get_notes(&bad_url, token).await.status(), 503);
    latchkey.stop();
}

#[path = "against_latchkey/key_set.rs"]
mod key_set;

#[path = "against_latchkey/audiences_and_keys.rs"]
mod audiences_and_keys;
