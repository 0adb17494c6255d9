//! The re-authentication conformance cases ("sudo mode"): a sensitive
//! action needs a proof of who the user is within the window (ten minutes
//! by default); a page's form asks for the password once the sign-in is
//! older, a JSON caller is told `401 insufficient_user_authentication`
//! with `max_age` (RFC 9470). Written once, run by `router.rs` against
//! every backend (session mode with each store, JWT mode with each).

use http::Method;

use super::*;
use support::{Browser, Reply};

const WINDOW: i64 = 600;
const CONFIRM_INPUT: &str = r#"name="confirm_password""#;

/// `401` asking for a recent proof, with the window as `max_age`.
pub fn assert_prove_again(r: &Reply) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let challenge = r.headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains(r#"error="insufficient_user_authentication""#),
        "{challenge}"
    );
    assert!(
        challenge.ends_with(&format!("max_age={WINDOW}")),
        "{challenge}"
    );
    assert_eq!(r.json()["error"], "insufficient_user_authentication");
    assert!(r.auth_set_cookies().is_empty(), "credentials changed");
}

/// The kinds of the caller's newest security events.
async fn event_kinds(b: &Browser<'_>) -> Vec<String> {
    b.activity()
        .await
        .into_iter()
        .map(|(kind, _)| kind)
        .collect()
}

pub async fn sign_out_everywhere_asks_again_once_the_sign_in_is_old(app: TestApp) {
    let me = app.browser();
    me.sign_up("ivy", "correct-horse").await;
    let other = device_cases::sign_in_from(&app, device_cases::SAFARI, "ivy", true).await;
    let page = me.get("/account/devices").await;
    assert!(!page.body.contains(CONFIRM_INPUT), "asked too early");

    // To the second, the window is still open; one more and it is not.
    app.clock.advance(WINDOW);
    let page = me.get("/account/devices").await;
    assert!(
        !page.body.contains(CONFIRM_INPUT),
        "asked within the window"
    );
    app.clock.advance(1);
    let page = me.get("/account/devices").await;
    assert!(page.body.contains(CONFIRM_INPUT), "the page asks nothing");
    assert!(page.body.contains("You signed in more than 10 minutes ago"));

    // A script with the cookies is told to prove again, and stays signed in.
    assert_prove_again(&me.request(Method::DELETE, "/api/devices").await);
    // The form without the password, then with a wrong one: refused on
    // that field, and nothing ends.
    for (form, says) in [
        ("", "enter your password to confirm it is you"),
        (
            "confirm_password=wrong-horse",
            "That password is not correct.",
        ),
    ] {
        let r = me.post_form("/api/end_all_devices", form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.json()["fields"][0]["field"], "confirm_password");
        assert!(r.body.contains(says), "{}", r.body);
        assert!(r.auth_set_cookies().is_empty());
        assert_eq!(me.me().await, StatusCode::OK);
        assert_eq!(other.me().await, StatusCode::OK);
    }
    // The wrong one counts as a failed sign-in in the trail.
    assert_eq!(event_kinds(&me).await[0], "sign_in_failed");

    // The right password: every device ends, this one too.
    let r = me
        .post_form("/api/end_all_devices", "confirm_password=correct-horse")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for name in cookie_names(app.backend) {
        assert!(r.clears(name), "{name} not cleared");
    }
    assert_eq!(other.me().await, StatusCode::UNAUTHORIZED);
    me.sign_in("ivy", "correct-horse").await;
    let kinds = event_kinds(&me).await;
    let at = kinds.iter().position(|k| k == "reauthenticated");
    let revoked = kinds.iter().position(|k| k == "device_revoked");
    assert!(
        matches!((at, revoked), (Some(a), Some(r)) if r < a),
        "{kinds:?}"
    );
}

pub async fn a_renewal_is_no_new_proof(app: TestApp) {
    let me = app.browser();
    me.sign_up("jay", "correct-horse").await;
    // Busy for 41 minutes: the session is touched, the access token
    // (30 minutes) renewed; neither is a proof of who is at the keyboard.
    for _ in 0..41 {
        app.clock.advance(60);
        assert_eq!(me.me().await, StatusCode::OK);
    }
    if app.is_jwt() {
        let account = me.get("/account").await;
        assert!(account.body.contains("Access token expires"));
    }
    assert_prove_again(&me.request(Method::DELETE, "/api/devices").await);
    let r = me.post_form("/api/end_all_devices", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The account page says the window has closed.
    let account = me.get("/account").await;
    let (_, shown) = account
        .body
        .split_once(r#"data-testid="proved-until""#)
        .unwrap();
    assert!(shown[..200].contains("31 minutes ago"), "{shown}");

    // Signing in again (which replaces this browser's old sign-in) is a
    // fresh proof: the same call goes through.
    me.sign_in("jay", "correct-horse").await;
    let r = me.request(Method::DELETE, "/api/devices").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["ended"], 1);
    assert_eq!(me.me().await, StatusCode::UNAUTHORIZED);
}

pub async fn a_password_change_by_api_needs_a_recent_sign_in(app: TestApp) {
    let me = app.browser();
    me.sign_up("kim", "correct-horse").await;
    let change = r#"{"current_password":"correct-horse","new_password":"battery-staple"}"#;
    app.clock.advance(WINDOW + 1);
    assert_prove_again(&me.post_json("/api/password", change).await);
    // The page's form asks for the current password whatever the age of
    // the sign-in: that field is its confirmation step.
    me.sign_in("kim", "correct-horse").await;
    let held = me.cookies();
    let r = me
        .post_json("/api/password", "{\"current_password\":1}")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("new_password"), "{}", r.body);
    let r = me.post_json("/api/password", change).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["password"], "changed");
    // New credentials for this device; the old ones are refused.
    assert_ne!(me.cookies(), held);
    assert_eq!(me.me().await, StatusCode::OK);
    let replay = app.browser();
    replay.set_cookies(held);
    assert_eq!(replay.me().await, StatusCode::UNAUTHORIZED);
    me.sign_in("kim", "battery-staple").await;
}
