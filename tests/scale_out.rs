//! Several instances over shared PostgreSQL and Redis, run as real
//! processes on loopback ports:
//!
//! - sign-in on one instance is seen by the other; sign-out on one is
//!   refused by the other on the next request; a `kill -9` and restart
//!   signs nobody out;
//! - a device signed out from the devices page on A is refused by B on its
//!   next request, in both modes;
//! - JWT mode: a refresh on A and the same refresh token reused on B within
//!   the grace window both keep the user signed in; reused after it, the
//!   family is revoked on both;
//! - JWT mode: a DPoP proof used at A is refused at B;
//! - over a Redis Cluster whose master holding the revocation channel is
//!   killed with load running: see `failover.rs`;
//! - with load running, PostgreSQL and then Redis go away for 3 s: only
//!   2xx/3xx/401/503 come back, no instance exits, requests that need no
//!   store keep working, and service is back within 5 s.
//!
//! Each runs over one Redis server and again over a Redis Cluster, except
//! the outage test, which cuts a relay in front of one server (a cluster
//! loses a master in the failover test instead).
//!
//! The stores are reached through [`proxy::FaultProxy`] relays, so an outage
//! is cut in the network path and the machine's services keep running.
//! Needs `LATCHKEY_TEST_POSTGRES_URL` and `LATCHKEY_TEST_REDIS_URL`; without
//! them each test says it was skipped.

#![cfg(feature = "ssr")]

#[path = "scale_out/cluster.rs"]
mod cluster;
#[path = "scale_out/devices.rs"]
mod devices;
#[path = "scale_out/dpop.rs"]
mod dpop;
#[allow(dead_code)] // the forging helpers serve the router tests
#[path = "../app/tests/support/dpop_key.rs"]
mod dpop_key;
#[path = "scale_out/failover.rs"]
mod failover;
#[path = "scale_out/instance.rs"]
mod instance;
#[path = "scale_out/load.rs"]
mod load;
#[path = "scale_out/proxy.rs"]
mod proxy;
#[path = "scale_out/refresh.rs"]
mod refresh;
#[path = "scale_out/stores.rs"]
mod stores;

use std::time::Duration;

use reqwest::StatusCode;

use instance::{client, free_port, Browser, Instance};
use stores::{Shared, Stores};

/// One scenario at a time: they measure recovery times on a 2-core machine.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const PASSWORD: &str = "correct-horse";

async fn sign_up(http: &reqwest::Client, at: &Instance, username: &str) -> Browser {
    let mut b = Browser::default();
    let r = b
        .post_form(
            http,
            &format!("{}/api/sign_up", at.base),
            &[("username", username), ("password", PASSWORD)],
        )
        .await
        .unwrap();
    assert!(r.status.is_redirection(), "{}: {}", r.status, r.body);
    assert!(!b.cookies.is_empty(), "sign-up set no cookie");
    b
}

/// `/account` as `b` on `at`: 200 with the username, or the redirect.
async fn account(http: &reqwest::Client, b: &mut Browser, at: &Instance) -> StatusCode {
    b.get(http, &format!("{}/account", at.base))
        .await
        .unwrap()
        .status
}

async fn shared_sign_in_and_sign_out(mode: &'static str, shared: Shared) {
    let _serial = SERIAL.lock().await;
    let Some(stores) = Stores::start_with(shared).await else {
        return;
    };
    let settings = stores.settings(mode);
    let (port_a, port_b) = (free_port(), free_port());
    let a = Instance::start(&settings, port_a).await;
    let b = Instance::start(&settings, port_b).await;
    let http = client();

    let mut alice = sign_up(&http, &a, &format!("alice-{mode}")).await;
    let page = alice
        .get(&http, &format!("{}/account", b.base))
        .await
        .unwrap();
    assert_eq!(page.status, StatusCode::OK, "signed in on A, seen by B");
    assert!(page.body.contains(&format!("alice-{mode}")));

    // kill -9 A and start it again: nobody is signed out.
    a.kill().await;
    let a = Instance::start(&settings, port_a).await;
    assert_eq!(account(&http, &mut alice, &a).await, StatusCode::OK);

    // Sign out on B; A refuses the old cookies.
    let stale = alice.clone();
    let r = alice
        .post_form(&http, &format!("{}/api/sign_out", b.base), &[])
        .await
        .unwrap();
    assert!(
        r.status.is_redirection() || r.status.is_success(),
        "{}",
        r.status
    );
    let mut stale_a = stale.clone();
    let refused_after = refused_within(&http, &mut stale_a, &a, Duration::from_secs(4)).await;
    // Session mode looks the session up in Redis; JWT mode's revocation set
    // reached A over Redis pub/sub before B answered the sign-out.
    assert_eq!(
        refused_after,
        Some(1),
        "{mode}: A must refuse on the first request after sign-out on B"
    );
    let mut stale_b = stale;
    assert_eq!(
        account(&http, &mut stale_b, &b).await,
        StatusCode::SEE_OTHER
    );

    drop((a, b));
    stores.stop().await;
}

/// How many requests, 100 ms apart, until `/account` on `at` stops
/// answering 200 to `b`.
async fn refused_within(
    http: &reqwest::Client,
    b: &mut Browser,
    at: &Instance,
    limit: Duration,
) -> Option<u32> {
    let start = std::time::Instant::now();
    let mut attempts = 0;
    while start.elapsed() < limit {
        let mut probe = b.clone();
        attempts += 1;
        if account(http, &mut probe, at).await == StatusCode::SEE_OTHER {
            return Some(attempts);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_mode_instances_share_sign_in_and_sign_out() {
    shared_sign_in_and_sign_out("session", Shared::Redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_mode_instances_share_sign_in_and_sign_out() {
    shared_sign_in_and_sign_out("jwt", Shared::Redis).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_mode_instances_share_sign_in_and_sign_out_over_a_cluster() {
    shared_sign_in_and_sign_out("session", Shared::Cluster).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_mode_instances_share_sign_in_and_sign_out_over_a_cluster() {
    shared_sign_in_and_sign_out("jwt", Shared::Cluster).await;
}

async fn token(
    http: &reqwest::Client,
    at: &Instance,
    form: &[(&str, &str)],
) -> (StatusCode, serde_json::Value) {
    let r = http
        .post(format!("{}/auth/token", at.base))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or_default())
}

/// `POST /auth/token` with the password grant; the token response.
async fn password_grant(
    http: &reqwest::Client,
    at: &Instance,
    username: &str,
) -> serde_json::Value {
    let form = [
        ("grant_type", "password"),
        ("username", username),
        ("password", PASSWORD),
    ];
    let (status, body) = token(http, at, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn me(http: &reqwest::Client, at: &Instance, access: &str) -> StatusCode {
    http.get(format!("{}/api/me", at.base))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_mode_survives_store_outages() {
    load::outage_scenario("session").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_mode_survives_store_outages() {
    load::outage_scenario("jwt").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_mode_survives_a_cluster_failover() {
    failover::failover_scenario("session").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_mode_survives_a_cluster_failover() {
    failover::failover_scenario("jwt").await;
}
