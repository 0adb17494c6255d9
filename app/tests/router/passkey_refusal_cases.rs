//! The passkey conformance cases of refusal: one answer whatever the
//! reason, a cloned key stopped and recorded, throttling and disabled
//! accounts, and a ceremony answered once and only by its own kind. Run by
//! `router.rs` against every backend, as the sign-in cases in
//! `passkey_cases.rs` are.

use http::Method;
use serde_json::json;

use super::passkey_cases::{add_passkey, assert_refused, passkey_sign_in, with_passkey, ORIGIN};
use super::*;
use support::SoftAuthenticator;

pub async fn a_refused_passkey_gets_one_answer_whatever_the_reason(app: TestApp) {
    let (_, key) = with_passkey(&app, "bea").await;
    let b = app.browser();

    let mut elsewhere = key.clone();
    elsewhere.origin("http://evil.localhost:3000");
    let mut unverified = key.clone();
    unverified.user_verification(false);
    let mut other_rp = key.clone();
    other_rp.rp_id_override(Some("example.com"));
    let mut unknown = SoftAuthenticator::new(ORIGIN);
    let other = app.browser();
    other.sign_up("stranger", "correct-horse").await;
    // A key of another account: registered, then signing in must not
    // carry a handle it does not own.
    add_passkey(&other, &mut unknown, "Theirs").await;
    let r = other.request(Method::GET, "/api/passkeys").await.json();
    let theirs = r["passkeys"][0]["id"].as_str().unwrap().to_string();
    let r = other
        .request(Method::DELETE, &format!("/api/passkeys/{theirs}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    let mut bodies = Vec::new();
    for key in [&mut elsewhere, &mut unverified, &mut other_rp, &mut unknown] {
        let r = passkey_sign_in(&b, key, false).await;
        assert_refused(&r);
        bodies.push(r.body);
    }
    // The right key, its assertion naming another account's user handle
    // (the handle is outside the signature): refused, not signed in as
    // either.
    let handle = other
        .post_json("/auth/passkeys/registration/options", "{}")
        .await
        .json()["publicKey"]["user"]["id"]
        .clone();
    let mut borrowed = key.clone();
    let r = b
        .post_json("/auth/passkeys/authentication/options", "{}")
        .await;
    let mut assertion = borrowed.get(&r.json());
    assertion["response"]["userHandle"] = handle;
    let body = json!({ "credential": assertion }).to_string();
    let r = b.post_json("/auth/passkeys/authentication", &body).await;
    assert_refused(&r);
    bodies.push(r.body);
    bodies.dedup();
    assert_eq!(bodies.len(), 1, "refusals tell reasons apart: {bodies:?}");

    // A replayed assertion: its ceremony is spent, and a new one has a
    // new challenge.
    let mut good = key.clone();
    let r = b
        .post_json("/auth/passkeys/authentication/options", "{}")
        .await;
    let assertion = json!({ "credential": good.get(&r.json()) }).to_string();
    let cookies = b.cookies();
    let r = b
        .post_json("/auth/passkeys/authentication", &assertion)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let fresh = app.browser();
    fresh.set_cookies(cookies);
    let r = fresh
        .post_json("/auth/passkeys/authentication", &assertion)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.auth_values().is_empty());
    fresh
        .post_json("/auth/passkeys/authentication/options", "{}")
        .await;
    assert_refused(
        &fresh
            .post_json("/auth/passkeys/authentication", &assertion)
            .await,
    );
}

pub async fn a_cloned_passkey_is_refused_and_recorded(app: TestApp) {
    let (id, mut key) = with_passkey(&app, "cal").await;
    let mut copy = key.clone();
    let b = app.browser();
    let r = passkey_sign_in(&b, &mut key, false).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The copy's counter is behind the original's: a clone. Refused, and
    // the key is stopped: the copy, its count moved on, does not get in on
    // a second try, and neither does the original (they cannot be told
    // apart).
    assert_refused(&passkey_sign_in(&app.browser(), &mut copy, false).await);
    copy.set_counter(100);
    assert_refused(&passkey_sign_in(&app.browser(), &mut copy, false).await);
    key.set_counter(200);
    assert_refused(&passkey_sign_in(&app.browser(), &mut key, false).await);
    let events = b.activity().await;
    let cloned = events.iter().filter(|(k, _)| k == "passkey_cloned").count();
    assert_eq!(cloned, 1, "{events:?}");
    let list = b.request(Method::GET, "/api/passkeys").await.json();
    assert!(list["passkeys"][0]["suspended_at"].is_i64(), "{list}");
    assert!(b.get("/account/security").await.body.contains("Stopped"));

    // Removed, and made again, the device signs in.
    let r = b
        .request(Method::DELETE, &format!("/api/passkeys/{id}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let mut fresh = SoftAuthenticator::new(ORIGIN);
    add_passkey(&b, &mut fresh, "Laptop again").await;
    assert_eq!(
        passkey_sign_in(&app.browser(), &mut fresh, false)
            .await
            .status,
        StatusCode::OK
    );
}

pub async fn passkey_sign_in_honours_throttling_and_disabled_accounts(app: TestApp) {
    let (_, mut key) = with_passkey(&app, "eve").await;
    let mut unverified = key.clone();
    unverified.user_verification(false);
    // Refusals count against the key's account as wrong passwords do:
    // five, then a lock, which the right key waits out too.
    for _ in 0..5 {
        assert_refused(&passkey_sign_in(&app.browser(), &mut unverified, false).await);
    }
    let r = passkey_sign_in(&app.browser(), &mut key, false).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.headers.contains_key(http::header::RETRY_AFTER));
    app.clock.advance(3600);
    let b = app.browser();
    assert_eq!(
        passkey_sign_in(&b, &mut key, false).await.status,
        StatusCode::OK
    );

    let id = b.get("/api/me").await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    server::accounts::disable_user(&app.state, &id)
        .await
        .unwrap();
    assert_refused(&passkey_sign_in(&app.browser(), &mut key, false).await);
}

pub async fn a_ceremony_answers_once_and_only_its_own_kind(app: TestApp) {
    let b = app.browser();
    b.sign_up("gus", "correct-horse").await;
    let mut key = SoftAuthenticator::new(ORIGIN);
    // A registration's ceremony cannot finish a sign-in, nor the reverse.
    let r = b
        .post_json("/auth/passkeys/registration/options", "{}")
        .await;
    let credential = key.create(&r.json());
    b.post_json("/auth/passkeys/authentication/options", "{}")
        .await;
    let body = json!({ "credential": credential, "name": "x" }).to_string();
    let r = b.post_json("/auth/passkeys/registration", &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("expired"));
    // No ceremony at all, and one sent twice.
    let mut fresh = SoftAuthenticator::new(ORIGIN);
    let r = b
        .post_json("/auth/passkeys/registration/options", "{}")
        .await;
    let body = json!({ "credential": fresh.create(&r.json()), "name": "y" }).to_string();
    let cookies = b.cookies();
    assert_eq!(
        b.post_json("/auth/passkeys/registration", &body)
            .await
            .status,
        StatusCode::CREATED
    );
    b.set_cookies(cookies);
    let r = b.post_json("/auth/passkeys/registration", &body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.json()["message"].as_str().unwrap().contains("expired"),
        "{}",
        r.body
    );
    // Malformed answers are a clear 4xx, never a 500.
    for junk in [
        "",
        "{",
        r#"{"credential":1}"#,
        r#"{"credential":{"id":"x"}}"#,
    ] {
        let r = b.post_json("/auth/passkeys/authentication", junk).await;
        assert!(
            r.status.is_client_error(),
            "{junk}: {} {}",
            r.status,
            r.body
        );
        assert!(r.json()["message"].is_string(), "{}", r.body);
    }
}
