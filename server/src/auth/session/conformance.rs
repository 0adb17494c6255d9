//! One behaviour suite for every session store: each case is written once
//! and instantiated per store by [`store_suite!`].

use super::{DatabaseStore, DeviceSession, MemoryStore, RedisStore, SessionStore};
use crate::auth::token::{self, TokenHash};
use crate::db::testing::{PgTestDb, POSTGRES_ENV};
use crate::db::Db;
use crate::redis_client::{self, RedisClient};

const NOW: i64 = 1_800_000_000;

fn record(user_id: &str, username: &str) -> DeviceSession {
    DeviceSession {
        id: token::new_id(),
        user_id: user_id.into(),
        username: username.into(),
        created_at: NOW,
        last_seen_at: NOW,
        idle_expires_at: NOW + 100,
        absolute_expires_at: NOW + 1_000,
        user_agent: Some("test-agent".into()),
        ip: Some("127.0.0.1".into()),
        persistent: true,
        // As the test users are made (the SQL stores read it from `users`).
        member_since: Some(NOW),
        amr: crate::auth::Amr::Pwd,
    }
}

fn new_hash() -> TokenHash {
    TokenHash::of(&token::new_token())
}

pub(super) async fn insert_then_find(store: impl SessionStore, user: (String, String)) {
    let (h, r) = (new_hash(), record(&user.0, &user.1));
    store.insert(&h, &r).await.unwrap();
    assert_eq!(store.find(&h, NOW).await.unwrap(), Some(r));
    assert_eq!(store.find(&new_hash(), NOW).await.unwrap(), None);
}

pub(super) async fn idle_deadline_is_enforced(store: impl SessionStore, user: (String, String)) {
    let (h, r) = (new_hash(), record(&user.0, &user.1));
    store.insert(&h, &r).await.unwrap();
    assert!(store.find(&h, NOW + 99).await.unwrap().is_some());
    assert_eq!(store.find(&h, NOW + 100).await.unwrap(), None);
}

pub(super) async fn touch_slides_idle_but_not_absolute(
    store: impl SessionStore,
    user: (String, String),
) {
    let (h, r) = (new_hash(), record(&user.0, &user.1));
    store.insert(&h, &r).await.unwrap();
    store.touch(&h, NOW + 90, NOW + 190).await.unwrap();
    let found = store
        .find(&h, NOW + 150)
        .await
        .unwrap()
        .expect("still live");
    assert_eq!(found.last_seen_at, NOW + 90);
    assert_eq!(found.idle_expires_at, NOW + 190);
    store.touch(&h, NOW + 990, NOW + 1_090).await.unwrap();
    assert_eq!(
        store.find(&h, NOW + 1_000).await.unwrap(),
        None,
        "absolute deadline"
    );
}

pub(super) async fn remove_deletes_one(store: impl SessionStore, user: (String, String)) {
    let (a, b) = (new_hash(), new_hash());
    store.insert(&a, &record(&user.0, &user.1)).await.unwrap();
    store.insert(&b, &record(&user.0, &user.1)).await.unwrap();
    assert!(store.remove(&a).await.unwrap());
    assert!(
        !store.remove(&a).await.unwrap(),
        "second removal finds nothing"
    );
    assert_eq!(store.find(&a, NOW).await.unwrap(), None);
    assert!(store.find(&b, NOW).await.unwrap().is_some());
}

pub(super) async fn remove_user_deletes_all_of_theirs(
    store: impl SessionStore,
    user: (String, String),
) {
    for _ in 0..3 {
        store
            .insert(&new_hash(), &record(&user.0, &user.1))
            .await
            .unwrap();
    }
    assert_eq!(store.remove_user(&user.0).await.unwrap(), 3);
    assert_eq!(store.remove_user(&user.0).await.unwrap(), 0);
}

pub(super) async fn list_and_remove_one_device(store: impl SessionStore, user: (String, String)) {
    let (a, b, gone) = (new_hash(), new_hash(), new_hash());
    let first = record(&user.0, &user.1);
    let second = DeviceSession {
        persistent: false,
        ..record(&user.0, &user.1)
    };
    let mut expired = record(&user.0, &user.1);
    expired.idle_expires_at = NOW - 1;
    store.insert(&a, &first).await.unwrap();
    store.insert(&b, &second).await.unwrap();
    store.insert(&gone, &expired).await.unwrap();
    let mut listed = store.list_user(&user.0, NOW).await.unwrap();
    listed.sort_by_key(|d| d.persistent);
    assert_eq!(
        listed,
        [second.clone(), first.clone()],
        "live ones, as stored"
    );
    assert!(store.list_user("nobody", NOW).await.unwrap().is_empty());
    // Another user cannot end it, even knowing its id.
    assert!(!store.remove_device("nobody", &first.id).await.unwrap());
    assert!(!store.remove_device(&user.0, "no-such-id").await.unwrap());
    assert!(store.find(&a, NOW).await.unwrap().is_some());
    assert!(store.remove_device(&user.0, &first.id).await.unwrap());
    assert!(!store.remove_device(&user.0, &first.id).await.unwrap());
    assert_eq!(store.find(&a, NOW).await.unwrap(), None);
    assert_eq!(store.find(&b, NOW).await.unwrap(), Some(second.clone()));
    assert_eq!(store.list_user(&user.0, NOW).await.unwrap(), [second]);
}

pub(super) async fn purge_removes_only_expired(store: impl SessionStore, user: (String, String)) {
    let (live, idle, old) = (new_hash(), new_hash(), new_hash());
    store
        .insert(&live, &record(&user.0, &user.1))
        .await
        .unwrap();
    let mut r = record(&user.0, &user.1);
    r.idle_expires_at = NOW - 1;
    store.insert(&idle, &r).await.unwrap();
    let mut r = record(&user.0, &user.1);
    r.absolute_expires_at = NOW;
    store.insert(&old, &r).await.unwrap();
    assert_eq!(store.purge_expired(NOW).await.unwrap(), 2);
    assert!(store.find(&live, NOW).await.unwrap().is_some());
    assert!(store.ping().await);
}

macro_rules! store_suite {
    ($($case:ident),* $(,)?) => {
        mod memory {
            use super::*;
            $(
                #[tokio::test]
                async fn $case() {
                    let user = ("user-1".to_string(), "alice".to_string());
                    super::$case(MemoryStore::new(), user).await;
                }
            )*
        }

        mod database {
            use super::*;
            $(
                #[sqlx::test(migrator = "crate::db::MIGRATOR")]
                async fn $case(pool: sqlx::SqlitePool) {
                    let db = crate::db::testing::from_sqlite(pool).await;
                    let user = seed_user(&db).await;
                    super::$case(DatabaseStore::new(db), user).await;
                }
            )*
        }

        mod postgres {
            use super::*;
            $(
                #[tokio::test]
                async fn $case() {
                    let Some(pg) = PgTestDb::create().await else {
                        return crate::testing::skip("PostgreSQL", POSTGRES_ENV);
                    };
                    let user = seed_user(&pg.db).await;
                    super::$case(DatabaseStore::new(pg.db.clone()), user)
                        .await;
                    pg.drop().await;
                }
            )*
        }

        mod redis {
            use super::*;
            $(
                #[tokio::test]
                async fn $case() {
                    let Some(client) = RedisClient::for_tests() else {
                        return crate::testing::skip("Redis", redis_client::TEST_ENV);
                    };
                    let user = ("user-1".to_string(), "alice".to_string());
                    super::$case(RedisStore::new(client.clone()), user).await;
                    client.delete_all().await.unwrap();
                }
            )*
        }

        mod redis_cluster {
            use super::*;
            $(
                #[tokio::test]
                async fn $case() {
                    let Some(client) = crate::testing::redis_cluster() else {
                        return;
                    };
                    let user = ("user-1".to_string(), "alice".to_string());
                    super::$case(RedisStore::new(client.clone()), user).await;
                    client.delete_all().await.unwrap();
                }
            )*
        }
    };
}

async fn seed_user(db: &Db) -> (String, String) {
    let u = crate::users::create(
        db,
        "alice",
        "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
        NOW,
    )
    .await
    .unwrap();
    (u.id, u.username)
}

store_suite!(
    insert_then_find,
    idle_deadline_is_enforced,
    touch_slides_idle_but_not_absolute,
    remove_deletes_one,
    remove_user_deletes_all_of_theirs,
    list_and_remove_one_device,
    purge_removes_only_expired,
);

/// Database-only: the raw session ID never reaches the table, and a disabled
/// account's sessions stop resolving.
mod database_only {
    use super::*;

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn only_the_hash_is_stored(pool: sqlx::SqlitePool) {
        let db = crate::db::testing::from_sqlite(pool).await;
        let (user_id, username) = seed_user(&db).await;
        let raw = token::new_token();
        let store = DatabaseStore::new(db.clone());
        store
            .insert(&TokenHash::of(&raw), &record(&user_id, &username))
            .await
            .unwrap();
        let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM sessions")
            .fetch_all(&db)
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0].0, raw);
        assert_eq!(stored[0].0, TokenHash::of(&raw).as_str());
    }

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn disabled_users_sessions_do_not_resolve(pool: sqlx::SqlitePool) {
        let db = crate::db::testing::from_sqlite(pool).await;
        let (user_id, username) = seed_user(&db).await;
        let store = DatabaseStore::new(db.clone());
        let h = new_hash();
        store
            .insert(&h, &record(&user_id, &username))
            .await
            .unwrap();
        sqlx::query("UPDATE users SET disabled_at = $1 WHERE id = $2")
            .bind(NOW)
            .bind(&user_id)
            .execute(&db)
            .await
            .unwrap();
        assert_eq!(store.find(&h, NOW).await.unwrap(), None);
    }
}
