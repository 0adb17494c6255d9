//! What ended a sign-in stays ended across a switch of `LATCHKEY_AUTH_MODE`:
//! the other mode's sign-ins that wait to be carried over are listed with
//! the account's devices and ended by whatever ends sign-ins, a carry-over
//! is refused for a disabled account or a sign-in older than the last
//! password change, and each carry-over is recorded once.

use server::config::{AuthMode, Config};

use super::device_cases::devices;
use super::mode_switch::restart_in;
use super::*;

/// How many sign-ins were carried over from the other mode.
async fn migrations(db: &server::db::Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM auth_events WHERE kind = 'device_migrated'")
        .fetch_one(db)
        .await
        .unwrap()
}

/// A JWT-mode app whose configuration names `store`, the session store it
/// will use once switched to session mode.
fn jwt_app_for(db: &server::db::Db, store: Backend) -> TestApp {
    let config = Config {
        auth_mode: AuthMode::Jwt,
        ..(*TestApp::new(db.clone(), store).state.config).clone()
    };
    let backend = match store {
        Backend::SessionRedis => Backend::JwtRedis,
        Backend::SessionRedisCluster => Backend::JwtRedisCluster,
        _ => Backend::Jwt,
    };
    TestApp::with_config(db.clone(), config, backend)
}

/// Each carried-over sign-in is recorded once, for its owner to read.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn each_carry_over_is_recorded_once(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let before = TestApp::new(db.clone(), Backend::SessionDatabase);
    let b = before.browser();
    b.sign_up("alice", "correct-horse").await;
    let after = restart_in(&before, AuthMode::Jwt, Backend::Jwt);
    let b2 = after.browser();
    b2.set_cookies(b.cookies());
    for _ in 0..3 {
        assert_eq!(b2.me().await, StatusCode::OK);
    }
    assert_eq!(migrations(&db).await, 1);
    let page = b2.get("/account/activity").await;
    assert!(
        page.body.contains("carried over from session mode"),
        "{}",
        page.body
    );
}

/// After a switch from JWT to session mode, a refresh token taken before
/// the switch is listed with the owner's devices, and a password change
/// ends it like every other sign-in, with each store.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_password_change_ends_the_other_modes_refresh_tokens(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let mut stores = vec![Backend::SessionMemory, Backend::SessionDatabase];
    if support::redis_available() {
        stores.push(Backend::SessionRedis);
    }
    if support::redis_cluster_available() {
        stores.push(Backend::SessionRedisCluster);
    }
    for store in stores {
        let jwt = jwt_app_for(&db, store);
        let api = jwt.browser();
        api.sign_up("alice", "correct-horse").await;
        let taken = api.cookies();
        let after = restart_in(&jwt, AuthMode::Session, store);
        let owner = after.browser();
        owner.sign_in("alice", "correct-horse").await;
        let list = devices(&owner).await;
        assert_eq!(list.len(), 2, "{store:?}: both sign-ins listed: {list:?}");
        let waiting = list.iter().find(|d| d["current"] == false).unwrap();
        assert_eq!(waiting["other_mode"], true, "{store:?}: {waiting}");
        let here = list.iter().find(|d| d["current"] == true).unwrap();
        assert_eq!(here["other_mode"], false, "{store:?}: {here}");
        owner
            .change_password("correct-horse", "battery-staple")
            .await;
        let thief = after.browser();
        thief.set_cookies(taken);
        assert_eq!(thief.me().await, StatusCode::UNAUTHORIZED, "{store:?}");
        assert_eq!(owner.me().await, StatusCode::OK);
        assert_eq!(migrations(&db).await, 0, "{store:?}: nothing carried over");
        after.cleanup().await;
        sqlx::query("DELETE FROM users").execute(&db).await.unwrap();
    }
}

/// "Sign out everywhere" and signing one device out end the other mode's
/// sign-ins too.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn signing_out_everywhere_ends_the_other_modes_sign_ins(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let jwt = jwt_app_for(&db, Backend::SessionMemory);
    let (one, two) = (jwt.browser(), jwt.browser());
    one.sign_up("alice", "correct-horse").await;
    two.sign_in("alice", "correct-horse").await;
    let after = restart_in(&jwt, AuthMode::Session, Backend::SessionMemory);
    let owner = after.browser();
    owner.sign_in("alice", "correct-horse").await;
    let list = devices(&owner).await;
    let other = list.iter().find(|d| d["current"] == false).unwrap();
    let r = owner
        .request(
            http::Method::DELETE,
            &format!("/api/devices/{}", other["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = owner.post_form("/api/end_all_devices", "").await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.body
    );
    for held in [one, two] {
        let b = after.browser();
        b.set_cookies(held.cookies());
        assert_eq!(b.me().await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(migrations(&db).await, 0);
}

/// After a switch from session mode (Redis) to JWT mode, disabling the
/// account ends the sessions still waiting in Redis; a session older than
/// the account's last password change is not carried over either.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn redis_sessions_of_a_disabled_or_changed_account_are_not_carried_over(
    pool: sqlx::SqlitePool,
) {
    if !support::redis_available() {
        return;
    }
    let db = server::db::testing::from_sqlite(pool).await;
    let before = TestApp::new(db.clone(), Backend::SessionRedis);
    let (phone, laptop) = (before.browser(), before.browser());
    phone.sign_up("alice", "correct-horse").await;
    laptop.sign_in("alice", "correct-horse").await;
    let after = restart_in(&before, AuthMode::Jwt, Backend::JwtRedis);
    let id: String = sqlx::query_scalar("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(&db)
        .await
        .unwrap();
    // A password change made where the sessions were not ended: the
    // carry-over itself refuses what is older.
    sqlx::query("UPDATE users SET password_changed_at = password_changed_at + 1")
        .execute(&db)
        .await
        .unwrap();
    let b = after.browser();
    b.set_cookies(phone.cookies());
    assert_eq!(
        b.me().await,
        StatusCode::UNAUTHORIZED,
        "older than the change"
    );
    sqlx::query("UPDATE users SET password_changed_at = password_changed_at - 1")
        .execute(&db)
        .await
        .unwrap();

    let ended = server::accounts::disable_user(&after.state, &id)
        .await
        .unwrap();
    assert_eq!(ended, Some(1), "the laptop's session, waiting in Redis");
    let b = after.browser();
    b.set_cookies(laptop.cookies());
    assert_eq!(b.me().await, StatusCode::UNAUTHORIZED, "disabled");
    assert_eq!(migrations(&db).await, 0);
    after.cleanup().await;
}

/// A refresh family that began before the account's last password change
/// is not carried over into session mode, whatever the store.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_family_older_than_the_password_is_not_carried_over(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    for store in [Backend::SessionMemory, Backend::SessionDatabase] {
        let jwt = jwt_app_for(&db, store);
        let api = jwt.browser();
        api.sign_up("alice", "correct-horse").await;
        // A password change made where the family was not ended.
        sqlx::query("UPDATE users SET password_changed_at = password_changed_at + 1")
            .execute(&db)
            .await
            .unwrap();
        let after = restart_in(&jwt, AuthMode::Session, store);
        let b = after.browser();
        b.set_cookies(api.cookies());
        assert_eq!(b.me().await, StatusCode::UNAUTHORIZED, "{store:?}");
        assert_eq!(migrations(&db).await, 0, "{store:?}");
        sqlx::query("DELETE FROM users").execute(&db).await.unwrap();
    }
}
