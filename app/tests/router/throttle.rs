//! Brute force: per-account and per-client throttles, shared by instances,
//! that neither reveal whether an account exists nor trust a client's
//! `X-Forwarded-For`. Run in both modes.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{header, HeaderMap, Request};

use super::*;
use support::Reply;

/// A peer that is not a trusted proxy.
const PEER: &str = "203.0.113.7:40000";

/// A sign-in as a script sends it: from `peer`, claiming `forwarded_for`.
async fn attempt(
    app: &TestApp,
    user: &str,
    password: &str,
    peer: &str,
    xff: Option<&str>,
) -> Reply {
    let mut req = Request::post("/api/sign_in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .extension(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    if let Some(xff) = xff {
        req = req.header("x-forwarded-for", xff);
    }
    let body = format!("username={user}&password={password}");
    app.send(req.body(Body::from(body)).unwrap()).await
}

/// What a client can compare between two replies: status, headers, body.
fn visible(r: &Reply) -> (StatusCode, HeaderMap, String) {
    (r.status, r.comparable_headers(), r.body.clone())
}

fn retry_after(r: &Reply) -> i64 {
    r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn thirty_wrong_passwords_lock_the_account(app: TestApp) {
    app.browser().sign_up("alice", "correct-horse").await;
    let mut statuses = Vec::new();
    for i in 0..30 {
        // A new "client address" every time: the header is not believed.
        let xff = format!("198.51.100.{i}");
        let r = attempt(&app, "alice", "wrong-password", PEER, Some(&xff)).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(retry_after(&r) >= 1, "429 without Retry-After");
            assert!(
                r.body.contains("Too many failed sign-in attempts"),
                "{}",
                r.body
            );
        }
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses[..5], [401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|&s| s == 429), "{statuses:?}");
    // Locked means locked: the right password gets the same answer.
    let right = attempt(&app, "alice", "correct-horse", PEER, None).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    // The lock ends; the right password then works and clears the count.
    app.clock.advance(retry_after(&right));
    let ok = attempt(&app, "alice", "correct-horse", PEER, None).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let again = attempt(&app, "alice", "wrong-password", PEER, None).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
}

/// An untrusted peer is one client however many addresses it claims: it is
/// stopped after the per-client allowance, across account names.
async fn an_untrusted_peer_cannot_pick_its_address(app: TestApp) {
    let r = exhaust_client_allowance(&app, PEER, |i| format!("198.51.100.{i}")).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
}

/// Spends a client's free failures on as many account names, each attempt
/// from `peer` claiming `xff(i)`; returns the reply to one attempt more.
async fn exhaust_client_allowance(app: &TestApp, peer: &str, xff: impl Fn(i64) -> String) -> Reply {
    let free = server::auth::throttle::Policy::CLIENT.free;
    for i in 0..free {
        let user = format!("user{i}");
        let r = attempt(app, &user, "wrong-password", peer, Some(&xff(i))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    attempt(app, "fresh-name", "wrong-password", peer, Some(&xff(free))).await
}

async fn locked_unknown_and_wrong_look_the_same(app: TestApp) {
    app.browser().sign_up("alice", "correct-horse").await;
    // Before any lock: unknown user and wrong password.
    let unknown = attempt(&app, "nobody", "wrong-password", PEER, None).await;
    let wrong = attempt(&app, "alice", "wrong-password", PEER, None).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(visible(&unknown), visible(&wrong));
    // The same number of failures on both names locks both the same way.
    for _ in 0..4 {
        attempt(&app, "nobody", "wrong-password", PEER, None).await;
        attempt(&app, "alice", "wrong-password", PEER, None).await;
    }
    let locked_right = attempt(&app, "alice", "correct-horse", PEER, None).await;
    let locked_wrong = attempt(&app, "alice", "wrong-password", PEER, None).await;
    let locked_unknown = attempt(&app, "nobody", "correct-horse", PEER, None).await;
    assert_eq!(locked_right.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(visible(&locked_right), visible(&locked_wrong));
    assert_eq!(visible(&locked_right), visible(&locked_unknown));
}

/// Behind a trusted proxy the forwarded address is the client: one client
/// trying many accounts is stopped, others behind the same proxy are not.
async fn a_trusted_proxy_names_the_client(app: TestApp) {
    let config = server::config::Config {
        trusted_proxies: vec!["10.0.0.0/8".parse().unwrap()],
        ..(*app.state.config).clone()
    };
    let app = TestApp::with_config(app.db.clone(), config, app.backend);
    let proxy = "10.0.0.2:5000";
    let r = exhaust_client_allowance(&app, proxy, |_| "198.51.100.9".into()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Sign-up from that client is held too ("taken" would reveal accounts).
    let mut req = Request::post("/api/sign_up")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header("x-forwarded-for", "198.51.100.9")
        .extension(ConnectInfo(proxy.parse::<SocketAddr>().unwrap()));
    req = req.header("user-agent", "test");
    let r = app
        .send(
            req.body(Body::from("username=newbie&password=correct-horse"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    // A spoofed leftmost entry does not move the client elsewhere.
    let r = attempt(
        &app,
        "fresh-name",
        "wrong-password",
        proxy,
        Some("1.1.1.1, 198.51.100.9"),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Another client behind the same proxy is unaffected.
    let r = attempt(
        &app,
        "fresh-name",
        "wrong-password",
        proxy,
        Some("198.51.100.10"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

/// JWT mode only: session mode's token endpoint refuses every grant.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_token_endpoint_is_throttled_too(pool: sqlx::SqlitePool) {
    let app = TestApp::new(server::db::testing::from_sqlite(pool).await, Backend::Jwt);
    app.browser().sign_up("alice", "correct-horse").await;
    let grant = "grant_type=password&username=alice&password=wrong-password";
    let form = "application/x-www-form-urlencoded";
    let first = app.post_api("/auth/token", form, grant).await;
    assert_eq!(first.status, StatusCode::BAD_REQUEST);
    assert_eq!(first.json()["error"], "invalid_grant");
    let unknown = app
        .post_api(
            "/auth/token",
            form,
            "grant_type=password&username=nobody&password=wrong-password",
        )
        .await;
    assert_eq!(visible(&unknown), visible(&first));
    for _ in 0..4 {
        app.post_api("/auth/token", form, grant).await;
    }
    let r = app.post_api("/auth/token", form, grant).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.json()["error"], "slow_down");
    assert!(retry_after(&r) >= 1);
}

/// Two instances over one database share the counters.
async fn the_lock_holds_across_instances(app: TestApp) {
    // Same configuration (and Redis prefix, if any): another instance.
    let config = (*app.state.config).clone();
    let other = TestApp::with_config(app.db.clone(), config, app.backend);
    app.browser().sign_up("alice", "correct-horse").await;
    for _ in 0..5 {
        attempt(&app, "alice", "wrong-password", PEER, None).await;
    }
    let r = attempt(&other, "alice", "correct-horse", PEER, None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

/// The lock in Redis is seen by a second instance with the same prefix.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn the_lock_holds_across_instances_in_redis(pool: sqlx::SqlitePool) {
    if !support::redis_available() {
        return;
    }
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::SessionRedis);
    let redis = app.redis.clone().unwrap();
    the_lock_holds_across_instances(app).await;
    redis.delete_all().await.unwrap();
}

async fn audit_rows(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT kind, attempts FROM auth_events WHERE kind LIKE 'sign_in_%'")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

/// A script hammering a locked name: 120 wrong sign-ins, a second passing
/// every ten, add one audit row per failure that set a lock and one per
/// lock; every attempt is still counted, and the owner reads how many each
/// lock blocked.
async fn a_hammered_name_writes_one_row_per_lock(app: TestApp) {
    let owner = app.browser();
    owner.sign_up("alice", "correct-horse").await;
    let before = audit_rows(&app).await.len();
    let mut locked = 0;
    for i in 0..120 {
        if i % 10 == 9 {
            app.clock.advance(1);
        }
        let peer = format!("203.0.113.{}:40000", 1 + i % 3);
        let r = attempt(&app, "alice", "wrong-password", &peer, None).await;
        locked += i64::from(r.status == StatusCode::TOO_MANY_REQUESTS);
    }
    let rows = audit_rows(&app).await;
    let added = &rows[before..];
    assert!(added.len() <= 20, "{} rows: {added:?}", added.len());
    let attempts: i64 = added.iter().map(|(_, n)| n).sum();
    assert_eq!(attempts, 120, "every attempt is counted: {added:?}");
    let blocked: i64 = added
        .iter()
        .filter(|(kind, _)| kind == "sign_in_throttled")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(blocked, locked);
    let page = owner.get("/account/activity").await;
    let most = added.iter().map(|(_, n)| *n).max().unwrap();
    let said = format!("{most} attempts blocked between ");
    assert!(page.body.contains(&said), "{said} missing: {}", page.body);
}

both_modes!(
    a_hammered_name_writes_one_row_per_lock,
    thirty_wrong_passwords_lock_the_account,
    an_untrusted_peer_cannot_pick_its_address,
    locked_unknown_and_wrong_look_the_same,
    the_lock_holds_across_instances,
    a_trusted_proxy_names_the_client,
);
