//! The auth conformance cases: written once, run by `router.rs` against
//! every backend (session mode with each store, JWT mode with each).

use super::*;
use server::auth::token;

pub use super::activity_cases::*;
pub use super::device_cases::*;
pub use super::inspect_cases::*;
pub use super::passkey_cases::*;
pub use super::passkey_manage_cases::*;
pub use super::passkey_refusal_cases::*;
pub use super::reauth_cases::*;

pub async fn sign_up_sets_policy_cookies(app: TestApp) {
    let b = app.browser();
    let r = b.sign_up("Alice", "correct-horse").await;
    let cookies = r.auth_set_cookies();
    assert_eq!(
        cookies.len(),
        cookie_names(app.backend).len(),
        "{cookies:?}"
    );
    for c in &cookies {
        for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(c.contains(attr), "{attr} missing: {c}");
        }
        assert!(!c.to_lowercase().contains("domain"), "{c}");
    }
    for name in cookie_names(app.backend) {
        let value = &r.auth_values()[*name];
        assert!(value.len() >= 22, "{name}={value}");
    }
    assert_eq!(r.location(), Some("/account"));
}

pub async fn account_needs_a_session(app: TestApp) {
    let b = app.browser();
    let r = b.get("/account").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), Some("/login?next=%2Faccount"));
    b.sign_up("bob", "correct-horse").await;
    let r = b.get("/account").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("bob"),
        "username missing from the account page"
    );
    for value in b.cookies().values() {
        assert!(
            !r.body.contains(value.as_str()),
            "a credential appears in the HTML"
        );
    }
}

pub async fn every_sign_in_gets_new_credentials(app: TestApp) {
    app.browser().sign_up("carol", "correct-horse").await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..100 {
        let r = app.browser().sign_in("carol", "correct-horse").await;
        for value in r.auth_values().into_values() {
            assert!(seen.insert(value), "a credential was issued twice");
        }
    }
    assert_eq!(seen.len(), 100 * cookie_names(app.backend).len());
}

pub async fn sign_out_ends_the_session(app: TestApp) {
    let b = app.browser();
    b.sign_up("dave", "correct-horse").await;
    let before = b.cookies();
    let r = b.post_form("/api/sign_out", "").await;
    assert_eq!(r.status, StatusCode::OK);
    for name in cookie_names(app.backend) {
        assert!(r.clears(name), "{name} not cleared");
    }
    // Replaying the old cookies after sign-out gets nothing.
    b.set_cookies(before);
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER);
    b.set_cookies(b.cookies());
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
}

pub async fn no_session_fixation(app: TestApp) {
    app.browser().sign_up("erin", "correct-horse").await;
    // An attacker plants well-formed credentials of their choosing.
    let planted: BTreeMap<String, String> = cookie_names(app.backend)
        .iter()
        .map(|n| (n.to_string(), token::new_token()))
        .collect();
    let victim = app.browser();
    victim.set_cookies(planted.clone());
    let r = victim.sign_in("erin", "correct-horse").await;
    for (name, value) in r.auth_values() {
        assert_ne!(Some(&value), planted.get(&name), "{name} was adopted");
    }
    let attacker = app.browser();
    attacker.set_cookies(planted);
    assert_eq!(attacker.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(victim.me().await, StatusCode::OK);
}

pub async fn signing_in_again_replaces_the_old_session(app: TestApp) {
    let b = app.browser();
    b.sign_up("fay", "correct-horse").await;
    let first = b.cookies();
    b.sign_in("fay", "correct-horse").await;
    assert_ne!(first, b.cookies());
    assert_eq!(b.me().await, StatusCode::OK);
    let old = app.browser();
    old.set_cookies(first);
    assert_eq!(old.me().await, StatusCode::UNAUTHORIZED);
}

pub async fn forged_cookies_never_authenticate(app: TestApp) {
    app.browser().sign_up("gus", "correct-horse").await;
    for forged in [
        token::new_token(),
        "x".into(),
        "A".repeat(43),
        "A".repeat(5000),
    ] {
        for name in cookie_names(app.backend) {
            let b = app.browser();
            b.set_cookies(BTreeMap::from([(name.to_string(), forged.clone())]));
            let r = b.get("/api/me").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name}={forged}");
            assert!(
                r.auth_set_cookies().iter().any(|c| c.contains("Max-Age=0")),
                "an unknown cookie is cleared"
            );
        }
    }
}

pub async fn idle_timeout_ends_a_quiet_session(app: TestApp) {
    let b = app.browser();
    b.sign_up("hal", "correct-horse").await;
    let idle = 24 * 3600;
    app.clock.advance(idle - 10);
    assert_eq!(b.me().await, StatusCode::OK);
    // Activity slid the deadline: another almost-idle period is fine.
    app.clock.advance(idle - 10);
    assert_eq!(b.me().await, StatusCode::OK);
    app.clock.advance(idle);
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER);
}

pub async fn absolute_timeout_ends_an_active_session(app: TestApp) {
    let b = app.browser();
    b.sign_up("ivy", "correct-horse").await;
    // Stay active every 12 hours for 14 days.
    for _ in 0..27 {
        app.clock.advance(12 * 3600);
        assert_eq!(b.me().await, StatusCode::OK);
    }
    app.clock.advance(12 * 3600);
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
}

pub async fn me_is_json(app: TestApp) {
    let b = app.browser();
    let r = b.get("/api/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["error"], "unauthorized");
    b.sign_up("jan", "correct-horse").await;
    let r = b.get("/api/me").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["username"], "jan");
}
