//! The JWT backend against a real database, with a manual clock.

use std::time::Duration;

use super::*;
use crate::auth::{token, AuthBackend, Credential};
use crate::config::JwtAlg;

const T0: i64 = 1_800_000_000;

fn settings() -> JwtSettings {
    JwtSettings {
        access_ttl: Duration::from_secs(1800),
        refresh_ttl: Duration::from_secs(14 * 86400),
        short_refresh_ttl: Duration::from_secs(12 * 3600),
        absolute_ttl: Duration::from_secs(30 * 86400),
        grace: Duration::from_secs(10),
    }
}

async fn setup(db: &Db) -> (JwtBackend, Clock, User) {
    let clock = Clock::manual(T0);
    let keys = Keyring::random(JwtAlg::Hs256).unwrap();
    let backend = JwtBackend::new(
        keys,
        db.clone(),
        &SharedStore::Database(db.clone()),
        settings(),
        clock.clone(),
    );
    let user = crate::users::create(db, "alice", "hash", T0).await.unwrap();
    (backend, clock, user)
}

/// Ends the device session of an access or refresh token, as RFC 7009
/// revocation does.
/// A kept password sign-in of `user` with no DPoP key and no resource.
async fn sign_in(b: &JwtBackend, user: &User) -> TokenPair {
    b.issue(user, &ClientMeta::default(), true, crate::auth::Amr::Pwd)
        .await
        .unwrap()
}

async fn revoke(b: &JwtBackend, raw: &str) -> Option<Ended> {
    let access = Credential::Access(AccessToken::new(raw));
    if let Some(ended) = b.end(&access, "revoked").await.unwrap() {
        return Some(ended);
    }
    let refresh = Credential::Refresh(RefreshToken::new(raw));
    b.end(&refresh, "revoked").await.unwrap()
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(db).await.unwrap();
    n
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn issue_verifies_without_touching_the_database(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (b, _clock, user) = setup(&db).await;
    let pair = sign_in(&b, &user).await;
    assert_eq!(pair.expires_in, 1800);
    assert!(token::is_well_formed(pair.refresh_token.expose()));
    db.close().await;
    // The database is closed: verification still works, by signature alone.
    let identity = b.verify_access(pair.access_token.expose()).unwrap();
    assert_eq!(identity.username, "alice");
    assert_eq!(identity.access_expires_at, Some(T0 + 1800));
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn refresh_rotates_and_reuse_after_grace_revokes_the_family(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (b, clock, user) = setup(&db).await;
    let first = sign_in(&b, &user).await;
    clock.advance(60);
    let second = b
        .refresh(first.refresh_token.expose(), None, None)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    assert_ne!(second.access_token, first.access_token);
    clock.advance(11);
    let reuse = b
        .refresh(first.refresh_token.expose(), None, None)
        .await
        .unwrap();
    assert!(matches!(reuse, Err(Refusal::Reused { .. })), "{reuse:?}");
    // The whole family is gone: the newest refresh token and the access token too.
    assert_eq!(
        b.refresh(second.refresh_token.expose(), None, None)
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::Revoked
    );
    assert!(b.verify_access(second.access_token.expose()).is_err());
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn concurrent_refreshes_with_one_token_share_one_successor(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (b, clock, user) = setup(&db).await;
    let first = sign_in(&b, &user).await;
    clock.advance(60);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (b, raw) = (b.clone(), first.refresh_token.clone());
            tokio::spawn(async move { b.refresh(raw.expose(), None, None).await })
        })
        .collect();
    let mut successors = std::collections::HashSet::new();
    for t in tasks {
        let pair = t
            .await
            .unwrap()
            .unwrap()
            .expect("every tab stays signed in");
        successors.insert(pair.refresh_token);
    }
    assert_eq!(successors.len(), 1);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM refresh_tokens WHERE parent_hash IS NOT NULL"
        )
        .await,
        1,
        "exactly one new family head"
    );
    // Within the grace window a late tab still gets the same successor.
    clock.advance(9);
    let late = b
        .refresh(first.refresh_token.expose(), None, None)
        .await
        .unwrap()
        .unwrap();
    assert!(successors.contains(&late.refresh_token));
    // The successor itself works.
    assert!(b
        .refresh(late.refresh_token.expose(), None, None)
        .await
        .unwrap()
        .is_ok());
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn idle_and_absolute_lifetimes_are_enforced(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (b, clock, user) = setup(&db).await;
    let pair = sign_in(&b, &user).await;
    clock.advance(14 * 86400);
    assert_eq!(
        b.refresh(pair.refresh_token.expose(), None, None)
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::Expired
    );

    let mut pair = sign_in(&b, &user).await;
    // Used every 10 days, the family still ends 30 days after sign-in.
    for _ in 0..2 {
        clock.advance(10 * 86400);
        pair = b
            .refresh(pair.refresh_token.expose(), None, None)
            .await
            .unwrap()
            .unwrap();
    }
    clock.advance(10 * 86400);
    assert_eq!(
        b.refresh(pair.refresh_token.expose(), None, None)
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::Expired
    );
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn tokens_of_one_kind_do_not_pass_as_the_other(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (b, _clock, user) = setup(&db).await;
    let pair = sign_in(&b, &user).await;
    assert!(
        b.verify_access(pair.refresh_token.expose()).is_err(),
        "refresh token as access token"
    );
    assert_eq!(
        b.refresh(pair.access_token.expose(), None, None)
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::Unknown,
        "access token as refresh token"
    );
    let rows: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM refresh_tokens")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(
        rows.iter().all(|(h,)| h != pair.refresh_token.expose()),
        "only hashes are stored"
    );
}

mod ending;
