//! Switching `LATCHKEY_AUTH_MODE` keeps people signed in: a browser signed
//! in under one mode is still signed in after a restart in the other, on
//! the same data, with the same one device; the old cookie works once.

use std::collections::BTreeMap;

use server::config::{AuthMode, Config};

use super::device_cases::{devices, own_id};
use super::*;

const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// The same configuration and data, restarted in `mode`.
fn restart_in(app: &TestApp, mode: AuthMode, backend: Backend) -> TestApp {
    let config = Config {
        auth_mode: mode,
        ..(*app.state.config).clone()
    };
    TestApp::with_config(app.db.clone(), config, backend)
}

fn names(cookies: &BTreeMap<String, String>) -> Vec<&str> {
    cookies.keys().map(|k| k.as_str()).collect()
}

/// Signs alice up on `before`, restarts in the other mode as `after`, and
/// checks the browser is still signed in there on the same single device,
/// now holding `after`'s cookies, and that the old cookies work only once.
async fn carries_over(before: TestApp, after_backend: Backend) {
    let b = before.browser().with_agent(FIREFOX);
    b.sign_up("alice", "correct-horse").await;
    let device = own_id(&b).await;
    let old = b.cookies();
    let mode = if before.is_jwt() {
        AuthMode::Session
    } else {
        AuthMode::Jwt
    };
    let after = restart_in(&before, mode, after_backend);
    let b = after.browser().with_agent(FIREFOX);
    b.set_cookies(old.clone());
    let r = b.get("/account").await;
    assert_eq!(r.status, StatusCode::OK, "still signed in: {}", r.body);
    let expected = if after.is_jwt() {
        vec!["__Host-latchkey_access", "__Host-latchkey_refresh"]
    } else {
        vec!["__Host-latchkey_session"]
    };
    assert_eq!(names(&b.cookies()), expected, "this mode's cookies only");
    let list = devices(&b).await;
    assert_eq!(list.len(), 1, "one device, not two: {list:?}");
    assert_eq!(list[0]["id"], device.as_str(), "the device keeps its id");
    assert_eq!(list[0]["current"], true);
    assert_eq!(
        list[0]["other_mode"], false,
        "carried over: this mode's now"
    );
    assert_eq!(list[0]["browser"], "Firefox 133");
    assert_eq!(b.me().await, StatusCode::OK);
    // The old cookies were taken: replayed elsewhere, they sign nobody in.
    let replay = after.browser();
    replay.set_cookies(old);
    assert_eq!(replay.me().await, StatusCode::UNAUTHORIZED);
    assert_eq!(b.me().await, StatusCode::OK);
    before.cleanup().await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn session_mode_to_jwt_mode(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    carries_over(TestApp::new(db, Backend::SessionDatabase), Backend::Jwt).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn jwt_mode_to_session_mode_with_each_store(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    for backend in [Backend::SessionMemory, Backend::SessionDatabase] {
        let jwt = TestApp::new(db.clone(), Backend::Jwt);
        let config = Config {
            session_store: TestApp::new(db.clone(), backend).state.config.session_store,
            ..(*jwt.state.config).clone()
        };
        let jwt = TestApp::with_config(db.clone(), config, Backend::Jwt);
        carries_over(jwt, backend).await;
        sqlx::query("DELETE FROM users").execute(&db).await.unwrap();
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn redis_sessions_carry_over_both_ways(pool: sqlx::SqlitePool) {
    if !support::redis_available() {
        return;
    }
    let db = server::db::testing::from_sqlite(pool).await;
    carries_over(
        TestApp::new(db.clone(), Backend::SessionRedis),
        Backend::JwtRedis,
    )
    .await;
    sqlx::query("DELETE FROM users").execute(&db).await.unwrap();
    carries_over(TestApp::new(db, Backend::JwtRedis), Backend::SessionRedis).await;
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn with_migration_off_the_other_modes_cookie_is_dropped(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    let config = Config {
        session_store: server::config::SessionStoreKind::Database,
        mode_migration: false,
        ..Config::defaults()
    };
    let before = TestApp::with_config(db, config, Backend::SessionDatabase);
    let b = before.browser();
    b.sign_up("alice", "correct-horse").await;
    let after = restart_in(&before, AuthMode::Jwt, Backend::Jwt);
    let b2 = after.browser();
    b2.set_cookies(b.cookies());
    assert_eq!(b2.me().await, StatusCode::UNAUTHORIZED);
    assert!(b2.cookies().is_empty(), "{:?}", b2.cookies());
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn signing_out_first_thing_after_a_switch_ends_the_carried_over_device(
    pool: sqlx::SqlitePool,
) {
    let db = server::db::testing::from_sqlite(pool).await;
    let before = TestApp::new(db, Backend::SessionDatabase);
    let b = before.browser();
    b.sign_up("alice", "correct-horse").await;
    let after = restart_in(&before, AuthMode::Jwt, Backend::Jwt);
    let b2 = after.browser();
    b2.set_cookies(b.cookies());
    // The sign-out itself is the request that carries the sign-in over; it
    // ends the carried-over device, not only the cookie it came with.
    let r = b2.post_form("/api/sign_out", "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(b2.me().await, StatusCode::UNAUTHORIZED);
    let again = after.browser();
    again.sign_in("alice", "correct-horse").await;
    let list = devices(&again).await;
    assert_eq!(list.len(), 1, "only the new sign-in: {list:?}");
}

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
