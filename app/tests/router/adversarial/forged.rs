//! Forged and malformed access tokens (RFC 8725 §2–3), refused over both
//! transports in both modes; key confusion against an EdDSA deployment.

use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::json;
use server::auth::jwt::keys::Keyring;
use server::config::{AuthMode, Config};

use super::forgery::{forgeries, ours, sign, with};
use super::*;

/// A real access token of a signed-in user, and its refresh token, issued
/// by a JWT-mode app over the same database (session-mode apps get tokens
/// from a JWT twin, so the same forgeries are tried against them).
async fn real_tokens(app: &TestApp) -> (String, String) {
    let jwt = TestApp::new(app.db.clone(), Backend::Jwt);
    jwt.browser().sign_up("alice", "correct-horse").await;
    support::token_pair(&support::password_grant(&jwt).await)
}

/// Forged tokens are refused over both transports; the same harness's
/// unmodified control tokens are accepted in JWT mode.
async fn forged_access_tokens_are_refused(app: TestApp) {
    let (access, refresh) = real_tokens(&app).await;
    if app.is_jwt() {
        assert_accepted(&app, "real token", &access).await;
        let control = ours(&segment(&access, 0), &segment(&access, 1));
        assert_accepted(&app, "re-signed token", &control).await;
    } else {
        // A session-mode server takes no JWT, however valid.
        assert_refused(&app, "a valid JWT in session mode", &access).await;
    }
    for (case, token) in forgeries(&access, &refresh) {
        assert_refused(&app, &case, &token).await;
    }
}

/// An access token is not a refresh token, in the body or in the cookie.
async fn access_token_is_no_refresh_token(app: TestApp) {
    let (access, _) = real_tokens(&app).await;
    let r = app
        .post_api(
            "/auth/token",
            "application/x-www-form-urlencoded",
            &format!("grant_type=refresh_token&refresh_token={access}"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let b = app.browser();
    b.set_cookies(BTreeMap::from([(REFRESH.to_string(), access.clone())]));
    assert_eq!(
        b.post_form("/api/refresh", "").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
}

/// Credentials in the query string are never read, whatever the name.
async fn credentials_in_the_url_are_ignored(app: TestApp) {
    let b = app.browser();
    b.sign_up("bob", "correct-horse").await;
    let (access, _) = real_tokens(&app).await;
    let mut values: Vec<String> = b.cookies().into_values().collect();
    values.push(access);
    for value in values {
        for name in ["access_token", "token", "session", ACCESS, SESSION] {
            for path in ["/api/me", "/account"] {
                let r = app.browser().get(&format!("{path}?{name}={value}")).await;
                assert!(
                    matches!(r.status.as_u16(), 401 | 303),
                    "{path}?{name}=…: {}",
                    r.status
                );
            }
        }
    }
}

/// A request with an `Authorization` header is judged by it alone: a refused
/// token is not rescued by the valid cookies the same request carries.
async fn a_refused_bearer_is_not_rescued_by_cookies(app: TestApp) {
    let b = app.browser();
    b.sign_up("bob", "correct-horse").await;
    assert_eq!(b.me().await, StatusCode::OK);
    let cookies: Vec<String> = b
        .cookies()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let req = http::Request::get("/api/me")
        .header(http::header::COOKIE, cookies.join("; "))
        .header(http::header::AUTHORIZATION, "Bearer not-a-token")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::UNAUTHORIZED);
}

both_modes!(
    forged_access_tokens_are_refused,
    access_token_is_no_refresh_token,
    credentials_in_the_url_are_ignored,
    a_refused_bearer_is_not_rescued_by_cookies,
);

/// Against an EdDSA deployment: HS256 tokens keyed with its public key (the
/// classic algorithm confusion), and tokens signed by another Ed25519 key.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn eddsa_key_confusion_is_refused(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let seed = [9u8; 32];
    let public = ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes();
    let config = Config {
        auth_mode: AuthMode::Jwt,
        // API clients here sign in by the password grant.
        password_grant: true,
        ..Config::defaults()
    };
    let keys = Keyring::ed25519(seed, [7; 32]).unwrap();
    let app = TestApp::with_keys(db, config, Backend::Jwt, Some(keys));
    app.browser().sign_up("alice", "correct-horse").await;
    let access = support::password_grant(&app).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_accepted(&app, "real EdDSA token", &access).await;
    let h = segment(&access, 0);
    let p = segment(&access, 1).to_string();
    assert_eq!(h["alg"], "EdDSA");
    let hs = with(&h, &[("alg", json!("HS256"))]);
    for (name, secret) in [
        ("raw public key", public.to_vec()),
        ("base64url public key", b64(public).into_bytes()),
        (
            "JWK x value",
            format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, b64(public)).into_bytes(),
        ),
    ] {
        let token = sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(&secret),
            &hs,
            &p,
        );
        assert_refused(&app, &format!("HS256 keyed with the {name}"), &token).await;
    }
    let other = Keyring::ed25519([10u8; 32], [7; 32]).unwrap();
    let token = sign(Algorithm::EdDSA, &other.signer(0).encoding, &h, &p);
    assert_refused(&app, "another Ed25519 key", &token).await;
}
