//! Accounts under attack: a password change and a disabled account end every
//! other sign-in at once, a deleted user's cookie is worthless, and every auth
//! cookie any flow sets carries the full policy.

use super::*;

const PW1: &str = "correct-horse";
const PW2: &str = "battery-staple";

fn change(current: &str, new: &str) -> String {
    format!("current_password={current}&new_password={new}")
}

/// The id of the user signed in on `b`.
async fn user_id(b: &support::Browser<'_>) -> String {
    let r = b.get("/api/me").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_string()
}

/// In JWT mode: an API client's tokens (Bearer access, refresh).
async fn api_client(app: &TestApp, password: &str) -> Option<(String, String)> {
    if !app.is_jwt() {
        return None;
    }
    let t = support::password_grant_as(app, "alice", password).await;
    Some(support::token_pair(&t))
}

/// The API client's tokens are both refused.
async fn assert_api_client_refused(app: &TestApp, tokens: Option<(String, String)>) {
    let Some((access, refresh)) = tokens else {
        return;
    };
    let r = app
        .get_with_auth("/api/me", &format!("Bearer {access}"))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "access token still works"
    );
    let r = app
        .post_api(
            "/auth/token",
            "application/x-www-form-urlencoded",
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "refresh token still works"
    );
    assert_eq!(r.json()["error"], "invalid_grant");
}

async fn password_change_signs_out_every_other_device(app: TestApp) {
    let here = app.browser();
    here.sign_up("alice", PW1).await;
    let phone = app.browser();
    phone.sign_in("alice", PW1).await;
    let api = api_client(&app, PW1).await;

    // Wrong current password, or a bad new one: nothing changes.
    for (form, says) in [
        (
            change("wrong-password", PW2),
            "current password is not correct",
        ),
        (change("", PW2), "enter your current password"),
        (change(PW1, "short"), "at least 8"),
        (change(PW1, PW1), "same as the current"),
    ] {
        let r = here.post_form("/api/change_password", &form).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{form}: {}",
            r.body
        );
        assert!(r.body.contains(says), "{form}: {}", r.body);
    }
    assert_eq!(
        phone.me().await,
        StatusCode::OK,
        "a refused change signed others out"
    );

    let before = here.cookies();
    let r = here
        .post_form("/api/change_password", &change(PW1, PW2))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.location(), Some("/account?password=changed"));
    assert_ne!(
        here.cookies(),
        before,
        "this device keeps its old credentials"
    );
    assert_eq!(
        here.me().await,
        StatusCode::OK,
        "this device was signed out"
    );

    assert_eq!(
        phone.me().await,
        StatusCode::UNAUTHORIZED,
        "the other device is still in"
    );
    assert_api_client_refused(&app, api).await;
    let replay = app.browser();
    replay.set_cookies(before);
    assert_eq!(
        replay.me().await,
        StatusCode::UNAUTHORIZED,
        "old cookies still work"
    );

    let old = app
        .browser()
        .post_form("/api/sign_in", "username=alice&password=correct-horse")
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    app.browser().sign_in("alice", PW2).await;
    let events: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM auth_events WHERE kind = 'password_changed'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(events.0, 1);
}

async fn password_change_needs_a_signed_in_user(app: TestApp) {
    app.browser().sign_up("alice", PW1).await;
    let r = app
        .browser()
        .post_form("/api/change_password", &change(PW1, PW2))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    app.browser().sign_in("alice", PW1).await;
}

async fn disabled_account_is_out_everywhere_at_once(app: TestApp) {
    let b = app.browser();
    b.sign_up("alice", PW1).await;
    let id = user_id(&b).await;
    let api = api_client(&app, PW1).await;
    assert!(server::accounts::disable_user(&app.state, &id)
        .await
        .unwrap()
        .is_some());
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER);
    assert_api_client_refused(&app, api).await;
    // Signing in again looks exactly like a wrong password.
    let disabled = app
        .browser()
        .post_form("/api/sign_in", "username=alice&password=correct-horse")
        .await;
    let wrong = app
        .browser()
        .post_form("/api/sign_in", "username=alice&password=wrong-password")
        .await;
    assert_eq!(disabled.status, StatusCode::UNAUTHORIZED);
    assert_eq!(disabled.body, wrong.body);
}

async fn a_deleted_users_credentials_are_worthless(app: TestApp) {
    let b = app.browser();
    b.sign_up("alice", PW1).await;
    let id = user_id(&b).await;
    let before = b.cookies();
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(&id)
        .execute(&app.db)
        .await
        .unwrap();
    if app.is_jwt() {
        // The refresh token is gone with the user; once the access token
        // expires nothing renews it.
        app.clock.advance(31 * 60);
    }
    b.set_cookies(before);
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
}

/// Every auth cookie set by any flow (sign-up, sign-in, refresh, password
/// change, clearing a forged cookie, sign-out) has the `__Host-` policy.
async fn every_auth_cookie_has_the_policy(app: TestApp) {
    let b = app.browser();
    let mut replies = vec![b.sign_up("alice", PW1).await, b.sign_in("alice", PW1).await];
    app.clock.advance(31 * 60);
    replies.push(b.get("/api/me").await);
    replies.push(b.post_form("/api/refresh", "").await);
    replies.push(b.post_form("/api/change_password", &change(PW1, PW2)).await);
    let forged = app.browser();
    let names = support::cookie_names(app.backend);
    forged.set_cookies(
        names
            .iter()
            .map(|n| (n.to_string(), server::auth::token::new_token()))
            .collect(),
    );
    replies.push(forged.get("/api/me").await);
    replies.push(b.post_form("/api/sign_out", "").await);
    let mut seen = 0;
    for r in &replies {
        for c in r.headers.get_all(http::header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            assert!(c.starts_with("__Host-latchkey_"), "{c}");
            for attr in ["; HttpOnly", "; Secure", "; SameSite=Lax", "; Path=/"] {
                assert!(c.contains(attr), "{attr} missing: {c}");
            }
            assert!(!c.to_lowercase().contains("domain="), "{c}");
            seen += 1;
        }
    }
    // Sign-up, sign-in, password change and sign-out each set every cookie.
    assert!(seen >= 4 * names.len(), "only {seen} cookies seen");
}

both_modes!(
    password_change_signs_out_every_other_device,
    password_change_needs_a_signed_in_user,
    disabled_account_is_out_everywhere_at_once,
    a_deleted_users_credentials_are_worthless,
    every_auth_cookie_has_the_policy,
);
