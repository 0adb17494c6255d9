//! The endpoints other services use to trust Latchkey's tokens: the JWKS and
//! key rotation seen over HTTP, the RFC 8414 metadata, and what HS256 and
//! session mode answer instead (introspection: `introspection.rs`).

use std::path::PathBuf;

use base64::Engine;
use server::auth::jwt::keys::Keyring;
use server::config::{AuthMode, Config, JwtAlg, Secret};

use super::introspection::introspect;
use super::jwt_api::{assert_invalid_token, bearer};
use super::*;
use support::password_grant;

pub(super) const SECRET: &str = "introspection-secret-for-tests";
pub(super) const FORM: &str = "application/x-www-form-urlencoded";

/// A JWT-mode app signing with an EdDSA key set kept in a new directory,
/// with introspection on, and alice signed up.
pub(super) async fn eddsa_app(db: Db) -> (TestApp, PathBuf) {
    let dir = std::env::temp_dir().join(format!("latchkey-jwks-{}", server::auth::token::new_id()));
    let keys = Keyring::load_or_create(&dir, JwtAlg::EdDsa).unwrap();
    let config = Config {
        auth_mode: AuthMode::Jwt,
        jwt_alg: JwtAlg::EdDsa,
        data_dir: dir.clone(),
        introspection_secret: Some(Secret::new(SECRET).unwrap()),
        // API clients here sign in by the password grant.
        password_grant: true,
        ..Config::defaults()
    };
    let app = TestApp::with_keys(db, config, Backend::Jwt, Some(keys));
    app.browser().sign_up("alice", "correct-horse").await;
    (app, dir)
}

async fn access_token(app: &TestApp) -> String {
    password_grant(app).await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

async fn jwks(app: &TestApp) -> jsonwebtoken::jwk::JwkSet {
    let r = app.get("/.well-known/jwks.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/jwk-set+json");
    assert_eq!(r.headers["cache-control"], "public, max-age=300");
    serde_json::from_str(&r.body).unwrap()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_token_verifies_with_the_published_key_alone(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let (app, dir) = eddsa_app(db).await;
    let token = access_token(&app).await;
    let set = jwks(&app).await;
    let raw: serde_json::Value = serde_json::to_value(&set).unwrap();
    // Public material only: an OKP key has `x`; a private one would add `d`.
    for key in raw["keys"].as_array().unwrap() {
        assert!(key.get("d").is_none(), "{key}");
        assert_eq!(key["kty"], "OKP");
        assert_eq!(key["crv"], "Ed25519");
    }
    let jwk = set
        .find(&kid_of(&token))
        .expect("the signing key is published");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&["latchkey"]);
    validation.set_issuer(&["http://127.0.0.1:3000"]);
    // The manual clock is in the past of the real one.
    validation.validate_exp = false;
    let data = jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation).unwrap();
    assert_eq!(data.claims["username"], "alice");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The `kid`s of the JWKS.
async fn published(app: &TestApp) -> Vec<String> {
    let set = jwks(app).await;
    set.keys
        .iter()
        .map(|k| k.common.key_id.clone().unwrap())
        .collect()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_rotation_overlaps_old_and_new_keys(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let (app, dir) = eddsa_app(db).await;
    let old = password_grant(&app).await["access_token"].clone();
    let old_kid = kid_of(old.as_str().unwrap());
    let overlap = 1800 + 5;
    let rotation = Keyring::rotate(&dir, app.clock.now(), 300, overlap).unwrap();
    // The servers' sync round reads the file; the new key is published at
    // once but does not sign yet.
    app.state.auth.sync().await.unwrap();
    let kids = published(&app).await;
    assert_eq!(kids, vec![old_kid.clone(), rotation.kid.clone()]);
    let t = password_grant(&app).await;
    assert_eq!(kid_of(t["access_token"].as_str().unwrap()), old_kid);
    app.clock.advance(300);
    let new = password_grant(&app).await["access_token"].clone();
    assert_eq!(kid_of(new.as_str().unwrap()), rotation.kid);
    // A token signed before the rotation still works until it expires.
    for token in [&old, &new] {
        let r = app.get_with_auth("/api/me", &bearer(token)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    app.clock.advance(1800 - 300 + 5);
    assert_invalid_token(&app.get_with_auth("/api/me", &bearer(&old)).await);
    // Once no token of the old key can be alive, it is no longer published.
    app.clock.advance(overlap);
    let kids = published(&app).await;
    assert_eq!(kids, vec![rotation.kid]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_token_naming_an_unknown_key_is_refused(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let (app, dir) = eddsa_app(db).await;
    let token = access_token(&app).await;
    let (head, rest) = token.split_once('.').unwrap();
    let mut header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE.decode(head).unwrap()).unwrap();
    header["kid"] = "no-such-key".into();
    let forged = format!("{}.{rest}", URL_SAFE.encode(header.to_string()));
    assert_invalid_token(
        &app.get_with_auth("/api/me", &format!("Bearer {forged}"))
            .await,
    );
    std::fs::remove_dir_all(dir).unwrap();
}

const URL_SAFE: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_metadata_names_every_endpoint(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let (app, dir) = eddsa_app(db).await;
    let r = app.get("/.well-known/oauth-authorization-server").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = r.json();
    let issuer = "http://127.0.0.1:3000";
    // RFC 8414 §2: `issuer` and `response_types_supported` are required;
    // the rest is what this server offers.
    assert_eq!(m["issuer"], issuer);
    assert!(m["response_types_supported"].is_array());
    assert_eq!(m["token_endpoint"], format!("{issuer}/auth/token"));
    assert_eq!(m["revocation_endpoint"], format!("{issuer}/auth/revoke"));
    assert_eq!(
        m["introspection_endpoint"],
        format!("{issuer}/auth/introspect")
    );
    assert_eq!(m["jwks_uri"], format!("{issuer}/.well-known/jwks.json"));
    // This server turned the password grant on (LATCHKEY_PASSWORD_GRANT).
    assert_eq!(
        m["grant_types_supported"],
        serde_json::json!([
            "password",
            "refresh_token",
            "urn:ietf:params:oauth:grant-type:device_code"
        ])
    );
    assert_eq!(
        m["device_authorization_endpoint"],
        format!("{issuer}/auth/device")
    );
    assert_eq!(
        m["token_endpoint_auth_methods_supported"],
        serde_json::json!(["none"])
    );
    assert_eq!(
        m["introspection_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic"])
    );
    // Every endpoint named is served here.
    for path in ["/.well-known/jwks.json"] {
        assert_eq!(app.get(path).await.status, StatusCode::OK);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn hs256_and_session_mode_publish_nothing(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let hs = TestApp::new(db.clone(), Backend::Jwt);
    let r = hs.get("/.well-known/jwks.json").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("never published"),
        "{}",
        r.body
    );
    let m = hs
        .get("/.well-known/oauth-authorization-server")
        .await
        .json();
    assert!(
        m.get("jwks_uri").is_none() && m.get("introspection_endpoint").is_none(),
        "{m}"
    );
    let r = introspect(&hs, Some("x:y"), "token=t").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        r.body.contains("LATCHKEY_INTROSPECTION_SECRET"),
        "{}",
        r.body
    );
    let session = TestApp::new(db, Backend::SessionDatabase);
    for path in [
        "/.well-known/jwks.json",
        "/.well-known/oauth-authorization-server",
    ] {
        let r = session.get(path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(r.body.contains("session mode"), "{}", r.body);
    }
}
