//! The devices conformance cases: listing and ending device sessions, and
//! the activity trail, written once and run by `router.rs` against every
//! backend (session mode with each store, JWT mode with each).

use http::Method;

use super::*;
use support::Browser;

pub const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
pub const SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) \
     AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

/// The caller's devices from `GET /api/devices`.
pub async fn devices(b: &Browser<'_>) -> Vec<serde_json::Value> {
    let r = b.request(Method::GET, "/api/devices").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json()["devices"].as_array().expect("devices").clone()
}

/// The id of the caller's own device.
pub async fn own_id(b: &Browser<'_>) -> String {
    let list = devices(b).await;
    let me = list.iter().find(|d| d["current"] == true).expect("current");
    me["id"].as_str().unwrap().to_string()
}

/// Signs `username` in from a new browser naming itself `agent`, with
/// "keep me signed in" as given.
pub async fn sign_in_from<'a>(
    app: &'a TestApp,
    agent: &str,
    username: &str,
    keep: bool,
) -> Browser<'a> {
    let b = app.browser().with_agent(agent);
    let remember = if keep { "&remember=on" } else { "" };
    let form = format!("username={username}&password=correct-horse{remember}");
    let r = b.post_form("/api/sign_in", &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    b
}

pub async fn devices_lists_every_sign_in(app: TestApp) {
    let first = app.browser().with_agent(FIREFOX);
    first.sign_up("alice", "correct-horse").await;
    let phone = sign_in_from(&app, SAFARI, "alice", false).await;
    let list = devices(&first).await;
    assert_eq!(list.len(), 2, "{list:?}");
    // This device first, with what the user agent says.
    assert_eq!(list[0]["current"], true);
    assert_eq!(list[0]["browser"], "Firefox 133");
    assert_eq!(list[0]["os"], "Windows 10");
    assert_eq!(list[0]["persistent"], true);
    assert_eq!(list[1]["current"], false);
    assert_eq!(list[1]["browser"], "Safari 17");
    assert_eq!(list[1]["persistent"], false);
    for d in &list {
        for field in ["id", "created_at", "last_seen_at", "idle_expires_at"] {
            assert!(!d[field].is_null(), "{field} missing: {d}");
        }
    }
    // The other device sees the same two, itself marked.
    let seen = devices(&phone).await;
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0]["id"], list[1]["id"]);
    // The page renders them without JavaScript.
    let page = first.get("/account/devices").await;
    assert_eq!(page.status, StatusCode::OK);
    for text in [
        "Firefox 133 on Windows 10",
        "Safari 17 on iPhone",
        "This device",
    ] {
        assert!(page.body.contains(text), "{text} missing from the page");
    }
}

pub async fn ending_a_device_refuses_its_next_request(app: TestApp) {
    let me = app.browser().with_agent(FIREFOX);
    me.sign_up("bea", "correct-horse").await;
    let other = sign_in_from(&app, SAFARI, "bea", true).await;
    let other_id = own_id(&other).await;
    let r = me
        .request(Method::DELETE, &format!("/api/devices/{other_id}"))
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(other.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        other.get("/account/devices").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(me.me().await, StatusCode::OK);
    assert_eq!(devices(&me).await.len(), 1);
    // Once ended, it is gone.
    let again = me
        .request(Method::DELETE, &format!("/api/devices/{other_id}"))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.json()["error"], "not_found");
    // This device is ended by signing out, not from the list.
    let mine = own_id(&me).await;
    let r = me
        .request(Method::DELETE, &format!("/api/devices/{mine}"))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(me.me().await, StatusCode::OK);
    // The page's form does the same.
    let third = sign_in_from(&app, SAFARI, "bea", true).await;
    let form = format!("id={}", own_id(&third).await);
    let r = me.post_form("/api/end_device", &form).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(third.me().await, StatusCode::UNAUTHORIZED);
}

pub async fn ending_other_devices_keeps_this_one(app: TestApp) {
    let me = app.browser();
    me.sign_up("cyd", "correct-horse").await;
    let others = [
        sign_in_from(&app, FIREFOX, "cyd", true).await,
        sign_in_from(&app, SAFARI, "cyd", false).await,
    ];
    let r = me.post_form("/api/end_other_devices", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body.trim(), "2");
    for b in &others {
        assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(me.me().await, StatusCode::OK);
    assert_eq!(devices(&me).await.len(), 1);
}

pub async fn ending_everywhere_includes_this_device(app: TestApp) {
    let me = app.browser();
    me.sign_up("dot", "correct-horse").await;
    let held = me.cookies();
    let other = sign_in_from(&app, SAFARI, "dot", true).await;
    let r = me.post_form("/api/end_all_devices", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for name in cookie_names(app.backend) {
        assert!(r.clears(name), "{name} not cleared");
    }
    assert_eq!(other.me().await, StatusCode::UNAUTHORIZED);
    // The credentials this device held are refused too, not only dropped.
    let replay = app.browser();
    replay.set_cookies(held);
    assert_eq!(replay.me().await, StatusCode::UNAUTHORIZED);
}

pub async fn another_accounts_device_is_not_found(app: TestApp) {
    let alice = app.browser();
    alice.sign_up("eve-victim", "correct-horse").await;
    let victim_id = own_id(&alice).await;
    let mallory = app.browser();
    mallory.sign_up("mallory", "correct-horse").await;
    let r = mallory
        .request(Method::DELETE, &format!("/api/devices/{victim_id}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let r = mallory
        .post_form("/api/end_device", &format!("id={victim_id}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    // Nothing changed for either account.
    assert_eq!(alice.me().await, StatusCode::OK);
    assert_eq!(devices(&alice).await.len(), 1);
    assert_eq!(devices(&mallory).await.len(), 1);
    // Without a sign-in there is nothing to list or end.
    let anonymous = app.browser();
    let r = anonymous.request(Method::GET, "/api/devices").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = anonymous
        .request(Method::DELETE, &format!("/api/devices/{victim_id}"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(alice.me().await, StatusCode::OK);
}

pub async fn keep_me_signed_in_decides_cookie_and_idle_lifetime(app: TestApp) {
    app.browser().sign_up("flo", "correct-horse").await;
    let form = |keep: bool| {
        format!(
            "username=flo&password=correct-horse{}",
            if keep { "&remember=on" } else { "" }
        )
    };
    let kept = app.browser();
    let r = kept.post_form("/api/sign_in", &form(true)).await;
    for c in r.auth_set_cookies() {
        assert!(
            c.contains("Max-Age="),
            "a kept sign-in outlives the browser: {c}"
        );
    }
    let brief = app.browser();
    let r = brief.post_form("/api/sign_in", &form(false)).await;
    assert_eq!(r.auth_values().len(), cookie_names(app.backend).len());
    for c in r.auth_set_cookies() {
        assert!(
            !c.contains("Max-Age") && !c.contains("Expires"),
            "a sign-in not kept ends with the browser: {c}"
        );
    }
    // The short idle lifetime (12 hours by default) ends it; the kept one
    // lives on.
    for _ in 0..2 {
        app.clock.advance(11 * 3600);
        assert_eq!(brief.me().await, StatusCode::OK, "activity slides it");
        assert_eq!(kept.me().await, StatusCode::OK);
    }
    app.clock.advance(12 * 3600 + 1);
    assert_eq!(brief.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(kept.me().await, StatusCode::OK);
}
