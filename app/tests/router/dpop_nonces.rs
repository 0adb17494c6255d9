//! DPoP server nonces (RFC 9449 §8), `LATCHKEY_DPOP_NONCES` on: a proof
//! without the nonce the server hands out is refused with
//! `use_dpop_nonce` and a fresh one in `DPoP-Nonce`, at the token endpoint
//! and at the API; the nonce of the window before still passes, an older
//! one does not.

use serde_json::{json, Value};

use super::dpop::{assert_dpop_refused, get, token_request, url};
use super::*;
use support::dpop_key::DpopKey;
use support::TestApp;

const PASSWORD_GRANT: &str = "grant_type=password&username=alice&password=correct-horse";

async fn app(db: Db) -> TestApp {
    let config = server::config::Config {
        auth_mode: server::config::AuthMode::Jwt,
        dpop_nonces: true,
        // API clients here sign in by the password grant.
        password_grant: true,
        ..server::config::Config::defaults()
    };
    let app = TestApp::with_config(db, config, Backend::Jwt);
    app.browser().sign_up("alice", "correct-horse").await;
    app
}

/// A proof by `key` for `method` `path` now, with `nonce` (if any).
fn proof(
    app: &TestApp,
    key: &DpopKey,
    method: &str,
    path: &str,
    token: Option<&str>,
    nonce: Option<&str>,
) -> String {
    let (header, mut payload) = key.parts(method, &url(app, path), app.clock.now(), token);
    if let Some(nonce) = nonce {
        payload["nonce"] = json!(nonce);
    }
    key.sign(&header, &payload)
}

fn nonce_of(r: &support::Reply) -> String {
    r.headers["dpop-nonce"].to_str().unwrap().to_string()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_proof_must_carry_a_nonce_the_server_handed_out(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    // The first request has no nonce: refused, with one to use.
    let first = proof(&app, &key, "POST", "/auth/token", None, None);
    let r = token_request(&app, PASSWORD_GRANT, &[&first]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"], "use_dpop_nonce");
    let nonce = nonce_of(&r);
    let wrong = proof(&app, &key, "POST", "/auth/token", None, Some("made-up"));
    let r = token_request(&app, PASSWORD_GRANT, &[&wrong]).await;
    assert_eq!(r.json()["error"], "use_dpop_nonce");
    let with = proof(&app, &key, "POST", "/auth/token", None, Some(&nonce));
    let r = token_request(&app, PASSWORD_GRANT, &[&with]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(nonce_of(&r), nonce, "a success hands the nonce out too");
    let t: Value = r.json();
    let access = t["access_token"].as_str().unwrap();
    let auth = format!("DPoP {access}");
    // The API: the same.
    let without = proof(&app, &key, "GET", "/api/me", Some(access), None);
    let r = get(&app, "/api/me", &auth, &[&without]).await;
    assert_dpop_refused(&r, "use_dpop_nonce", "no nonce at the API");
    assert_eq!(nonce_of(&r), nonce);
    let with = proof(&app, &key, "GET", "/api/me", Some(access), Some(&nonce));
    let r = get(&app, "/api/me", &auth, &[&with]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(nonce_of(&r), nonce);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_nonce_passes_through_the_next_window_and_not_after(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let r = token_request(
        &app,
        PASSWORD_GRANT,
        &[&proof(&app, &key, "POST", "/auth/token", None, None)],
    )
    .await;
    let old = nonce_of(&r);
    let lifetime = server::auth::dpop::nonce::LIFETIME;
    app.clock.advance(lifetime);
    let with = proof(&app, &key, "POST", "/auth/token", None, Some(&old));
    let r = token_request(&app, PASSWORD_GRANT, &[&with]).await;
    assert_eq!(r.status, StatusCode::OK, "the window before: {}", r.body);
    assert_ne!(nonce_of(&r), old, "a new window hands out a new nonce");
    app.clock.advance(lifetime);
    let with = proof(&app, &key, "POST", "/auth/token", None, Some(&old));
    let r = token_request(&app, PASSWORD_GRANT, &[&with]).await;
    assert_eq!(
        r.json()["error"],
        "use_dpop_nonce",
        "two windows on: {}",
        r.body
    );
}
