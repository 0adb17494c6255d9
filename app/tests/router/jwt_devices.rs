//! JWT mode: devices managed with bearer tokens, and refresh-token reuse as
//! the account's owner sees it on the activity page.

use super::jwt_api::{app, assert_invalid_token, bearer};
use super::*;
use support::password_grant;

/// `DELETE` with an `Authorization` header and no cookies.
async fn delete_with_auth(app: &TestApp, path: &str, authorization: &str) -> support::Reply {
    let req = http::Request::delete(path).header(http::header::AUTHORIZATION, authorization);
    app.send(req.body(axum::body::Body::empty()).unwrap()).await
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn bearer_clients_list_and_end_devices(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let laptop = bearer(&password_grant(&app).await["access_token"]);
    let phone = bearer(&password_grant(&app).await["access_token"]);
    let r = app.get_with_auth("/api/devices", &laptop).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let devices = r.json()["devices"].as_array().unwrap().clone();
    // The browser sign-up and the two API clients.
    assert_eq!(devices.len(), 3);
    assert_eq!(devices[0]["current"], true);
    let phone_id = app.get_with_auth("/api/devices", &phone).await.json()["devices"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = delete_with_auth(&app, &format!("/api/devices/{phone_id}"), &laptop).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // The phone's unexpired access token is refused on its next request.
    assert_invalid_token(&app.get_with_auth("/api/me", &phone).await);
    assert_invalid_token(&app.get_with_auth("/api/devices", &phone).await);
    assert_eq!(
        app.get_with_auth("/api/me", &laptop).await.status,
        StatusCode::OK
    );
    let activity = app.get_with_auth("/api/activity", &laptop).await.json();
    let first = &activity["events"][0];
    assert_eq!(first["kind"], "device_revoked");
    assert_eq!(first["device_id"], phone_id.as_str());
    let api_sign_ins = activity["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "sign_in_ok" && e["cause"] == "api")
        .count();
    assert_eq!(api_sign_ins, 2);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn refresh_reuse_shows_in_activity(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = app(db).await;
    let b = app.browser();
    b.sign_in("alice", "correct-horse").await;
    let stolen = b.cookies();
    let device = super::device_cases::own_id(&b).await;
    // The access token expires; the browser renews it (rotating the refresh
    // token); past the grace window the old refresh token comes back.
    app.clock.advance(1800 + 60);
    assert_eq!(b.me().await, StatusCode::OK);
    app.clock.advance(30);
    let thief = app.browser();
    let mut old = stolen.clone();
    old.remove("__Host-latchkey_access");
    thief.set_cookies(old);
    assert_eq!(thief.me().await, StatusCode::UNAUTHORIZED);
    // The device is signed out, and its owner is told why.
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
    let owner = app.browser();
    owner.sign_in("alice", "correct-horse").await;
    let events = owner
        .request(http::Method::GET, "/api/activity")
        .await
        .json();
    let reuse = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "refresh_reuse_detected")
        .expect("reuse recorded")
        .clone();
    assert_eq!(reuse["device_id"], device.as_str());
    let page = owner.get("/account/activity").await;
    // The router tests' browsers send no user agent.
    let sentence = format!(
        "an old token of Unknown browser on Unknown system (device {}) was used again; \
         that device was signed out",
        &device[..6]
    );
    assert!(
        page.body.contains(&sentence),
        "{sentence} missing from the page"
    );
}
