//! The operator's series: after a scripted mix of outcomes (sign-up, good,
//! bad, throttled and disabled sign-ins, sign-out; JWT: an API sign-in, a
//! refresh and a refresh-token reuse) each series shows exactly its count,
//! the scrape parses as Prometheus text, and no label value carries a
//! username or an id. Every response carries an `x-request-id`.

use prometheus_parse::{Scrape, Value};

use super::*;
use support::{password_grant, token_pair, Reply};

const PW: &str = "correct-horse";
const FORM: &str = "application/x-www-form-urlencoded";

fn with_metrics(app: TestApp) -> TestApp {
    let config = server::config::Config {
        metrics: true,
        ..(*app.state.config).clone()
    };
    TestApp::with_config(app.db.clone(), config, app.backend)
}

/// `/metrics`, parsed.
/// `/metrics`: the text, and the text parsed. (`prometheus-parse` skips a
/// sample whose label value holds a brace, as route templates with a
/// parameter do: those are read from the text.)
async fn scrape(app: &TestApp) -> (String, Scrape) {
    let r = app.browser().get("/metrics").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let parsed = Scrape::parse(r.body.lines().map(|l| Ok(l.to_string()))).expect("Prometheus text");
    (r.body, parsed)
}

/// The value of `metric` with exactly `labels`; 0 when the series was never
/// recorded. Histograms count their observations (the `+Inf` bucket).
fn value(s: &Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    let found = s.samples.iter().find(|x| {
        x.metric == metric
            && x.labels.len() == labels.len()
            && labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v))
    });
    match found.map(|x| &x.value) {
        None => 0.0,
        Some(Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v)) => *v,
        Some(Value::Histogram(buckets)) => buckets
            .iter()
            .find(|b| b.less_than.is_infinite())
            .map_or(0.0, |b| b.count),
        Some(other) => panic!("{metric}: unexpected {other:?}"),
    }
}

/// A browser form sign-in (no JavaScript).
async fn sign_in_form(b: &support::Browser<'_>, name: &str, pw: &str) -> Reply {
    b.post_form(
        "/api/sign_in",
        &format!("username={name}&password={pw}&next=%2Faccount"),
    )
    .await
}

async fn each_outcome_moves_its_series(app: TestApp) {
    let app = with_metrics(app);
    let alice = app.browser();
    alice.sign_up("alice", PW).await;
    let alice_id = alice.get("/api/me").await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Three wrong passwords from a second browser, then the right one.
    let other = app.browser();
    for _ in 0..3 {
        let r = sign_in_form(&other, "alice", "wrong-password").await;
        assert!(r.auth_values().is_empty(), "a wrong password got cookies");
    }
    let right = sign_in_form(&other, "alice", PW).await;
    assert!(!right.auth_values().is_empty(), "{}", right.body);
    let mut me_calls = 1.0;
    for _ in 0..4 {
        assert_eq!(alice.me().await, StatusCode::OK);
        me_calls += 1.0;
    }
    let (mut api_ok, mut reuse) = (0.0, 0.0);
    if app.is_jwt() {
        let (_, refresh) = token_pair(&password_grant(&app).await);
        api_ok = 1.0;
        let grant = format!("grant_type=refresh_token&refresh_token={refresh}");
        assert_eq!(
            app.post_api("/auth/token", FORM, &grant).await.status,
            StatusCode::OK
        );
        app.clock.advance(60);
        let r = app.post_api("/auth/token", FORM, &grant).await;
        assert_eq!(r.json()["error"], "invalid_grant");
        reuse = 1.0;
    }
    // A path carrying an id (here alice's own, which is no device id):
    // counted under its route template, never its path.
    let path = format!("/api/devices/{alice_id}");
    let r = alice.request(http::Method::DELETE, &path).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let out = alice.post_form("/api/sign_out", "").await;
    assert_eq!(out.status, StatusCode::OK);
    // Bob is disabled while signed in on one device, then tries again.
    let bob = app.browser();
    bob.sign_up("bob", PW).await;
    me_calls += 1.0;
    let bob_id = bob.get("/api/me").await.json()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let ended = server::accounts::disable_user(&app.state, &bob_id)
        .await
        .unwrap();
    assert_eq!(ended, Some(1));
    let refused = sign_in_form(&app.browser(), "bob", PW).await;
    assert!(
        refused.auth_values().is_empty(),
        "a disabled account got cookies"
    );

    // A name that failed its five free tries is locked: the sixth is
    // throttled (the test clock stands still).
    for _ in 0..5 {
        sign_in_form(&other, "mallory", "guess-guess").await;
    }
    sign_in_form(&other, "mallory", "guess-guess").await;
    // A scrape reads no store: the lockout gauge moves when the maintenance
    // task counts.
    let (_, unread) = scrape(&app).await;
    assert_eq!(
        value(&unread, "latchkey_throttle_lockouts_active", &[]),
        0.0
    );
    app.state.count_lockouts().await;
    let (text, s) = scrape(&app).await;
    let sign_ins = |transport, outcome| {
        value(
            &s,
            "latchkey_sign_ins_total",
            &[("transport", transport), ("outcome", outcome)],
        )
    };
    // Sign-ups sign in too: alice, bob, and alice again from `other`.
    assert_eq!(sign_ins("browser", "ok"), 3.0);
    // Bob's right password on his disabled account counts as a wrong one:
    // the metrics must not tell it apart either.
    assert_eq!(sign_ins("browser", "bad_credentials"), 3.0 + 5.0 + 1.0);
    assert_eq!(sign_ins("browser", "throttled"), 1.0);
    assert!(!text.contains("outcome=\"disabled\""), "{text}");
    assert_eq!(sign_ins("api", "ok"), api_ok);
    assert_eq!(value(&s, "latchkey_sign_ups_total", &[]), 2.0);
    assert_eq!(value(&s, "latchkey_sign_outs_total", &[]), 1.0);
    assert_eq!(value(&s, "latchkey_accounts_disabled_total", &[]), 1.0);
    let revoked = |cause| value(&s, "latchkey_devices_revoked_total", &[("cause", cause)]);
    assert_eq!(revoked("account_disabled"), 1.0);
    assert_eq!(
        value(&s, "latchkey_refresh_reuse_detected_total", &[]),
        reuse
    );
    let refreshes = |outcome| value(&s, "latchkey_refreshes_total", &[("outcome", outcome)]);
    assert_eq!(refreshes("ok"), api_ok);
    assert_eq!(refreshes("reused"), reuse);
    // "mallory" is locked; no client key (router tests have no peer address).
    assert_eq!(value(&s, "latchkey_throttle_lockouts_active", &[]), 1.0);
    assert_eq!(value(&s, "latchkey_password_hash_queue_depth", &[]), 0.0);
    if app.is_jwt() {
        // Alice's sign-out, the reused family and bob's device.
        assert_eq!(value(&s, "latchkey_revocation_set_size", &[]), 3.0);
    }
    let me = [("route", "/api/me"), ("method", "GET"), ("status", "200")];
    assert_eq!(
        value(&s, "latchkey_http_request_duration_seconds", &me),
        me_calls
    );
    if !app.is_jwt() {
        let lookups = value(
            &s,
            "latchkey_auth_store_operations_total",
            &[
                ("mode", "session"),
                ("store", "database"),
                ("op", "session_lookup"),
            ],
        );
        let timed = value(
            &s,
            "latchkey_store_operation_duration_seconds",
            &[("store", "database"), ("op", "session_lookup")],
        );
        assert!(lookups >= me_calls, "{lookups}");
        assert_eq!(timed, lookups, "every lookup is timed");
    }
    let delete = r#"latchkey_http_request_duration_seconds_count{route="/api/devices/{id}",method="DELETE",status="404"} 1"#;
    assert!(text.lines().any(|l| l == delete), "{text}");
    // Bounded labels: no name or id, and no raw path, anywhere in the text.
    let secrets = ["alice", "bob", "mallory", &alice_id, &bob_id];
    for line in text.lines() {
        assert!(
            !secrets.iter().any(|x| line.contains(x)),
            "a name or id in: {line}"
        );
    }
}

/// The request id: generated when absent, echoed when sent and usable, else
/// replaced; on refusals too.
async fn every_response_carries_a_request_id(app: TestApp) {
    let b = app.browser();
    let mut seen = std::collections::HashSet::new();
    for path in ["/", "/api/me", "/account", "/no/such/page", "/healthz"] {
        let r = b.get(path).await;
        let id = r.headers[server::http::observe::REQUEST_ID]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(id.len(), 36, "a UUID: {id}");
        assert!(seen.insert(id), "ids are unique");
    }
    let r = b
        .post_form_with("/api/sign_out", "", &[("x-request-id", "trace-me-42")])
        .await;
    assert_eq!(r.headers["x-request-id"], "trace-me-42");
    // A client's id that is too long or not plain is replaced, not echoed.
    for sent in ["x".repeat(5000), "a b\"level\":\"error".to_string()] {
        let r = b
            .post_form_with("/api/sign_out", "", &[("x-request-id", sent.as_str())])
            .await;
        let id = r.headers["x-request-id"].to_str().unwrap();
        assert_eq!(id.len(), 36, "a fresh UUID, not what was sent: {id}");
    }
    let cross_site = b
        .post_form_with(
            "/api/sign_in",
            "username=a&password=b",
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    assert!(cross_site.headers.contains_key("x-request-id"));
}

both_modes!(
    each_outcome_moves_its_series,
    every_response_carries_a_request_id
);
