//! What a token bound to a key (DPoP) is refused as: a bearer token, a
//! cookie, a refresh without the key's proof, a proof already used at
//! another instance, a proof for the `Host` header's origin, and a refresh
//! token carried into a session by a mode switch.

use axum::body::Body;
use http::{header, Request};

use super::dpop::{app, assert_dpop_refused, bound_tokens, get, payload_of, token_request, url};
use super::*;
use support::dpop_key::DpopKey;
use support::{TestApp, T0};

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_bound_token_is_refused_as_a_bearer_token_and_a_bearer_one_as_dpop(
    pool: sqlx::SqlitePool,
) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let t = bound_tokens(&app, &key).await;
    let access = t["access_token"].as_str().unwrap();
    let proof = key.proof("GET", &url(&app, "/api/me"), T0, Some(access));
    let r = get(&app, "/api/me", &format!("Bearer {access}"), &[&proof]).await;
    assert_dpop_refused(&r, "invalid_token", "bound token as Bearer");
    let r = get(&app, "/api/me", &format!("Bearer {access}"), &[]).await;
    assert_dpop_refused(&r, "invalid_token", "bound token as Bearer, no proof");
    // Nor does it work as the browser's access cookie.
    let r = app
        .send(
            Request::get("/api/me")
                .header(header::COOKIE, format!("__Host-latchkey_access={access}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    // An unbound token sent as DPoP, even with a good proof, is refused.
    let plain = support::password_grant(&app).await;
    let plain = plain["access_token"].as_str().unwrap();
    let proof = key.proof("GET", &url(&app, "/api/me"), T0, Some(plain));
    let r = get(&app, "/api/me", &format!("DPoP {plain}"), &[&proof]).await;
    assert_dpop_refused(&r, "invalid_token", "bearer token as DPoP");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_bound_refresh_token_needs_a_proof_by_its_key_and_is_not_used_up_without(
    pool: sqlx::SqlitePool,
) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let t = bound_tokens(&app, &key).await;
    let form = format!(
        "grant_type=refresh_token&refresh_token={}",
        t["refresh_token"].as_str().unwrap()
    );
    let token_url = url(&app, "/auth/token");
    let other = DpopKey::new().proof("POST", &token_url, T0, None);
    for (case, proofs) in [("no proof", vec![]), ("another key", vec![other.as_str()])] {
        let r = token_request(&app, &form, &proofs).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{case}: {}", r.body);
        assert_eq!(r.json()["error"], "invalid_dpop_proof", "{case}");
    }
    let proof = key.proof("POST", &token_url, T0, None);
    let r = token_request(&app, &form, &[&proof]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let renewed = r.json();
    assert_eq!(renewed["token_type"], "DPoP");
    let access = renewed["access_token"].as_str().unwrap();
    assert_eq!(payload_of(access)["cnf"]["jkt"], key.thumbprint());
}

/// Two instances over one database and shared store (the second has the
/// first's configuration, Redis prefix included): a proof used at one is
/// refused at the other.
async fn a_proof_replayed_at_another_instance_is_refused(one: TestApp) {
    let config = (*one.state.config).clone();
    let two = TestApp::with_config(one.db.clone(), config, one.backend);
    one.browser().sign_up("alice", "correct-horse").await;
    let key = DpopKey::new();
    let t = bound_tokens(&one, &key).await;
    let access = t["access_token"].as_str().unwrap();
    let proof = key.proof("GET", &url(&one, "/api/me"), T0, Some(access));
    let auth = format!("DPoP {access}");
    assert_eq!(
        get(&one, "/api/me", &auth, &[&proof]).await.status,
        StatusCode::OK
    );
    assert_dpop_refused(
        &get(&two, "/api/me", &auth, &[&proof]).await,
        "invalid_dpop_proof",
        "replay",
    );
    let fresh = key.proof("GET", &url(&two, "/api/me"), T0, Some(access));
    assert_eq!(
        get(&two, "/api/me", &auth, &[&fresh]).await.status,
        StatusCode::OK
    );
    one.cleanup().await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_proof_replayed_at_another_instance_is_refused_database(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    a_proof_replayed_at_another_instance_is_refused(TestApp::new(db, Backend::Jwt)).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_proof_replayed_at_another_instance_is_refused_redis(pool: sqlx::SqlitePool) {
    if !support::redis_available() {
        return;
    }
    let db = server::db::testing::from_sqlite(pool).await;
    a_proof_replayed_at_another_instance_is_refused(TestApp::new(db, Backend::JwtRedis)).await;
}

/// The URL a proof must name is the configured public origin's, whatever
/// `Host` the request claims: a proof made for another host is refused even
/// when the request says it is for that host.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_proofs_url_is_the_configured_origins_never_the_host_headers(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let config = server::config::Config {
        public_origin: Some("https://auth.example.org".into()),
        ..(*app(db.clone()).await.state.config).clone()
    };
    let app = TestApp::with_config(db, config, Backend::Jwt);
    let key = DpopKey::new();
    let t = bound_tokens(&app, &key).await;
    let access = t["access_token"].as_str().unwrap();
    let me = |host: &str, proof: &str| {
        Request::get("/api/me")
            .header(header::HOST, host)
            .header(header::AUTHORIZATION, format!("DPoP {access}"))
            .header("dpop", proof)
            .body(Body::empty())
            .unwrap()
    };
    let theirs = key.proof("GET", "https://evil.example/api/me", T0, Some(access));
    let r = app.send(me("evil.example", &theirs)).await;
    assert_dpop_refused(
        &r,
        "invalid_dpop_proof",
        "a proof for the Host header's origin",
    );
    let ours = key.proof("GET", "https://auth.example.org/api/me", T0, Some(access));
    assert_eq!(
        app.send(me("evil.example", &ours)).await.status,
        StatusCode::OK
    );
}

/// "Sign out everywhere" from the browser, then the DPoP client: its bound
/// access token is refused even with a fresh proof by its key, and its bound
/// refresh token even with one.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn signing_out_everywhere_ends_a_bound_client_too(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::Jwt);
    let browser = app.browser();
    browser.sign_up("alice", "correct-horse").await;
    let key = DpopKey::new();
    let t = bound_tokens(&app, &key).await;
    let access = t["access_token"].as_str().unwrap();
    let auth = format!("DPoP {access}");
    let me = url(&app, "/api/me");
    let proof = key.proof("GET", &me, T0, Some(access));
    assert_eq!(
        get(&app, "/api/me", &auth, &[&proof]).await.status,
        StatusCode::OK
    );
    let r = browser.request(http::Method::DELETE, "/api/devices").await;
    assert!(r.status.is_success(), "{}: {}", r.status, r.body);
    let proof = key.proof("GET", &me, T0, Some(access));
    let r = get(&app, "/api/me", &auth, &[&proof]).await;
    assert_dpop_refused(&r, "invalid_token", "after signing out everywhere");
    let form = format!(
        "grant_type=refresh_token&refresh_token={}",
        t["refresh_token"].as_str().unwrap()
    );
    let proof = key.proof("POST", &url(&app, "/auth/token"), T0, None);
    let r = token_request(&app, &form, &[&proof]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["error"], "invalid_grant");
}

/// A DPoP client that changes the password (a recent sign-in) gets its new
/// tokens bound to the same key, as DPoP tokens.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_password_change_by_a_bound_client_keeps_the_binding(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let t = bound_tokens(&app, &key).await;
    let access = t["access_token"].as_str().unwrap();
    let proof = key.proof("POST", &url(&app, "/api/password"), T0, Some(access));
    let req = Request::post("/api/password")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("DPoP {access}"))
        .header("dpop", proof)
        .body(Body::from(
            r#"{"current_password":"correct-horse","new_password":"battery-staple-42"}"#,
        ))
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let renewed = r.json();
    assert_eq!(renewed["token_type"], "DPoP", "{renewed}");
    let access = renewed["access_token"].as_str().unwrap();
    assert_eq!(payload_of(access)["cnf"]["jkt"], key.thumbprint());
}

/// A bound client whose sign-in is older than the re-authentication window
/// is asked to prove again in its own scheme (RFC 9470 in a DPoP challenge),
/// and is not signed out by the refusal.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_bound_client_is_asked_to_prove_again_in_the_dpop_scheme(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let t = bound_tokens(&app, &key).await;
    let access = t["access_token"].as_str().unwrap();
    app.clock.advance(app.state.reauth.secs() + 1);
    let now = app.clock.now();
    let proof = key.proof("DELETE", &url(&app, "/api/devices"), now, Some(access));
    let req = Request::delete("/api/devices")
        .header(header::AUTHORIZATION, format!("DPoP {access}"))
        .header("dpop", proof)
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let challenge = r.headers["www-authenticate"].to_str().unwrap();
    assert!(challenge.starts_with("DPoP algs="), "{challenge}");
    assert!(
        challenge.contains(r#"error="insufficient_user_authentication""#),
        "{challenge}"
    );
    let proof = key.proof("GET", &url(&app, "/api/me"), now, Some(access));
    let r = get(&app, "/api/me", &format!("DPoP {access}"), &[&proof]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
