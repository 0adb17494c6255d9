//! The device authorization grant (RFC 8628), JWT mode with the default
//! configuration (the password grant off): an app asks for a code, the
//! signed-in person approves it at `/device`, the app's poll gets tokens
//! bound to its DPoP key, once; every other answer of §3.5, wrong codes
//! throttled, and what the approval does to the device list and activity.

use axum::body::Body;
use http::{header, Request};
use serde_json::{json, Value};

use super::dpop::{get, payload_of, token_request, url};
use super::*;
use support::dpop_key::DpopKey;
use support::{Reply, TestApp};

pub(super) const FORM: &str = "application/x-www-form-urlencoded";
const CLI: &str = "latchkey-cli/0.1.0";
pub(super) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

pub(super) async fn app(db: Db) -> TestApp {
    let config = server::config::Config {
        auth_mode: server::config::AuthMode::Jwt,
        ..server::config::Config::defaults()
    };
    TestApp::with_config(db, config, Backend::Jwt)
}

/// alice, signed up in a browser of `app`.
pub(super) async fn alice(app: &TestApp) -> support::Browser<'_> {
    let browser = app.browser();
    browser.sign_up("alice", "correct-horse").await;
    browser
}

/// `POST /auth/device` with `form`, as the command-line app, proved by
/// `key` when given.
pub(super) async fn ask(app: &TestApp, form: &str, key: Option<&DpopKey>) -> Reply {
    let mut req = Request::post("/auth/device")
        .header(header::CONTENT_TYPE, FORM)
        .header(header::USER_AGENT, CLI);
    if let Some(key) = key {
        let proof = key.proof("POST", &url(app, "/auth/device"), app.clock.now(), None);
        req = req.header("dpop", proof);
    }
    app.send(req.body(Body::from(form.to_string())).unwrap())
        .await
}

/// A request by the app with `key`: its JSON answer.
pub(super) async fn asked(app: &TestApp, key: &DpopKey) -> Value {
    let r = ask(app, "client_id=latchkey-cli", Some(key)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["cache-control"], "no-store");
    r.json()
}

/// A poll with `device_code`, proved by `key` when given.
pub(super) async fn poll(app: &TestApp, device_code: &str, key: Option<&DpopKey>) -> Reply {
    let form =
        format!("grant_type={DEVICE_GRANT}&device_code={device_code}&client_id=latchkey-cli");
    let proofs: Vec<String> = key
        .map(|k| k.proof("POST", &url(app, "/auth/token"), app.clock.now(), None))
        .into_iter()
        .collect();
    let proofs: Vec<&str> = proofs.iter().map(String::as_str).collect();
    token_request(app, &form, &proofs).await
}

pub(super) fn assert_oauth_error(r: &Reply, error: &str, case: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{case}: {}", r.body);
    assert_eq!(r.json()["error"], error, "{case}: {}", r.body);
    let description = r.json()["error_description"].as_str().unwrap().to_string();
    assert!(description.len() > 20, "{case}: {description}");
}

/// The device code and the user code of a request's answer.
pub(super) fn codes(answer: &Value) -> (String, String) {
    (code_of(answer, "device_code"), code_of(answer, "user_code"))
}

/// A request by an app with `key`, approved by `browser`: its device code.
pub(super) async fn approved(
    app: &TestApp,
    browser: &support::Browser<'_>,
    key: &DpopKey,
) -> String {
    let (device_code, user_code) = codes(&asked(app, key).await);
    let form = format!("user_code={user_code}&decision=approve");
    let r = browser.post_form("/api/decide_device", &form).await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.body
    );
    device_code
}

pub(super) fn code_of(answer: &Value, field: &str) -> String {
    answer[field].as_str().unwrap().to_string()
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_app_signs_in_by_a_code_a_person_approves(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let answer = asked(&app, &key).await;
    let (device_code, user_code) = codes(&answer);
    let origin = app.state.config.origin();
    assert_eq!(answer["verification_uri"], format!("{origin}/device"));
    assert_eq!(
        answer["verification_uri_complete"],
        format!("{origin}/device?user_code={user_code}")
    );
    assert_eq!(
        (answer["expires_in"].as_i64(), answer["interval"].as_i64()),
        (Some(600), Some(5))
    );
    assert_eq!(user_code.len(), 9, "{user_code}");

    assert_oauth_error(
        &poll(&app, &device_code, Some(&key)).await,
        "authorization_pending",
        "first poll",
    );
    assert_oauth_error(
        &poll(&app, &device_code, Some(&key)).await,
        "slow_down",
        "too soon",
    );

    // The person sees who asks for what, then approves.
    let browser = alice(&app).await;
    let page = browser
        .get(&format!("/device?user_code={}", user_code.to_lowercase()))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for shown in [
        "latchkey-cli",
        "latchkey-cli 0.1",
        "Approve",
        "Deny",
        "Bound to a key",
        &user_code,
    ] {
        assert!(page.body.contains(shown), "{shown} not on the page");
    }
    let r = browser
        .post_form(
            "/api/decide_device",
            &format!("user_code={user_code}&decision=approve"),
        )
        .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}: {}",
        r.status,
        r.body
    );

    // Only the key that asked redeems it; a wrong poll uses nothing up.
    app.clock.advance(10);
    let r = poll(&app, &device_code, None).await;
    assert_eq!(r.json()["error"], "invalid_dpop_proof", "{}", r.body);
    let r = poll(&app, &device_code, Some(&DpopKey::new())).await;
    assert_eq!(r.json()["error"], "invalid_dpop_proof", "{}", r.body);
    let r = poll(&app, &device_code, Some(&key)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let tokens = r.json();
    assert_eq!(tokens["token_type"], "DPoP");
    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(payload_of(access)["cnf"]["jkt"], key.thumbprint());
    assert!(payload_of(access)["sub"].as_str().is_some());

    // Handed out once.
    app.clock.advance(10);
    assert_oauth_error(
        &poll(&app, &device_code, Some(&key)).await,
        "invalid_grant",
        "second time",
    );

    let proof = key.proof("GET", &url(&app, "/api/me"), app.clock.now(), Some(access));
    let me = get(&app, "/api/me", &format!("DPoP {access}"), &[&proof]).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json()["username"], "alice");

    // The app is one of alice's devices, named by its program; the
    // approval and its sign-in are in her activity.
    let devices = browser
        .request(http::Method::GET, "/api/devices")
        .await
        .json();
    let cli = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["browser"] == "latchkey-cli 0.1")
        .unwrap_or_else(|| panic!("no app among {devices}"));
    // Its tokens are bound to its key, and for this server's API.
    assert_eq!(
        (&cli["bound"], &cli["audience"]),
        (&json!(true), &Value::Null)
    );
    let page = browser.get("/account/devices").await;
    assert!(page.body.contains("Bound to its key (DPoP)"));
    let events = browser.activity().await;
    assert!(
        events.contains(&("device_approved".into(), Some("latchkey-cli".into()))),
        "{events:?}"
    );
    assert!(
        events.contains(&("sign_in_ok".into(), Some("device_grant".into()))),
        "{events:?}"
    );
    let page = browser.get("/account/activity").await;
    assert!(page
        .body
        .contains("You approved the sign-in of the app “latchkey-cli”"));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_denied_request_stays_denied(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let answer = asked(&app, &key).await;
    let (device_code, user_code) = codes(&answer);
    let browser = alice(&app).await;
    // Without JavaScript: a plain form post, then back to the page.
    let r = browser
        .post_plain_form(
            "/api/decide_device",
            &format!("user_code={user_code}&decision=deny"),
            &format!("/device?user_code={user_code}"),
        )
        .await;
    assert_eq!(r.location(), Some("/device?answered=denied"), "{}", r.body);
    let page = browser.get("/device?answered=denied").await;
    assert!(page.body.contains("Denied: the app was not signed in."));
    assert_oauth_error(
        &poll(&app, &device_code, Some(&key)).await,
        "access_denied",
        "denied",
    );
    // The answer stands: approving afterwards finds nothing to approve.
    let r = browser
        .post_form(
            "/api/decide_device",
            &format!("user_code={user_code}&decision=approve"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("No sign-in request is waiting with this code"),
        "{}",
        r.body
    );
    app.clock.advance(10);
    assert_oauth_error(
        &poll(&app, &device_code, Some(&key)).await,
        "access_denied",
        "still denied",
    );
    let events = browser.activity().await;
    assert!(
        events.contains(&("device_denied".into(), Some("latchkey-cli".into()))),
        "{events:?}"
    );
    assert!(!events
        .iter()
        .any(|(kind, cause)| kind == "sign_in_ok" && cause.as_deref() == Some("device_grant")));
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_unanswered_request_expires(pool: sqlx::SqlitePool) {
    let app = app(server::db::testing::from_sqlite(pool).await).await;
    let key = DpopKey::new();
    let answer = asked(&app, &key).await;
    let (device_code, user_code) = codes(&answer);
    app.clock.advance(600);
    assert_oauth_error(
        &poll(&app, &device_code, Some(&key)).await,
        "expired_token",
        "expired",
    );
    let page = alice(&app)
        .await
        .get(&format!("/device?user_code={user_code}"))
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page
        .body
        .contains("No sign-in request is waiting with this code"));
}
