//! The whole router under random credentials: `Cookie` and `Authorization`
//! headers built from real tokens, edits of them and noise, against a
//! protected page, the JSON API and the mutating endpoints, in both modes.
//! Every answer must be a 2xx, 3xx, 401, 403 or 422: never a 5xx, never a
//! signed-in answer for a credential that is not the real one.
//!
//! Cases are drawn with proptest's generators (no shrinking: each case needs
//! the async router). `LATCHKEY_FUZZ_CASES` sets how many (default 300, a
//! few seconds); the README gives a longer run.

use axum::body::Body;
use http::{header, Request};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

use super::*;

fn cases() -> usize {
    std::env::var("LATCHKEY_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

/// A credential-ish string: a real value edited, or noise.
fn credential(real: Vec<String>) -> impl Strategy<Value = String> {
    let real = proptest::sample::select(real);
    let noise = "[ -~]{0,120}";
    prop_oneof![
        real.clone(),
        (real, any::<usize>(), "[ -~]{0,3}").prop_map(|(r, i, s)| {
            let i = i % (r.len() + 1);
            let (a, b) = r.split_at(i);
            format!("{a}{s}{}", b.get(1..).unwrap_or(""))
        }),
        noise.prop_map(String::from),
    ]
}

async fn random_credentials_never_break_the_router(app: TestApp) {
    let b = app.browser();
    b.sign_up("alice", "correct-horse").await;
    let real_cookies = b.cookies();
    let mut values: Vec<String> = real_cookies.values().cloned().collect();
    if app.is_jwt() {
        let t = support::password_grant(&app).await;
        values.push(t["access_token"].as_str().unwrap().to_string());
        values.push(t["refresh_token"].as_str().unwrap().to_string());
    }
    let names: Vec<String> = real_cookies.keys().cloned().collect();
    let strategy = (
        proptest::sample::select(names),
        credential(values.clone()),
        proptest::option::of(credential(values.clone())),
        "[a-zA-Z]{0,8}",
        0..4usize,
    );
    let mut runner = TestRunner::deterministic();
    let mut signed_in = 0;
    for _ in 0..cases() {
        let (name, cookie, auth, scheme, target) =
            strategy.new_tree(&mut runner).unwrap().current();
        let (method, path, body) = [
            ("GET", "/api/me", ""),
            ("GET", "/account", ""),
            ("POST", "/api/refresh", ""),
            ("POST", "/api/viewer", ""),
        ][target];
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Ok(v) = http::HeaderValue::from_str(&format!("{name}={cookie}")) {
            req = req.header(header::COOKIE, v);
        }
        if let Some(auth) = &auth {
            let scheme = if scheme.is_empty() { "Bearer" } else { &scheme };
            if let Ok(v) = http::HeaderValue::from_str(&format!("{scheme} {auth}")) {
                req = req.header(header::AUTHORIZATION, v);
            }
        }
        let r = app.send(req.body(Body::from(body)).unwrap()).await;
        let s = r.status.as_u16();
        assert!(
            (200..400).contains(&s) || matches!(s, 401 | 403 | 422),
            "{method} {path} with {name}={cookie:?}, Authorization {auth:?}: {s} {}",
            r.body
        );
        if path == "/api/me" && s == 200 {
            // Only a real credential signs anybody in.
            let presented = [auth.as_deref().map(str::trim), Some(cookie.as_str())];
            assert!(
                presented
                    .iter()
                    .flatten()
                    .any(|p| values.iter().any(|v| v == p)),
                "signed in with {name}={cookie:?}, Authorization {scheme} {auth:?}"
            );
            signed_in += 1;
        }
    }
    // The draw includes real credentials: the accept path was exercised too.
    assert!(signed_in > 0, "no case was signed in");
}

both_modes!(random_credentials_never_break_the_router);
