//! Re-authentication for bearer clients (JWT mode, RFC 9470): a token whose
//! `auth_time` is older than the window gets `401
//! insufficient_user_authentication` with `max_age` on a sensitive
//! endpoint; a token from a fresh sign-in goes through, and a refreshed
//! token keeps the `auth_time` of the sign-in it descends from.

use axum::body::Body;
use http::{header, Method, Request};

use super::jwt_api::{app, bearer};
use super::reauth_cases::assert_prove_again;
use super::*;
use support::{password_grant, password_grant_as, token_pair, TestApp};

const WINDOW: i64 = 600;
const CHANGE: &str = r#"{"current_password":"correct-horse","new_password":"battery-staple"}"#;

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    json: &str,
) -> support::Reply {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, token)
        .header(header::CONTENT_TYPE, "application/json");
    app.send(req.body(Body::from(json.to_string())).unwrap())
        .await
}

async fn refreshed(app: &TestApp, refresh: &str) -> serde_json::Value {
    let form = format!("grant_type=refresh_token&refresh_token={refresh}");
    let r = app
        .post_api("/auth/token", "application/x-www-form-urlencoded", &form)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_old_tokens_sensitive_call_is_asked_to_sign_in_again(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let t = password_grant(&app).await;
    app.clock.advance(WINDOW + 1);
    // A refreshed token is no new proof: it carries the sign-in's time.
    let (_, refresh) = token_pair(&t);
    let t = refreshed(&app, &refresh).await;
    let token = bearer(&t["access_token"]);
    assert_eq!(
        app.get_with_auth("/api/me", &token).await.status,
        StatusCode::OK
    );
    for (method, path, body) in [
        (Method::DELETE, "/api/devices", ""),
        (Method::POST, "/api/password", CHANGE),
    ] {
        assert_prove_again(&call(&app, method, path, &token, body).await);
    }
    // Nothing changed: the token still works, the password is the old one.
    assert_eq!(
        app.get_with_auth("/api/me", &token).await.status,
        StatusCode::OK
    );

    // A fresh sign-in: signing out everywhere goes through, and ends all
    // three (the browser that signed up, the old token's, this one).
    let fresh = bearer(&password_grant(&app).await["access_token"]);
    let r = call(&app, Method::DELETE, "/api/devices", &fresh, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["ended"], 3);
    for token in [&token, &fresh] {
        let r = app.get_with_auth("/api/me", token).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_fresh_token_changes_the_password_and_gets_new_tokens(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let old = bearer(&password_grant(&app).await["access_token"]);
    let token = bearer(&password_grant(&app).await["access_token"]);
    // Bad bodies are told apart and change nothing.
    for (body, status) in [
        ("not json", StatusCode::BAD_REQUEST),
        (
            r#"{"current_password":"correct-horse"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            r#"{"current_password":"wrong-horse","new_password":"battery-staple"}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = call(&app, Method::POST, "/api/password", &token, body).await;
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(r.json()["error"], "invalid_request", "{}", r.body);
    }
    let r = call(&app, Method::POST, "/api/password", &token, CHANGE).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["cache-control"], "no-store");
    assert!(
        r.auth_set_cookies().is_empty(),
        "a bearer client got cookies"
    );
    let new = bearer(&r.json()["access_token"]);
    assert_eq!(
        app.get_with_auth("/api/me", &new).await.status,
        StatusCode::OK
    );
    // Every earlier token is refused, and only the new password signs in.
    for earlier in [&old, &token] {
        let r = app.get_with_auth("/api/me", earlier).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    password_grant_as(&app, "alice", "battery-staple").await;
}
