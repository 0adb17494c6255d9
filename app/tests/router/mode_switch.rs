//! Switching `LATCHKEY_AUTH_MODE` keeps people signed in: a browser signed
//! in under one mode is still signed in after a restart in the other, on
//! the same data, with the same one device; the old cookie works once.
//! (What ended stays ended across a switch: `mode_switch_endings.rs`.)

use std::collections::BTreeMap;

use server::config::{AuthMode, Config};

use super::device_cases::{devices, own_id};
use super::*;

const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

/// The same configuration and data, restarted in `mode`.
pub(super) fn restart_in(app: &TestApp, mode: AuthMode, backend: Backend) -> TestApp {
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
        // API clients here sign in by the password grant.
        password_grant: true,
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

/// A switch of mode carries a sign-in over, not a fresh proof: the device
/// keeps the time its person signed in, and a sensitive action after the
/// window still asks for the password, in either direction.
#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_carried_over_sign_in_is_no_fresh_proof(pool: sqlx::SqlitePool) {
    let db = server::db::testing::from_sqlite(pool).await;
    for (before, mode, after) in [
        (Backend::SessionDatabase, AuthMode::Jwt, Backend::Jwt),
        (Backend::Jwt, AuthMode::Session, Backend::SessionDatabase),
    ] {
        let before = TestApp::with_config(
            db.clone(),
            Config {
                session_store: server::config::SessionStoreKind::Database,
                ..(*TestApp::new(db.clone(), before).state.config).clone()
            },
            before,
        );
        let b = before.browser();
        b.sign_up("alice", "correct-horse").await;
        let after = restart_in(&before, mode, after);
        after.clock.advance(11 * 60);
        let b2 = after.browser();
        b2.set_cookies(b.cookies());
        // The first request carries the sign-in over; the next is refused
        // for want of a recent proof, not for want of a sign-in.
        assert_eq!(b2.me().await, StatusCode::OK);
        let r = b2.request(http::Method::DELETE, "/api/devices").await;
        super::reauth_cases::assert_prove_again(&r);
        let r = b2.post_form("/api/end_all_devices", "").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(b2.me().await, StatusCode::OK);
        sqlx::query("DELETE FROM users").execute(&db).await.unwrap();
    }
}

#[sqlx::test(migrator = "server::db::MIGRATOR")]
async fn a_passkey_sign_in_keeps_its_method_across_a_switch(pool: sqlx::SqlitePool) {
    use super::passkey_cases::{add_passkey, passkey_sign_in, ORIGIN};
    use serde_json::json;
    let db = server::db::testing::from_sqlite(pool).await;
    for (before, mode, after) in [
        (Backend::SessionDatabase, AuthMode::Jwt, Backend::Jwt),
        (Backend::Jwt, AuthMode::Session, Backend::SessionDatabase),
    ] {
        let before = TestApp::new(db.clone(), before);
        let owner = before.browser();
        owner.sign_up("alice", "correct-horse").await;
        assert_eq!(owner.get("/api/me").await.json()["amr"], json!(["pwd"]));
        let mut key = support::SoftAuthenticator::new(ORIGIN);
        add_passkey(&owner, &mut key, "Phone").await;
        let b = before.browser();
        assert_eq!(
            passkey_sign_in(&b, &mut key, true).await.status,
            StatusCode::OK
        );
        assert_eq!(b.get("/api/me").await.json()["amr"], json!(["swk"]));

        // Carried over, and then renewed: still a passkey sign-in.
        let after = restart_in(&before, mode, after);
        let b2 = after.browser();
        b2.set_cookies(b.cookies());
        assert_eq!(b2.get("/api/me").await.json()["amr"], json!(["swk"]));
        after.clock.advance(31 * 60);
        assert_eq!(b2.get("/api/me").await.json()["amr"], json!(["swk"]));
        sqlx::query("DELETE FROM users").execute(&db).await.unwrap();
    }
}
