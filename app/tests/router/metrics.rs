//! `/metrics`: off unless configured; when on, the app's own count of store
//! operations per resolved request: one lookup per signed-in request in
//! session mode, none at all in JWT mode while the access token is valid.

use super::*;

/// The value of the metric line starting with `prefix` (name and labels);
/// 0 for a series never recorded (the exporter lists a series from its
/// first count on).
fn metric(text: &str, prefix: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(prefix)?.trim().parse().ok())
        .unwrap_or(0)
}

fn with_metrics(app: TestApp) -> TestApp {
    let config = server::config::Config {
        metrics: true,
        ..(*app.state.config).clone()
    };
    TestApp::with_config(app.db.clone(), config, app.backend)
}

async fn metrics_are_off_by_default(app: TestApp) {
    let r = app.browser().get("/metrics").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("LATCHKEY_METRICS"), "{}", r.body);
}

async fn store_operations_per_signed_in_request(app: TestApp) {
    let app = with_metrics(app);
    let b = app.browser();
    b.sign_up("alice", "correct-horse").await;
    let before = app.browser().get("/metrics").await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.headers[http::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    for _ in 0..10 {
        assert_eq!(b.get("/healthz").await.status, StatusCode::OK);
    }
    let after = app.browser().get("/metrics").await.body;
    let (mode, store) = if app.is_jwt() {
        ("jwt", "database")
    } else {
        ("session", "database")
    };
    let signed_in =
        format!("latchkey_auth_requests_total{{mode=\"{mode}\",outcome=\"signed_in\"}}");
    assert_eq!(
        metric(&after, &signed_in) - metric(&before.body, &signed_in),
        10
    );
    let op = |name: &str| {
        format!("latchkey_auth_store_operations_total{{mode=\"{mode}\",store=\"{store}\",op=\"{name}\"}}")
    };
    let delta = |name: &str| metric(&after, &op(name)) - metric(&before.body, &op(name));
    if app.is_jwt() {
        assert_eq!(
            delta("refresh_rotation"),
            0,
            "no store operation in JWT mode"
        );
        // No counter can show a store operation the backend does not count:
        // with the database closed, a valid access token still resolves.
        app.db.close().await;
        for _ in 0..3 {
            assert_eq!(b.me().await, StatusCode::OK, "resolved without any store");
        }
    } else {
        assert_eq!(delta("session_lookup"), 10, "one lookup per request");
        assert_eq!(
            delta("session_touch"),
            0,
            "activity written once a minute at most"
        );
    }
}

both_modes!(
    metrics_are_off_by_default,
    store_operations_per_signed_in_request
);
