//! JWT mode over HTTP: the token endpoints, Bearer access, refresh in the
//! resolver, and what session mode answers instead.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use server::auth::jwt::claims::{self, AccessClaims};
use server::auth::jwt::keys::Keyring;

use super::*;
use support::{password_grant, T0, TEST_SECRET};

const FORM: &str = "application/x-www-form-urlencoded";

pub async fn app(db: Db) -> TestApp {
    let app = TestApp::new(db, Backend::Jwt);
    app.browser().sign_up("alice", "correct-horse").await;
    app
}

pub fn bearer(token: &serde_json::Value) -> String {
    format!("Bearer {}", token.as_str().unwrap())
}

pub fn assert_invalid_token(r: &support::Reply) {
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let challenge = r.headers["www-authenticate"].to_str().unwrap();
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn password_grant_gives_a_bearer_token(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let t = password_grant(&app).await;
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 1800);
    assert_eq!(t["access_token"].as_str().unwrap().split('.').count(), 3);
    let r = app
        .get_with_auth("/api/me", &bearer(&t["access_token"]))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["username"], "alice");
    // JSON bodies work as well as forms.
    let r = app
        .post_api(
            "/auth/token",
            "application/json",
            r#"{"grant_type":"password","username":"alice","password":"correct-horse"}"#,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bad_bearer_tokens_get_401_with_a_challenge(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let t = password_grant(&app).await;
    let good = t["access_token"].as_str().unwrap().to_string();
    let keys = Keyring::hs256(TEST_SECRET, [0; 32]);
    let forge = |edit: &dyn Fn(&mut AccessClaims)| {
        let mut c = AccessClaims {
            iss: server::auth::jwt::keys::DEFAULT_ISSUER.into(),
            aud: claims::AUDIENCE.into(),
            sub: "someone".into(),
            exp: T0 + 600,
            nbf: T0,
            iat: T0,
            jti: "j".into(),
            sid: "s".into(),
            username: "mallory".into(),
            auth_time: T0,
            amr: vec![server::auth::Amr::Pwd],
            cnf: None,
        };
        edit(&mut c);
        claims::issue(&keys, &c).unwrap()
    };
    let (head, payload_sig) = good.split_once('.').unwrap();
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#);
    let payload = payload_sig.split('.').next().unwrap();
    for token in [
        format!("{good}x"),
        format!("{head}.{payload}."),
        format!("{none_header}.{payload}."),
        forge(&|c| c.aud = "another-api".into()),
        forge(&|c| c.iss = "another-issuer".into()),
        forge(&|c| c.exp = T0 - 60),
        "not-a-jwt".into(),
    ] {
        assert_invalid_token(
            &app.get_with_auth("/api/me", &format!("Bearer {token}"))
                .await,
        );
    }
    // The expired genuine token, too.
    app.clock.advance(1800 + 10);
    assert_invalid_token(
        &app.get_with_auth("/api/me", &format!("Bearer {good}"))
            .await,
    );
    // Anonymous without a token: a challenge, no error code.
    let r = app.browser().get("/api/me").await;
    assert_eq!(r.headers["www-authenticate"], r#"Bearer realm="latchkey""#);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn refresh_grant_rotates_and_reuse_revokes_the_family(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let first = password_grant(&app).await;
    let refresh = |token: &serde_json::Value| {
        format!(
            "grant_type=refresh_token&refresh_token={}",
            token.as_str().unwrap()
        )
    };
    let r = app
        .post_api("/auth/token", FORM, &refresh(&first["refresh_token"]))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let second = r.json();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    app.clock.advance(11);
    let reuse = app
        .post_api("/auth/token", FORM, &refresh(&first["refresh_token"]))
        .await;
    assert_eq!(reuse.status, StatusCode::BAD_REQUEST);
    assert_eq!(reuse.json()["error"], "invalid_grant");
    let newest = app
        .post_api("/auth/token", FORM, &refresh(&second["refresh_token"]))
        .await;
    assert_eq!(
        newest.json()["error"],
        "invalid_grant",
        "the family is revoked"
    );
    assert_invalid_token(
        &app.get_with_auth("/api/me", &bearer(&second["access_token"]))
            .await,
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn revoke_stops_the_access_token_on_the_next_request(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let t = password_grant(&app).await;
    let auth = bearer(&t["access_token"]);
    assert_eq!(
        app.get_with_auth("/api/me", &auth).await.status,
        StatusCode::OK
    );
    let body = format!("token={}", t["refresh_token"].as_str().unwrap());
    assert_eq!(
        app.post_api("/auth/revoke", FORM, &body).await.status,
        StatusCode::OK
    );
    assert_invalid_token(&app.get_with_auth("/api/me", &auth).await);
    // Unknown tokens: still 200 (RFC 7009).
    let r = app.post_api("/auth/revoke", FORM, "token=nonsense").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn token_endpoint_errors_follow_rfc_6749(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    for (content_type, body, status, error) in [
        (
            FORM,
            "grant_type=password&username=alice&password=wrong-horse",
            400,
            "invalid_grant",
        ),
        (
            FORM,
            "grant_type=password&username=nobody&password=wrong-horse",
            400,
            "invalid_grant",
        ),
        (
            FORM,
            "grant_type=password&username=alice",
            400,
            "invalid_request",
        ),
        (
            FORM,
            "username=alice&password=correct-horse",
            400,
            "invalid_request",
        ),
        (
            FORM,
            "grant_type=client_credentials",
            400,
            "unsupported_grant_type",
        ),
        (FORM, "grant_type=refresh_token", 400, "invalid_request"),
        (
            FORM,
            "grant_type=refresh_token&refresh_token=forged",
            400,
            "invalid_grant",
        ),
        ("text/plain", "grant_type=password", 400, "invalid_request"),
        ("application/json", "{not json", 400, "invalid_request"),
    ] {
        let r = app.post_api("/auth/token", content_type, body).await;
        assert_eq!(r.status.as_u16(), status, "{body}: {}", r.body);
        let json = r.json();
        assert_eq!(json["error"], error, "{body}");
        assert!(!json["error_description"].as_str().unwrap().is_empty());
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn session_mode_says_so_at_the_token_endpoint(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::SessionDatabase);
    let r = app
        .post_api(
            "/auth/token",
            FORM,
            "grant_type=password&username=a&password=b",
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"], "unsupported_grant_type");
    assert!(r.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("session mode"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_expired_access_cookie_is_renewed_before_the_page_renders(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let b = app.browser();
    b.sign_in("alice", "correct-horse").await;
    let before = b.cookies();
    app.clock.advance(1800 + 60);
    let r = b.get("/account").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("alice"));
    let renewed = r.auth_values();
    assert_eq!(
        renewed.len(),
        2,
        "both cookies are rotated on this response"
    );
    for (name, value) in &renewed {
        assert_ne!(Some(value), before.get(name));
        assert!(!r.body.contains(value.as_str()), "no token in the HTML");
    }
    // The refresh server function rotates on demand.
    let r = b.post_form("/api/refresh", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.auth_values().len(), 2);
    assert_eq!(
        app.browser().post_form("/api/refresh", "").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn tokens_in_the_query_string_are_ignored(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let t = password_grant(&app).await;
    let token = t["access_token"].as_str().unwrap();
    for path in [
        format!("/api/me?access_token={token}"),
        format!("/account?access_token={token}"),
    ] {
        let r = app.browser().get(&path).await;
        assert!(
            matches!(r.status.as_u16(), 401 | 303),
            "{path}: {}",
            r.status
        );
    }
}
