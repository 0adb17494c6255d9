//! The passkey conformance cases: adding a passkey, signing in with it
//! without a username, a passkey sign-in as a device like any other, and a
//! user handle that names no one (refusals: `passkey_refusal_cases.rs`;
//! managing keys: `passkey_manage_cases.rs`), driven through the public JSON
//! endpoints with a software authenticator
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
pub fn assert_refused(r: &Reply) {
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
pub async fn with_passkey(app: &TestApp, name: &str) -> (String, SoftAuthenticator) {
    let b = app.browser();
    b.sign_up(name, "correct-horse").await;
    let mut key = SoftAuthenticator::new(ORIGIN);
    let id = add_passkey(&b, &mut key, "Laptop").await;
    (id, key)
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
    let events = b.activity().await;
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
