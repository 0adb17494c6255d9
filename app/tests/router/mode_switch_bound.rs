//! What a mode switch never carries over into a session: a refresh family
//! bound to a client's key (DPoP), and one whose tokens are for a resource
//! server (RFC 8707). A browser cookie comes with no proof, and a session is
//! worth all of Latchkey's site and API.

use serde_json::Value;

use super::dpop::{app, bound_tokens, token_request, url};
use super::*;
use support::dpop_key::DpopKey;
use support::{TestApp, T0};

/// A mode switch, then the bound client's tokens: a bound refresh token put
/// in a browser cookie is not carried over into a session (a cookie comes
/// with no proof), and is still the client's after a switch back; a bearer
/// client's is carried over as before.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_mode_switch_never_turns_a_bound_refresh_token_into_a_session(pool: sqlx::SqlitePool) {
    use server::config::AuthMode;
    let db = server::db::testing::from_sqlite(pool).await;
    let jwt = app(db).await;
    let key = DpopKey::new();
    let bound = bound_tokens(&jwt, &key).await;
    let plain = support::password_grant(&jwt).await;
    let session = super::mode_switch::restart_in(&jwt, AuthMode::Session, Backend::SessionDatabase);
    let with_refresh = |t: &Value| {
        let b = session.browser();
        let refresh = t["refresh_token"].as_str().unwrap().to_string();
        b.set_cookies([("__Host-latchkey_refresh".to_string(), refresh)].into());
        b
    };
    assert_eq!(with_refresh(&bound).me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        with_refresh(&plain).me().await,
        StatusCode::OK,
        "a bearer family is carried over"
    );
    // Back in JWT mode the bound family is still its client's, and only its.
    let jwt = super::mode_switch::restart_in(&session, AuthMode::Jwt, Backend::Jwt);
    let form = format!(
        "grant_type=refresh_token&refresh_token={}",
        bound["refresh_token"].as_str().unwrap()
    );
    let r = token_request(&jwt, &form, &[]).await;
    assert_eq!(r.json()["error"], "invalid_dpop_proof", "{}", r.body);
    let proof = key.proof("POST", &url(&jwt, "/auth/token"), T0, None);
    let r = token_request(&jwt, &form, &[&proof]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["token_type"], "DPoP");
}

/// A mode switch, then a refresh token of a family whose tokens are for a
/// resource server, put in a browser cookie: not carried over into a
/// session, which would be worth all of Latchkey's site and API.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_mode_switch_never_turns_a_resource_servers_refresh_token_into_a_session(
    pool: sqlx::SqlitePool,
) {
    use server::config::{AuthMode, Config};
    let db = server::db::testing::from_sqlite(pool).await;
    let config = Config {
        auth_mode: AuthMode::Jwt,
        resources: vec!["http://notes.example".into()],
        // API clients here sign in by the password grant.
        password_grant: true,
        ..Config::defaults()
    };
    let jwt = TestApp::with_config(db, config, Backend::Jwt);
    jwt.browser().sign_up("alice", "correct-horse").await;
    let form = "grant_type=password&username=alice&password=correct-horse\
                &resource=http://notes.example";
    let r = token_request(&jwt, form, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let notes = r.json();
    let session = super::mode_switch::restart_in(&jwt, AuthMode::Session, Backend::SessionDatabase);
    let b = session.browser();
    let refresh = notes["refresh_token"].as_str().unwrap().to_string();
    b.set_cookies([("__Host-latchkey_refresh".to_string(), refresh)].into());
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
}
