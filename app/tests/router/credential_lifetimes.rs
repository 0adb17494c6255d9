//! The rules that keep JWT credentials inside their device session: an
//! access token never outlives it, a request renews at most once, and a
//! zero grace window means no grace.

use std::time::Duration;

use server::config::{AuthMode, Config};

use super::audit::{events, jwt_app};
use super::*;
use support::{password_grant, token_pair, T0};

const FORM: &str = "application/x-www-form-urlencoded";

/// A JWT app whose device sessions end one hour after sign-in.
fn short_session_app(db: Db, grace: u64) -> TestApp {
    let config = Config {
        auth_mode: AuthMode::Jwt,
        session_absolute_ttl: Duration::from_secs(3600),
        session_idle_ttl: Duration::from_secs(3600),
        refresh_ttl: Duration::from_secs(3600),
        refresh_grace: Duration::from_secs(grace),
        // API clients here sign in by the password grant.
        password_grant: true,
        ..Config::defaults()
    };
    TestApp::with_config(db, config, Backend::Jwt)
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn an_access_token_never_outlives_its_device_session(pool: sqlx::SqlitePool) {
    let app = short_session_app(server::db::testing::from_sqlite(pool).await, 10);
    app.browser().sign_up("alice", "correct-horse").await;
    let (_, mut refresh) = token_pair(&password_grant(&app).await);
    // Renew once a few minutes until one minute before the absolute deadline.
    for _ in 0..11 {
        app.clock.advance(5 * 60);
        let grant = format!("grant_type=refresh_token&refresh_token={refresh}");
        let t = app.post_api("/auth/token", FORM, &grant).await.json();
        refresh = token_pair(&t).1;
    }
    app.clock.advance(4 * 60);
    assert_eq!(app.clock.now(), T0 + 3600 - 60);
    let grant = format!("grant_type=refresh_token&refresh_token={refresh}");
    let t = app.post_api("/auth/token", FORM, &grant).await.json();
    assert_eq!(
        t["expires_in"], 60,
        "capped at the deadline, not the 30-minute lifetime"
    );
    let bearer = format!("Bearer {}", token_pair(&t).0);
    assert_eq!(
        app.get_with_auth("/api/me", &bearer).await.status,
        StatusCode::OK
    );
    app.clock
        .advance(60 + server::auth::jwt::claims::LEEWAY + 1);
    assert_eq!(
        app.get_with_auth("/api/me", &bearer).await.status,
        StatusCode::UNAUTHORIZED,
        "expired with its device session"
    );
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn one_request_renews_at_most_once(pool: sqlx::SqlitePool) {
    let app = jwt_app(server::db::testing::from_sqlite(pool).await).await;
    let b = app.browser();
    b.sign_in("alice", "correct-horse").await;
    let rotations = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM refresh_tokens")
            .fetch_one(&app.db)
            .await
            .unwrap()
    };
    // The access token has expired: the resolver renews it, and the page's
    // own renewal call on the same request must not rotate a second time.
    app.clock.advance(1800 + 60);
    let before = rotations().await;
    let r = b.post_form("/api/refresh", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        rotations().await - before,
        1,
        "one rotation for one request"
    );
    assert_eq!(
        r.auth_values().len(),
        2,
        "one access and one refresh cookie"
    );
    assert_eq!(b.me().await, StatusCode::OK);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn zero_grace_means_no_grace(pool: sqlx::SqlitePool) {
    let app = short_session_app(server::db::testing::from_sqlite(pool).await, 0);
    app.browser().sign_up("alice", "correct-horse").await;
    let (_, refresh) = token_pair(&password_grant(&app).await);
    let grant = format!("grant_type=refresh_token&refresh_token={refresh}");
    assert_eq!(
        app.post_api("/auth/token", FORM, &grant).await.status,
        StatusCode::OK
    );
    // The same second, the same token again: reuse, not a second successor.
    let r = app.post_api("/auth/token", FORM, &grant).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let reuses = events(&app).await;
    assert_eq!(
        reuses
            .iter()
            .filter(|e| *e == "refresh_reuse_detected")
            .count(),
        1
    );
}
