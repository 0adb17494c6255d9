//! Tokens never show up where they could leak: rendered HTML (hydration data
//! included), redirect URLs, or the server's logs at any level.
//!
//! A test binary of its own, because it installs a process-wide log
//! subscriber that records everything, as the JSON lines of
//! `LATCHKEY_LOG_FORMAT=json` with every span's fields (request id, route,
//! mode, user id, status).

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use support::{Backend, TestApp};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn tokens_stay_out_of_pages_urls_and_logs(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .json()
        .with_current_span(true)
        .with_span_list(true)
        .init();

    let app = TestApp::new(db, Backend::Jwt);
    let mut secrets: Vec<String> = Vec::new();
    let mut exposed: Vec<String> = Vec::new();

    // A browser: sign up, sign in, renew, sign out, with pages in between.
    let b = app.browser();
    for step in [
        b.sign_up("alice", "correct-horse").await,
        b.get("/account").await,
        b.sign_in("alice", "correct-horse").await,
        b.get("/").await,
    ] {
        secrets.extend(step.auth_values().into_values());
        exposed.extend(step.location().map(str::to_string));
        exposed.push(step.body);
    }
    app.clock.advance(1800 + 60);
    for step in [
        b.get("/account").await,
        b.post_form("/api/refresh", "").await,
        b.get("/login").await,
        b.get("/account/devices").await,
        b.get("/account/activity").await,
        b.get("/api/devices").await,
        b.get("/api/activity").await,
        b.get("/inspect").await,
        b.get("/inspect?tamper=1").await,
        b.get("/tradeoffs").await,
        b.post_form("/api/inspect", "tamper=true").await,
        b.post_form("/api/tradeoffs", "").await,
        b.post_form("/api/device_list", "").await,
        b.post_form("/api/activity_page", "").await,
    ] {
        secrets.extend(step.auth_values().into_values());
        exposed.push(step.body);
    }
    let out = b.post_form("/api/sign_out", "").await;
    exposed.extend(out.location().map(str::to_string));

    // An API client: token grants, Bearer calls, refresh and revoke.
    let pair = support::password_grant(&app).await;
    let access = pair["access_token"].as_str().unwrap().to_string();
    let refresh = pair["refresh_token"].as_str().unwrap().to_string();
    app.get_with_auth("/api/me", &format!("Bearer {access}"))
        .await;
    app.get_with_auth("/api/me", &format!("Bearer {access}x"))
        .await;
    let r = app
        .post_api(
            "/auth/token",
            FORM,
            &format!("grant_type=refresh_token&refresh_token={refresh}"),
        )
        .await;
    let renewed = r.json();
    app.clock.advance(60);
    app.post_api(
        "/auth/token",
        FORM,
        &format!("grant_type=refresh_token&refresh_token={refresh}"),
    )
    .await;
    app.post_api("/auth/revoke", FORM, &format!("token={access}"))
        .await;
    secrets.extend([access, refresh]);
    for key in ["access_token", "refresh_token"] {
        secrets.push(renewed[key].as_str().unwrap().to_string());
    }

    assert!(
        secrets.len() >= 8,
        "the flows issued tokens: {}",
        secrets.len()
    );
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("refresh token reuse"),
        "the log captured the run"
    );
    // The request spans' fields are in the captured lines, so the check
    // below covers them too.
    for field in [
        r#""route":"/auth/token""#,
        r#""request_id":""#,
        r#""user_id":""#,
    ] {
        assert!(logs.contains(field), "{field} missing from the log");
    }
    for secret in &secrets {
        assert!(
            !logs.contains(secret.as_str()),
            "a token appears in the log"
        );
        for text in &exposed {
            assert!(
                !text.contains(secret.as_str()),
                "a token appears in a page or URL"
            );
        }
    }
}
