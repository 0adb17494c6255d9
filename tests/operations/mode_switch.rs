//! A switch of `LATCHKEY_AUTH_MODE` between two runs of the server on the
//! same stores: what ended a sign-in stays ended, whichever mode ended it,
//! and each sign-in carried over is one event on its owner's activity.

use super::*;

/// The account's `device_migrated` events, as its owner reads them.
async fn migrations(http: &reqwest::Client, base: &str, owner: &Browser) -> usize {
    let cookie: Vec<String> = owner
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let r = http
        .get(format!("{base}/api/activity"))
        .header(reqwest::header::COOKIE, cookie.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page: serde_json::Value = r.json().await.unwrap();
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "device_migrated")
        .count()
}

async fn signed_in(http: &reqwest::Client, base: &str, path: &str, username: &str) -> Browser {
    let mut b = Browser::default();
    let form = [("username", username), ("password", PASSWORD)];
    let r = b
        .post_form(http, &format!("{base}{path}"), &form)
        .await
        .unwrap();
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    assert!(!b.cookies.is_empty(), "no cookies from {path}");
    b
}

/// JWT mode, then session mode with `store`: one refresh cookie from JWT
/// mode is carried over (once, recorded once); after the owner changes the
/// password, another is refused.
async fn jwt_then_session(store: &'static str) {
    let redis = match store {
        "redis" => match RedisClient::for_tests() {
            Some(r) => Some(r),
            None => return server::testing::skip("Redis", redis_client::TEST_ENV),
        },
        _ => None,
    };
    let dir = TempDir::new("switch");
    let http = client();
    let jwt = Instance::start(&settings(&dir, "jwt", store, redis.as_ref()), free_port()).await;
    let laptop = signed_in(&http, &jwt.base, "/api/sign_up", "alice").await;
    let mut phone = signed_in(&http, &jwt.base, "/api/sign_in", "alice").await;
    assert!(laptop.cookies.contains_key("__Host-latchkey_refresh"));
    jwt.kill().await;

    let session = settings(&dir, "session", store, redis.as_ref());
    let server = Instance::start(&session, free_port()).await;
    // The phone comes back: carried over, once.
    for _ in 0..2 {
        let r = phone
            .get(&http, &format!("{}/account", server.base))
            .await
            .unwrap();
        assert_eq!(r.status, StatusCode::OK, "{store}: the phone is signed in");
    }
    assert!(phone.cookies.contains_key("__Host-latchkey_session"));
    assert_eq!(migrations(&http, &server.base, &phone).await, 1, "{store}");

    // The owner changes the password from the phone: the laptop's refresh
    // cookie, still waiting in the other mode's records, ends with it.
    let change = [
        ("current_password", PASSWORD),
        ("new_password", "battery-staple-2"),
    ];
    let r = phone
        .post_form(
            &http,
            &format!("{}/api/change_password", server.base),
            &change,
        )
        .await
        .unwrap();
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    assert_eq!(
        me(&http, &server.base, &laptop, None).await,
        StatusCode::UNAUTHORIZED,
        "{store}: a refresh cookie from before the switch outlived a password change"
    );
    assert_eq!(me(&http, &server.base, &phone, None).await, StatusCode::OK);
    assert_eq!(migrations(&http, &server.base, &phone).await, 1, "{store}");
    server.kill().await;
    if let Some(redis) = redis {
        redis.delete_all().await.ok();
    }
}

#[tokio::test]
async fn jwt_then_session_with_the_memory_store() {
    jwt_then_session("memory").await;
}

#[tokio::test]
async fn jwt_then_session_with_redis() {
    jwt_then_session("redis").await;
}

#[tokio::test]
async fn jwt_then_session_with_the_database_store() {
    jwt_then_session("database").await;
}

/// Session mode with `store`, then JWT mode: `latchkey users disable` ends
/// the session still waiting there, so its cookie gets no token.
async fn session_then_jwt_then_disable(store: &'static str) {
    let redis = match store {
        "redis" => match RedisClient::for_tests() {
            Some(r) => Some(r),
            None => return server::testing::skip("Redis", redis_client::TEST_ENV),
        },
        _ => None,
    };
    let dir = TempDir::new("switch");
    let http = client();
    let before = settings(&dir, "session", store, redis.as_ref());
    let session = Instance::start(&before, free_port()).await;
    let laptop = signed_in(&http, &session.base, "/api/sign_up", "alice").await;
    assert!(laptop.cookies.contains_key("__Host-latchkey_session"));
    session.kill().await;

    let after = settings(&dir, "jwt", store, redis.as_ref());
    let server = Instance::start(&after, free_port()).await;
    let out = admin(&after, &["users", "disable", "alice"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.starts_with("Disabled alice: 1 device session(s) ended"),
        "{said}"
    );
    assert_eq!(
        me(&http, &server.base, &laptop, None).await,
        StatusCode::UNAUTHORIZED,
        "{store}: a session from before the switch outlived the disable"
    );
    server.kill().await;
    if let Some(redis) = redis {
        redis.delete_all().await.ok();
    }
}

#[tokio::test]
async fn session_in_redis_then_jwt_then_disable() {
    session_then_jwt_then_disable("redis").await;
}

#[tokio::test]
async fn session_in_the_database_then_jwt_then_disable() {
    session_then_jwt_then_disable("database").await;
}
