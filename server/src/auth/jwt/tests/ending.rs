//! The JWT backend's endings against a real database, with a manual clock:
//! a revocation refuses the access token at once, here and (at its next
//! sync) on another instance; a token verified before still expires; the
//! purge deletes only dead families.

use super::*;
use crate::auth::jwt::claims::TokenError;

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn revoking_refuses_the_access_token_at_once(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (b, _clock, user) = setup(&db).await;
    let pair = sign_in(&b, &user).await;
    assert!(b.verify_access(pair.access_token.expose()).is_ok());
    assert!(revoke(&b, pair.access_token.expose()).await.is_some());
    assert!(b.verify_access(pair.access_token.expose()).is_err());
    assert_eq!(
        b.refresh(pair.refresh_token.expose(), None, None)
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::Revoked
    );
    // Revoking by refresh token works too; unknown tokens are no error.
    let other = sign_in(&b, &user).await;
    assert!(revoke(&b, other.refresh_token.expose()).await.is_some());
    assert!(b.verify_access(other.access_token.expose()).is_err());
    assert_eq!(revoke(&b, "not-a-token").await, None);
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn a_token_verified_before_still_expires(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (b, clock, user) = setup(&db).await;
    let pair = sign_in(&b, &user).await;
    assert!(b.verify_access(pair.access_token.expose()).is_ok());
    clock.advance(1800 + claims::LEEWAY - 1);
    assert!(b.verify_access(pair.access_token.expose()).is_ok());
    clock.advance(1);
    assert_eq!(
        b.verify_access(pair.access_token.expose()),
        Err(TokenError::Expired)
    );
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn another_instance_learns_of_a_revocation_at_its_next_sync(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (a, clock, user) = setup(&db).await;
    let b = JwtBackend {
        revocations: Revocations::new(1800 + claims::LEEWAY, None),
        ..a.clone()
    };
    let pair = sign_in(&a, &user).await;
    revoke(&a, pair.access_token.expose()).await;
    assert!(a.verify_access(pair.access_token.expose()).is_err());
    assert!(
        b.verify_access(pair.access_token.expose()).is_ok(),
        "not synced yet"
    );
    clock.advance(1);
    b.sync_revocations().await.unwrap();
    assert!(b.verify_access(pair.access_token.expose()).is_err());
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn purge_deletes_only_dead_families(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (b, clock, user) = setup(&db).await;
    let expired = sign_in(&b, &user).await;
    clock.advance(13 * 86400);
    let live = sign_in(&b, &user).await;
    let revoked = sign_in(&b, &user).await;
    revoke(&b, revoked.refresh_token.expose()).await;
    clock.advance(86400 + 1);
    // Only `expired` is past a deadline; `revoked` stays until its deadlines
    // pass too (and its revocation is older than any access token).
    assert_eq!(b.purge_expired().await.unwrap(), 1);
    assert_eq!(
        b.refresh(expired.refresh_token.expose(), None, None)
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::Unknown
    );
    assert!(b
        .refresh(live.refresh_token.expose(), None, None)
        .await
        .unwrap()
        .is_ok());
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM sessions WHERE revoked_at IS NOT NULL"
        )
        .await,
        1
    );
    clock.advance(14 * 86400);
    b.purge_expired().await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM sessions").await, 0);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM refresh_tokens").await,
        0,
        "tokens go with their family"
    );
}
