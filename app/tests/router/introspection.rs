//! RFC 7662 introspection: what a caller with the secret learns about a
//! token, what one without it gets, and the throttle on wrong secrets.

use base64::Engine;

use super::discovery::{eddsa_app, FORM, SECRET};
use super::jwt_api::bearer;
use super::*;
use support::password_grant;

pub(super) async fn introspect(
    app: &TestApp,
    credentials: Option<&str>,
    body: &str,
) -> support::Reply {
    let mut req = http::Request::post("/auth/introspect").header(http::header::CONTENT_TYPE, FORM);
    if let Some(c) = credentials {
        let basic = base64::engine::general_purpose::STANDARD.encode(c);
        req = req.header(http::header::AUTHORIZATION, format!("Basic {basic}"));
    }
    app.send(req.body(axum::body::Body::from(body.to_string())).unwrap())
        .await
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn introspection_answers_callers_with_the_secret(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let (app, dir) = eddsa_app(db).await;
    let t = password_grant(&app).await;
    let token = t["access_token"].as_str().unwrap();
    let body = format!("token={token}");
    for wrong in [
        None,
        Some("notes:wrong-secret-of-some-length"),
        Some("notes"),
    ] {
        let r = introspect(&app, wrong, &body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{wrong:?}: {}", r.body);
        assert!(r.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic "));
        assert!(!r.body.contains("active"), "{}", r.body);
    }
    let caller = format!("notes:{SECRET}");
    let r = introspect(&app, Some(&caller), &body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["cache-control"], "no-store");
    let a = r.json();
    // RFC 7662 §2.2: `active`, and for an active token what it says.
    assert_eq!(a["active"], true);
    assert_eq!(a["username"], "alice");
    assert_eq!(a["token_type"], "Bearer");
    let me = app
        .get_with_auth("/api/me", &bearer(&t["access_token"]))
        .await
        .json();
    assert_eq!(a["sub"], me["id"]);
    assert_eq!(a["iat"], app.clock.now());
    assert_eq!(a["exp"], app.clock.now() + 1800);
    assert!(a["sid"].as_str().is_some_and(|s| !s.is_empty()));
    // The device signs out (RFC 7009): its unexpired token is inactive now.
    let refresh = t["refresh_token"].as_str().unwrap();
    let r = app
        .post_api("/auth/revoke", FORM, &format!("token={refresh}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = introspect(&app, Some(&caller), &body).await;
    assert_eq!(r.json(), serde_json::json!({"active": false}));
    // Anything else is inactive too, including the refresh token itself.
    for other in ["token=not-a-token", &format!("token={refresh}")] {
        let r = introspect(&app, Some(&caller), other).await;
        assert_eq!(r.json(), serde_json::json!({"active": false}), "{other}");
    }
    let r = introspect(&app, Some(&caller), "tokn=x").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "invalid_request");
    std::fs::remove_dir_all(dir).unwrap();
}

/// Wrong secrets from one address meet a `429` with `Retry-After` (the
/// right one too, while locked); another address is not affected.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn wrong_introspection_secrets_are_throttled_per_address(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let (app, dir) = eddsa_app(db).await;
    let from = |peer: &str, credentials: &str| {
        let basic = base64::engine::general_purpose::STANDARD.encode(credentials);
        http::Request::post("/auth/introspect")
            .header(http::header::CONTENT_TYPE, FORM)
            .header(http::header::AUTHORIZATION, format!("Basic {basic}"))
            .extension(axum::extract::ConnectInfo(
                peer.parse::<std::net::SocketAddr>().unwrap(),
            ))
            .body(axum::body::Body::from("token=t"))
            .unwrap()
    };
    let mut statuses = Vec::new();
    for i in 0..60 {
        let r = app
            .send(from(
                "203.0.113.9:4000",
                &format!("notes:wrong-{i:02}-secret-guess"),
            ))
            .await;
        statuses.push(r.status);
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers.contains_key("retry-after"), "{:?}", r.headers);
            assert_eq!(r.json()["error"], "slow_down");
        }
    }
    let first = statuses
        .iter()
        .position(|s| *s == StatusCode::TOO_MANY_REQUESTS)
        .expect("a 429 within 60 wrong secrets");
    assert!(
        statuses[..first]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    let right = format!("notes:{SECRET}");
    let locked = app.send(from("203.0.113.9:4000", &right)).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "locked for all"
    );
    let other = app.send(from("198.51.100.7:4000", &right)).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
    std::fs::remove_dir_all(dir).unwrap();
}
