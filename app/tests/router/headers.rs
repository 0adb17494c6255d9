//! Security headers: a nonce CSP on pages that matches the inline script,
//! the standard hardening headers everywhere, no caching of dynamic
//! responses, and a cap on request bodies.

use super::*;

fn header<'r>(r: &'r support::Reply, name: &str) -> &'r str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{name} missing"))
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn pages_carry_a_nonce_policy_that_matches_their_scripts(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::SessionDatabase);
    let b = app.browser();
    let first = b.get("/login").await;
    let second = b.get("/login").await;
    let csp = header(&first, "content-security-policy");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 22, "at least 128 bits: {nonce}");
    assert!(
        first.body.contains(&format!("nonce=\"{nonce}\"")),
        "the inline scripts carry the header's nonce"
    );
    assert!(
        !header(&second, "content-security-policy").contains(nonce),
        "a new nonce per response"
    );
    let inline_scripts = first.body.matches("<script").count();
    let with_nonce = first
        .body
        .matches(&format!("<script type=\"module\" nonce=\"{nonce}\""))
        .count()
        + first
            .body
            .matches(&format!("<script nonce=\"{nonce}\""))
            .count();
    assert_eq!(inline_scripts, with_nonce, "every script has the nonce");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn every_response_is_hardened_and_dynamic_ones_are_not_stored(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::Jwt);
    let b = app.browser();
    b.sign_up("alice", "correct-horse").await;
    for path in [
        "/",
        "/account",
        "/device",
        "/api/me",
        "/healthz",
        "/no-such-page",
    ] {
        let r = b.get(path).await;
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&r, "referrer-policy"), "same-origin", "{path}");
        assert_eq!(header(&r, "x-frame-options"), "DENY", "{path}");
        assert_eq!(
            header(&r, "cross-origin-opener-policy"),
            "same-origin",
            "{path}"
        );
        assert_eq!(header(&r, "cache-control"), "no-store", "{path}");
        assert!(header(&r, "content-security-policy").contains("frame-ancestors 'none'"));
    }
    let r = b
        .post_form("/api/sign_in", "username=alice&password=correct-horse")
        .await;
    assert_eq!(
        header(&r, "cache-control"),
        "no-store",
        "responses that set auth cookies"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn oversized_bodies_are_refused(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let app = TestApp::new(db, Backend::SessionDatabase);
    let body = format!("username=alice&password={}", "x".repeat(64 * 1024));
    let post = |accept: &'static str| {
        http::Request::post("/api/sign_up")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("content-length", body.len().to_string())
            .header("accept", accept)
            .body(axum::body::Body::from(body.clone()))
            .unwrap()
    };
    // A browser form: a page a person can read, styled, with a way back.
    let r = app.send(post("text/html,application/xhtml+xml")).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(header(&r, "x-content-type-options"), "nosniff");
    assert!(header(&r, "content-type").starts_with("text/html"));
    assert!(r.body.contains("<h1>Too much to send</h1>"), "{}", r.body);
    assert!(r.body.contains("16 KiB") && r.body.contains("Nothing was saved"));
    assert!(r
        .body
        .contains(r#"rel="stylesheet" href="/pkg/latchkey.css""#));
    assert!(header(&r, "content-security-policy").contains("style-src 'self'"));
    // Any other client: the same in JSON.
    let r = app.send(post("application/json")).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"], "payload_too_large");
    assert!(r.json()["message"].as_str().unwrap().contains("16 KiB"));
    let users: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(users.0, 0, "nothing was saved");
}
