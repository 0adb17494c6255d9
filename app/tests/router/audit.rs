//! The audit trail is complete and written once per outcome, whatever the
//! transport. (The rules that keep JWT credentials inside their device
//! session: `credential_lifetimes.rs`.)

use super::*;
use support::{password_grant, token_pair};

const FORM: &str = "application/x-www-form-urlencoded";

/// The kinds of audit events recorded so far, oldest first.
pub(super) async fn events(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM auth_events ORDER BY at, kind")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

/// Runs `action` and returns the audit events it added, sorted. (Events of
/// one moment share a timestamp, so what was added is told apart by
/// counting, not by position.)
async fn added_by<F: std::future::Future<Output = ()>>(app: &TestApp, action: F) -> Vec<String> {
    let before = events(app).await;
    action.await;
    let mut added = events(app).await;
    for old in before {
        let i = added
            .iter()
            .position(|e| *e == old)
            .expect("events are never deleted");
        added.remove(i);
    }
    added.sort();
    added
}

pub(super) async fn jwt_app(db: Db) -> TestApp {
    let app = TestApp::new(db, Backend::Jwt);
    app.browser().sign_up("alice", "correct-horse").await;
    app
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_token_endpoint_sign_in_is_one_event(pool: sqlx::SqlitePool) {
    let app = jwt_app(server::db::testing::from_sqlite(pool).await).await;
    let added = added_by(&app, async {
        password_grant(&app).await;
    })
    .await;
    assert_eq!(added, ["sign_in_ok"]);
    let added = added_by(&app, async {
        let grant = "grant_type=password&username=alice&password=wrong-password";
        let r = app.post_api("/auth/token", FORM, grant).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    })
    .await;
    assert_eq!(added, ["sign_in_failed"]);
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn refresh_token_reuse_is_one_event(pool: sqlx::SqlitePool) {
    let app = jwt_app(server::db::testing::from_sqlite(pool).await).await;
    let (_, refresh) = token_pair(&password_grant(&app).await);
    let grant = format!("grant_type=refresh_token&refresh_token={refresh}");
    let added = added_by(&app, async {
        assert_eq!(
            app.post_api("/auth/token", FORM, &grant).await.status,
            StatusCode::OK
        );
    })
    .await;
    assert!(
        added.is_empty(),
        "a rotation is no security event: {added:?}"
    );
    app.clock.advance(60);
    let added = added_by(&app, async {
        let r = app.post_api("/auth/token", FORM, &grant).await;
        assert_eq!(r.json()["error"], "invalid_grant");
    })
    .await;
    assert_eq!(added, ["refresh_reuse_detected"]);
    let user: Option<String> =
        sqlx::query_scalar("SELECT user_id FROM auth_events WHERE kind = 'refresh_reuse_detected'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert!(user.is_some(), "the event names the account");
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_revocation_is_one_event(pool: sqlx::SqlitePool) {
    let app = jwt_app(server::db::testing::from_sqlite(pool).await).await;
    let (access, refresh) = token_pair(&password_grant(&app).await);
    let added = added_by(&app, async {
        let r = app
            .post_api("/auth/revoke", FORM, &format!("token={access}"))
            .await;
        assert_eq!(r.status, StatusCode::OK);
    })
    .await;
    assert_eq!(added, ["device_revoked"]);
    // Revoking what is already revoked, or nothing we know, adds nothing.
    let added = added_by(&app, async {
        for token in [refresh.as_str(), "not-a-token"] {
            let r = app
                .post_api("/auth/revoke", FORM, &format!("token={token}"))
                .await;
            assert_eq!(r.status, StatusCode::OK);
        }
    })
    .await;
    assert!(added.is_empty(), "{added:?}");
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Browser flows, both modes: one event each, and a failed sign-in keeps
/// only a keyed hash of the name that was typed.
async fn browser_flows_are_one_event_each(app: TestApp) {
    let b = app.browser();
    let added = added_by(&app, async {
        b.sign_up("alice", "correct-horse").await;
    })
    .await;
    assert_eq!(added, ["sign_in_ok", "sign_up"]);
    let typed = "Hunter2-Password";
    let added = added_by(&app, async {
        let form = format!("username={typed}&password=whatever-it-is");
        let r = app.browser().post_form("/api/sign_in", &form).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    })
    .await;
    assert_eq!(added, ["sign_in_failed"]);
    let stored: Vec<Option<String>> =
        sqlx::query_scalar("SELECT username FROM auth_events WHERE kind = 'sign_in_failed'")
            .fetch_all(&app.db)
            .await
            .unwrap();
    let stored = stored[0].clone().unwrap();
    assert!(!stored.to_lowercase().contains("hunter2"), "{stored}");
    let key = server::auth::throttle::Key::account(&app.state.names, typed);
    assert_eq!(stored, key.name());
    // Keyed: not the bare SHA-256 of what was typed, whole or in part.
    let bare = sha256_hex(typed.trim().to_lowercase().as_bytes());
    assert!(
        !bare.contains(stored.trim_start_matches("acct:")),
        "{stored}"
    );
    let bare_as_typed = sha256_hex(typed.as_bytes());
    assert!(
        !bare_as_typed.contains(stored.trim_start_matches("acct:")),
        "{stored}"
    );
    let added = added_by(&app, async {
        b.change_password("correct-horse", "battery-staple").await;
    })
    .await;
    assert_eq!(added, ["password_changed"]);
    let added = added_by(&app, async {
        b.post_form("/api/sign_out", "").await;
    })
    .await;
    assert_eq!(added, ["sign_out"]);
    let id: String = sqlx::query_scalar("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let added = added_by(&app, async {
        assert!(server::accounts::disable_user(&app.state, &id)
            .await
            .unwrap()
            .is_some());
    })
    .await;
    assert_eq!(added, ["account_disabled"]);
}

/// Events older than the retention period are purged; newer ones stay.
async fn old_events_are_purged(app: TestApp) {
    app.browser().sign_up("alice", "correct-horse").await;
    app.clock.advance(89 * 86400);
    app.browser().sign_in("alice", "correct-horse").await;
    app.clock.advance(2 * 86400);
    app.state.purge().await;
    assert_eq!(
        events(&app).await,
        ["sign_in_ok"],
        "the default retention is 90 days"
    );
}

both_modes!(browser_flows_are_one_event_each, old_events_are_purged);
