//! The activity conformance cases: what the account's owner reads back of
//! the audit trail, run by `router.rs` against every backend like the
//! device cases they build on.

use http::Method;

use super::device_cases::{own_id, sign_in_from, FIREFOX, SAFARI};
use super::*;

pub async fn activity_shows_sign_ins_and_revocations(app: TestApp) {
    let me = app.browser().with_agent(FIREFOX);
    me.sign_up("gil", "correct-horse").await;
    let other = sign_in_from(&app, SAFARI, "gil", true).await;
    let other_id = own_id(&other).await;
    // A wrong password typed for this account (in another case).
    let r = app
        .browser()
        .post_form("/api/sign_in", "username=GIL&password=wrong-guess")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    me.request(Method::DELETE, &format!("/api/devices/{other_id}"))
        .await;
    let r = me.request(Method::GET, "/api/activity").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let events = r.json()["events"].as_array().unwrap().clone();
    let kinds: Vec<&str> = events.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "device_revoked",
            "sign_in_failed",
            "sign_in_ok",
            "sign_in_ok",
            "sign_up"
        ],
        "newest first"
    );
    assert_eq!(events[0]["cause"], "owner");
    assert_eq!(events[0]["device_id"], other_id.as_str());
    assert_eq!(events[2]["device_id"], other_id.as_str());
    assert_eq!(events[2]["browser"], "Safari 17");
    assert_eq!(events[2]["cause"], "browser");
    // Another account sees none of it.
    let stranger = app.browser();
    stranger.sign_up("hal-stranger", "correct-horse").await;
    let theirs = stranger.request(Method::GET, "/api/activity").await.json();
    let kinds: Vec<_> = theirs["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].clone())
        .collect();
    assert_eq!(kinds, ["sign_in_ok", "sign_up"]);
    // The page says it in sentences, without JavaScript.
    let page = me.get("/account/activity").await;
    assert_eq!(page.status, StatusCode::OK);
    let short = &other_id[..6];
    for text in [
        format!("You signed out Safari 17 on iPhone (device {short})"),
        "Failed sign-in: wrong password".to_string(),
    ] {
        assert!(page.body.contains(&text), "{text} missing from the page");
    }
}

pub async fn activity_pages_through_every_event(app: TestApp) {
    let me = app.browser();
    me.sign_up("ida", "correct-horse").await;
    for _ in 0..24 {
        app.clock.advance(1);
        sign_in_from(&app, SAFARI, "ida", false).await;
    }
    // 1 sign-up + 25 sign-ins, 20 to a page.
    let mut seen = Vec::new();
    let mut path = "/api/activity".to_string();
    loop {
        let page = me.request(Method::GET, &path).await.json();
        for e in page["events"].as_array().unwrap() {
            seen.push(e["id"].as_str().unwrap().to_string());
        }
        match page["older"].as_str() {
            Some(cursor) => path = format!("/api/activity?before={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 26);
    let unique: std::collections::HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 26, "no event twice");
    // A cursor that is not one gets a sentence, not a server fault.
    let r = me
        .request(Method::GET, "/api/activity?before=yesterday")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["message"].as_str().unwrap().contains("before"));
    let r = me.get("/account/activity?before=yesterday").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The JSON API and the pages' server functions answer in one shape each
/// (`views::account`), with the same contents: what an API client reads is
/// what the devices and activity pages show.
pub async fn the_api_and_the_pages_answer_in_one_shape(app: TestApp) {
    use views::account::{ActivityView, DeviceView, DevicesView};

    let me = app.browser().with_agent(FIREFOX);
    me.sign_up("hana", "correct-horse").await;
    sign_in_from(&app, SAFARI, "hana", false).await;

    let api = me.request(Method::GET, "/api/devices").await.json();
    let listed: Vec<DeviceView> =
        serde_json::from_value(api["devices"].clone()).expect("items of the DeviceView shape");
    // No field more or less than the shape: it writes back the same JSON.
    assert_eq!(serde_json::to_value(&listed).unwrap(), api["devices"]);
    assert_eq!(listed.len(), 2, "{listed:?}");
    let page = me.post_form("/api/device_list", "").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page: DevicesView = serde_json::from_str(&page.body).expect("a DevicesView");
    assert_eq!(page.devices, listed);

    let api = me.request(Method::GET, "/api/activity").await.json();
    let trail: ActivityView = serde_json::from_value(api.clone()).expect("an ActivityView");
    assert_eq!(serde_json::to_value(&trail).unwrap(), api);
    assert!(trail.events.len() >= 3, "{trail:?}");
    let page = me.post_form("/api/activity_page", "").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let page: ActivityView = serde_json::from_str(&page.body).expect("an ActivityView");
    assert_eq!(page, trail);
}
