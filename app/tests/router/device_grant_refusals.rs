//! The device grant's refusals, JWT mode with the default configuration:
//! the page to anonymous visitors, malformed requests and bad proofs, wrong
//! user codes (throttled), the password grant off unless turned on, and
//! session mode.

use axum::body::Body;
use http::{header, Request};

use super::device_grant::{
    alice, app, ask, asked, assert_oauth_error, code_of, DEVICE_GRANT, FORM,
};
use super::dpop::token_request;
use super::*;
use support::dpop_key::DpopKey;
use support::TestApp;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_requests_say_what_is_wrong(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    for (case, form, error) in [
        ("no client_id", "", "invalid_request"),
        ("odd client_id", "client_id=%3Cscript%3E", "invalid_request"),
        (
            "long client_id",
            &format!("client_id={}", "a".repeat(65)),
            "invalid_request",
        ),
        (
            "unknown resource",
            "client_id=cli&resource=http://evil.example",
            "invalid_target",
        ),
    ] {
        assert_oauth_error(&ask(&app, form, None).await, error, case);
    }
    let r = ask(&app, "client_id=cli", None).await;
    assert_eq!(r.status, StatusCode::OK, "control: {}", r.body);
    // A bad proof is refused, not ignored.
    let r = app
        .send(
            Request::post("/auth/device")
                .header(header::CONTENT_TYPE, FORM)
                .header("dpop", "not.a.proof")
                .body(Body::from("client_id=cli"))
                .unwrap(),
        )
        .await;
    assert_oauth_error(&r, "invalid_dpop_proof", "bad proof");
    for (case, form, error) in [
        (
            "no device_code",
            format!("grant_type={DEVICE_GRANT}"),
            "invalid_request",
        ),
        (
            "unknown",
            format!("grant_type={DEVICE_GRANT}&device_code={}", "a".repeat(43)),
            "invalid_grant",
        ),
    ] {
        assert_oauth_error(&token_request(&app, &form, &[]).await, error, case);
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_password_grant_is_off_unless_turned_on(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    alice(&app).await;
    let password = "grant_type=password&username=alice&password=correct-horse";
    let r = token_request(&app, password, &[]).await;
    assert_oauth_error(&r, "unsupported_grant_type", "off");
    assert!(r.body.contains("LATCHKEY_PASSWORD_GRANT"), "{}", r.body);
    let meta = app
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(
        meta["grant_types_supported"],
        serde_json::json!(["refresh_token", DEVICE_GRANT])
    );
    assert_eq!(
        meta["device_authorization_endpoint"],
        format!("{}/auth/device", meta["issuer"].as_str().unwrap())
    );

    // Turned on, it works and is listed.
    let config = server::config::Config {
        password_grant: true,
        ..(*app.state.config).clone()
    };
    let on = TestApp::with_config(app.db.clone(), config, Backend::Jwt);
    let r = token_request(&on, password, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let meta = on
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert_eq!(meta["grant_types_supported"][0], "password");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn session_mode_has_no_device_grant(pool: sqlx::SqlitePool) {
    let app = TestApp::new(
        server::db::testing::from_sqlite(pool).await,
        Backend::SessionDatabase,
    );
    let browser = alice(&app).await;
    assert_oauth_error(
        &ask(&app, "client_id=cli", None).await,
        "unsupported_grant_type",
        "session",
    );
    let page = browser.get("/device?user_code=BCDF-GHJK").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("runs in session mode"), "{}", page.body);
    assert!(!page.body.contains("Code from the app"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn wrong_codes_are_refused_then_throttled(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let user_code = code_of(&asked(&app, &key).await, "user_code");
    let browser = alice(&app).await;
    for wrong in [
        "BCDF-GHJK",
        "not a code",
        "BCDFGHJK",
        "XXXX-XXXX",
        "ZZZZ-ZZZZ",
    ] {
        let page = browser
            .get(&format!("/device?user_code={}", wrong.replace(' ', "+")))
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
        assert!(
            page.body
                .contains("No sign-in request is waiting with this code"),
            "{wrong}"
        );
        assert!(page.body.contains(r#"aria-invalid="true""#), "{wrong}");
    }
    // Five misses: the account waits before trying any code, the right
    // one too.
    let page = browser.get(&format!("/device?user_code={user_code}")).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS, "{}", page.body);
    app.clock.advance(2);
    let page = browser.get(&format!("/device?user_code={user_code}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_page_needs_a_sign_in_and_comes_back(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let r = app.get("/device?user_code=BCDF-GHJK").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.location(),
        Some("/login?next=%2Fdevice%3Fuser_code%3DBCDF-GHJK")
    );
    // Without a code: the form to type it.
    let page = alice(&app).await.get("/device").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Code from the app"));
}
