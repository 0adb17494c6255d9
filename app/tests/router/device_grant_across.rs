//! What the device grant does with the features before it, JWT mode: an
//! approval by a passkey sign-in gives the app that sign-in's `amr`; an
//! account disabled between the approval and the poll gets no tokens; a
//! password change and "sign out everywhere" sign the app out like every
//! other device.

use super::device_grant::{alice, app, approved, assert_oauth_error, poll};
use super::dpop::{payload_of, token_request, url};
use super::passkey_cases::{passkey_sign_in, with_passkey};
use super::*;
use support::dpop_key::DpopKey;
use support::TestApp;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_approval_by_passkey_gives_the_app_its_amr(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let (_, mut authenticator) = with_passkey(&app, "alice").await;
    let browser = app.browser();
    let r = passkey_sign_in(&browser, &mut authenticator, true).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let how = browser.get("/api/me").await.json()["amr"].clone();
    assert_ne!(how, serde_json::json!(["pwd"]), "a passkey sign-in: {how}");

    let key = DpopKey::new();
    let device_code = approved(&app, &browser, &key).await;
    let tokens = poll(&app, &device_code, Some(&key)).await.json();
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(payload_of(access)["amr"], how);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_account_disabled_after_the_approval_gets_no_tokens(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let browser = alice(&app).await;
    let key = DpopKey::new();
    let device_code = approved(&app, &browser, &key).await;
    let id: String = sqlx::query_scalar("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    server::accounts::disable_user(&app.state, &id)
        .await
        .unwrap();
    let r = poll(&app, &device_code, Some(&key)).await;
    assert_oauth_error(&r, "access_denied", "disabled");
    assert!(r.json().get("access_token").is_none());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_password_change_signs_the_app_out(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let (browser, key, refresh) = signed_in_app(&app).await;
    browser
        .change_password("correct-horse", "battery-staple")
        .await;
    assert_signed_out(&app, &key, &refresh).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn signing_out_everywhere_ends_the_approved_app(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let (browser, key, refresh) = signed_in_app(&app).await;
    let r = browser.post_form("/api/end_all_devices", "").await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.body
    );
    assert_signed_out(&app, &key, &refresh).await;
}

/// alice in a browser, and an app with its key signed in by her approval:
/// the app's refresh token.
async fn signed_in_app(app: &TestApp) -> (support::Browser<'_>, DpopKey, String) {
    let browser = alice(app).await;
    let key = DpopKey::new();
    let device_code = approved(app, &browser, &key).await;
    let tokens = poll(app, &device_code, Some(&key)).await.json();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_string();
    (browser, key, refresh)
}

/// The app's refresh token, with a proof by its key, is refused.
async fn assert_signed_out(app: &TestApp, key: &DpopKey, refresh: &str) {
    let proof = key.proof("POST", &url(app, "/auth/token"), app.clock.now(), None);
    let form = format!("grant_type=refresh_token&refresh_token={refresh}");
    let r = token_request(app, &form, &[&proof]).await;
    assert_oauth_error(&r, "invalid_grant", "signed out");
}
