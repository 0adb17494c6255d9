//! The passkey conformance cases: adding a passkey, signing in with it
//! without a username, and every way a passkey sign-in must be refused,
//! driven through the public JSON endpoints with a software authenticator
//! (ES256, "none" attestation). Written once, run by `router.rs` against
//! every backend (session mode with each store, JWT mode with each): a
//! passkey proves who someone is, and each backend must remember it as it
//! remembers a password sign-in.

use http::Method;
use serde_json::json;

use super::*;
use support::{Browser, Reply, SoftAuthenticator};

/// The origin of a test app: `localhost` on the default site port.
pub const ORIGIN: &str = "http://localhost:3000";
const REFUSED: &str = "passkey_refused";

/// Adds a passkey made by `key` to `b`'s account; its id.
pub async fn add_passkey(b: &Browser<'_>, key: &mut SoftAuthenticator, name: &str) -> String {
    let r = b
        .post_json("/auth/passkeys/registration/options", "{}")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let credential = key.create(&r.json());
    let body = json!({ "credential": credential, "name": name });
    let r = b
        .post_json("/auth/passkeys/registration", &body.to_string())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["passkey"]["name"], name);
    r.json()["passkey"]["id"].as_str().unwrap().to_string()
}

/// One passkey sign-in by `key` from `b`, start to answer.
pub async fn passkey_sign_in(
    b: &Browser<'_>,
    key: &mut SoftAuthenticator,
    remember: bool,
) -> Reply {
    let r = b
        .post_json("/auth/passkeys/authentication/options", "{}")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let assertion = key.get(&r.json());
    let body = json!({ "credential": assertion, "remember": remember });
    b.post_json("/auth/passkeys/authentication", &body.to_string())
        .await
}

/// The one answer every refused passkey gets: `401`, nothing issued.
fn assert_refused(r: &Reply) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert_eq!(r.json()["error"], REFUSED, "{}", r.body);
    assert!(
        r.auth_values().is_empty(),
        "credentials issued: {:?}",
        r.auth_values()
    );
}

/// An account `name` with one passkey; the browser that made it (signed
/// in), the passkey's id and its authenticator.
async fn with_passkey(app: &TestApp, name: &str) -> (String, SoftAuthenticator) {
    let b = app.browser();
    b.sign_up(name, "correct-horse").await;
    let mut key = SoftAuthenticator::new(ORIGIN);
    let id = add_passkey(&b, &mut key, "Laptop").await;
    (id, key)
}

async fn event_kinds_and_causes(b: &Browser<'_>) -> Vec<(String, Option<String>)> {
    let r = b.request(Method::GET, "/api/activity").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let cause = e["cause"].as_str().map(str::to_string);
            (e["kind"].as_str().unwrap().to_string(), cause)
        })
        .collect()
}

pub async fn a_passkey_signs_in_without_a_username(app: TestApp) {
    // The ceremonies' script is on the pages that run one, and only there.
    for (path, wanted) in [("/login", true), ("/", false), ("/signup", false)] {
        let page = app.get(path).await;
        assert_eq!(
            page.body.contains(r#"src="/passkeys.js""#),
            wanted,
            "{path}"
        );
    }
    let (id, mut key) = with_passkey(&app, "ada").await;

    // A new browser, no username typed: the key names the account.
    let b = app.browser();
    let r = passkey_sign_in(&b, &mut key, false).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["username"], "ada");
    assert!(
        r.clears("__Host-latchkey_ceremony"),
        "the ceremony cookie stays"
    );
    // Signed in exactly as a password sign-in: the mode's cookies, under
    // the cookie policy; not kept past the browser without "keep me
    // signed in".
    let cookies = r.auth_set_cookies();
    for name in cookie_names(app.backend) {
        let c = cookies.iter().find(|c| c.starts_with(name)).expect(name);
        for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(c.contains(attr), "{attr} missing: {c}");
        }
        assert!(!c.contains("Max-Age"), "kept without being asked: {c}");
    }
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
    let r = b.get("/api/me").await;
    assert_eq!(r.json()["username"], "ada");
    // How it was proved (RFC 8176): a synced passkey.
    assert_eq!(r.json()["amr"], json!(["swk"]));

    // "Keep me signed in" is honoured, and each sign-in is a device.
    let kept = app.browser();
    let r = passkey_sign_in(&kept, &mut key, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.auth_set_cookies().iter().any(|c| c.contains("Max-Age")));
    let devices = kept.request(Method::GET, "/api/devices").await.json();
    assert_eq!(devices["devices"].as_array().unwrap().len(), 3);

    // The list says when it was last used; the trail says how.
    let list = b.request(Method::GET, "/api/passkeys").await.json();
    let passkey = &list["passkeys"][0];
    assert_eq!(passkey["id"], id.as_str());
    assert_eq!(passkey["synced"], true);
    assert_eq!(passkey["discoverable"], true);
    assert!(passkey["last_used_at"].is_i64(), "{passkey}");
    let events = event_kinds_and_causes(&b).await;
    assert!(
        events.contains(&("sign_in_ok".into(), Some("passkey".into()))),
        "{events:?}"
    );
    assert!(
        events.iter().any(|(k, _)| k == "passkey_added"),
        "{events:?}"
    );

    // A key bound to one device (not backed up) is told apart.
    let mut bound = SoftAuthenticator::new(ORIGIN);
    bound.backed_up(false);
    add_passkey(&kept, &mut bound, "Security key").await;
    let c = app.browser();
    assert_eq!(
        passkey_sign_in(&c, &mut bound, false).await.status,
        StatusCode::OK
    );
    assert_eq!(c.get("/api/me").await.json()["amr"], json!(["hwk"]));
    let list = c.request(Method::GET, "/api/passkeys").await.json();
    let bound = list["passkeys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Security key");
    assert_eq!(bound.unwrap()["synced"], false, "{list}");
}

pub async fn a_passkey_sign_in_is_a_device_like_any_other(app: TestApp) {
    let (_, mut key) = with_passkey(&app, "lou").await;
    let by_key = app.browser();
    assert_eq!(
        passkey_sign_in(&by_key, &mut key, true).await.status,
        StatusCode::OK
    );
    // Signed in again on the same browser: the old device ends, as with a
    // password.
    let old = by_key.cookies();
    assert_eq!(
        passkey_sign_in(&by_key, &mut key, true).await.status,
        StatusCode::OK
    );
    let stale = app.browser();
    stale.set_cookies(old);
    assert_eq!(stale.me().await, StatusCode::UNAUTHORIZED);
    // "Sign out everywhere" from a password sign-in ends it too; the key
    // itself stays and signs in again.
    let me = app.browser();
    me.sign_in("lou", "correct-horse").await;
    let r = me.request(Method::DELETE, "/api/devices").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(by_key.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        passkey_sign_in(&by_key, &mut key, false).await.status,
        StatusCode::OK
    );
    assert_eq!(by_key.me().await, StatusCode::OK);
}

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
    let events = event_kinds_and_causes(&b).await;
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

pub async fn a_removed_passkey_stops_at_once(app: TestApp) {
    let b = app.browser();
    b.sign_up("dee", "correct-horse").await;
    let mut api_key = SoftAuthenticator::new(ORIGIN);
    let mut page_key = SoftAuthenticator::new(ORIGIN);
    let by_api = add_passkey(&b, &mut api_key, "Phone").await;
    let by_page = add_passkey(&b, &mut page_key, "Security key").await;
    let page = b.get("/account/security").await;
    assert!(page.body.contains("Phone") && page.body.contains("Security key"));

    let r = b
        .request(Method::DELETE, &format!("/api/passkeys/{by_api}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_refused(&passkey_sign_in(&app.browser(), &mut api_key, false).await);
    // Removing it twice, or another account's, finds nothing.
    let r = b
        .request(Method::DELETE, &format!("/api/passkeys/{by_api}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The page's form, as a plain post: removed, and back to the page.
    let r = b
        .post_plain_form(
            "/api/remove_passkey",
            &format!("id={by_page}"),
            "/account/security",
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    assert_eq!(r.location(), Some("/account/security?done=removed"));
    assert_refused(&passkey_sign_in(&app.browser(), &mut page_key, false).await);
    let list = b.request(Method::GET, "/api/passkeys").await.json();
    assert_eq!(list["passkeys"], json!([]));
    let events = event_kinds_and_causes(&b).await;
    let removed = events
        .iter()
        .filter(|(k, _)| k == "passkey_removed")
        .count();
    assert_eq!(removed, 2, "{events:?}");
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

pub async fn adding_or_removing_a_passkey_needs_a_recent_sign_in(app: TestApp) {
    let b = app.browser();
    b.sign_up("fay", "correct-horse").await;
    let mut key = SoftAuthenticator::new(ORIGIN);
    let id = add_passkey(&b, &mut key, "Laptop").await;
    app.clock.advance(601);

    let page = b.get("/account/security").await;
    assert!(
        page.body.contains(r#"name="confirm_password""#),
        "the page asks nothing"
    );
    let r = b
        .post_json("/auth/passkeys/registration/options", "{}")
        .await;
    super::reauth_cases::assert_prove_again(&r);
    let r = b
        .post_json(
            "/auth/passkeys/registration/options",
            r#"{"confirm_password":"wrong"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = b
        .request(Method::DELETE, &format!("/api/passkeys/{id}"))
        .await;
    super::reauth_cases::assert_prove_again(&r);
    let r = b
        .post_form("/api/remove_passkey", &format!("id={id}"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["fields"][0]["field"], "confirm_password");
    assert_eq!(
        b.request(Method::GET, "/api/passkeys").await.json()["passkeys"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The password typed again: the action goes ahead.
    let r = b
        .post_json(
            "/auth/passkeys/registration/options",
            r#"{"confirm_password":"correct-horse"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let form = format!("id={id}&confirm_password=correct-horse");
    let r = b
        .post_plain_form("/api/remove_passkey", &form, "/account/security")
        .await;
    assert_eq!(r.location(), Some("/account/security?done=removed"));
    // A passkey sign-in is a fresh proof, as a password one is.
    let mut second = SoftAuthenticator::new(ORIGIN);
    let fresh = app.browser();
    fresh.sign_in("fay", "correct-horse").await;
    add_passkey(&fresh, &mut second, "Phone").await;
    app.clock.advance(601);
    let by_key = app.browser();
    assert_eq!(
        passkey_sign_in(&by_key, &mut second, false).await.status,
        StatusCode::OK
    );
    let r = by_key
        .post_json("/auth/passkeys/registration/options", "{}")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
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

pub async fn the_user_handle_names_no_one(app: TestApp) {
    let b = app.browser();
    b.sign_up("hal", "correct-horse").await;
    let me = b.get("/api/me").await.json();
    let r = b
        .post_json("/auth/passkeys/registration/options", "{}")
        .await;
    let user = &r.json()["publicKey"]["user"];
    use base64::Engine;
    let handle = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(user["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(handle.len(), 16, "a UUID");
    let text = String::from_utf8_lossy(&handle);
    assert!(!text.contains("hal"), "the handle holds the name");
    assert!(!text.contains(me["id"].as_str().unwrap()));
    // The same account keeps the same handle; another gets its own.
    let again = b
        .post_json("/auth/passkeys/registration/options", "{}")
        .await;
    assert_eq!(again.json()["publicKey"]["user"]["id"], user["id"]);
    let other = app.browser();
    other.sign_up("ida", "correct-horse").await;
    let theirs = other
        .post_json("/auth/passkeys/registration/options", "{}")
        .await;
    assert_ne!(theirs.json()["publicKey"]["user"]["id"], user["id"]);
}

pub async fn passkeys_are_renamed_from_the_page_and_the_api(app: TestApp) {
    let (id, _) = with_passkey(&app, "joan").await;
    let b = app.browser();
    b.sign_in("joan", "correct-horse").await;
    let r = b
        .post_plain_form(
            "/api/rename_passkey",
            &format!("id={id}&name=Work+laptop"),
            "/account/security",
        )
        .await;
    assert_eq!(r.location(), Some("/account/security?done=renamed"));
    assert!(b
        .get("/account/security")
        .await
        .body
        .contains("Work laptop"));
    let req = json!({ "name": "  " }).to_string();
    let r = b
        .send_json(Method::PATCH, &format!("/api/passkeys/{id}"), &req)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let req = json!({ "name": "Desk" }).to_string();
    let r = b
        .send_json(Method::PATCH, &format!("/api/passkeys/{id}"), &req)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let list = b.request(Method::GET, "/api/passkeys").await.json();
    assert_eq!(list["passkeys"][0]["name"], "Desk");
    // Someone else's passkey is not found.
    let other = app.browser();
    other.sign_up("kit", "correct-horse").await;
    let r = other
        .send_json(Method::PATCH, &format!("/api/passkeys/{id}"), &req)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = other
        .request(Method::DELETE, &format!("/api/passkeys/{id}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let list = b.request(Method::GET, "/api/passkeys").await.json();
    assert_eq!(list["passkeys"][0]["name"], "Desk", "removed by another");
}
