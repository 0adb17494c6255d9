//! The revocation set: local and synced entries, and with Redis, that a
//! revocation is applied on every listening instance before its publisher
//! returns.

use super::*;
use crate::redis_client::Heard;

#[test]
fn local_revocations_are_seen_at_once() {
    let r = Revocations::new(60, None);
    assert!(!r.contains("sid"));
    r.insert("sid", 10);
    assert!(r.contains("sid"));
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn sync_reads_other_instances_revocations_and_forgets_old_ones(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let user = crate::users::create(&db, "alice", "x", 0).await.unwrap();
    for (id, revoked_at) in [("recent", Some(1_000)), ("old", Some(100)), ("live", None)] {
        sqlx::query(
            "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, \
             idle_expires_at, absolute_expires_at, revoked_at) VALUES ($1, $2, $3, 0, 0, 9999, 9999, $4)",
        )
        .bind(id)
        .bind(&user.id)
        .bind(format!("hash-{id}"))
        .bind(revoked_at)
        .execute(&db)
        .await
        .unwrap();
    }
    let r = Revocations::new(60, None);
    r.insert("stale-local", 100);
    r.sync(&db, 1_030).await.unwrap();
    assert!(r.contains("recent"));
    assert!(!r.contains("old"));
    assert!(!r.contains("live"));
    assert!(
        !r.contains("stale-local"),
        "entries past the window are dropped"
    );
    assert_eq!(r.len(), 1);
}

/// Two instances listening on one Redis prefix, both subscribed.
async fn two_listening(db: &Db, redis: &RedisClient) -> (Revocations, Revocations) {
    let (a, b) = (
        Revocations::new(60, Some(redis.clone())),
        Revocations::new(60, Some(redis.clone())),
    );
    for r in [&a, &b] {
        let (r, db) = (r.clone(), db.clone());
        tokio::spawn(async move { r.listen(db, crate::clock::Clock::manual(1_000)).await });
    }
    wait_for_subscribers(redis, 2).await;
    (a, b)
}

/// Waits until `n` connections listen on the revocation channel (on a
/// cluster: on its shard, counted by every node).
async fn wait_for_subscribers(redis: &RedisClient, n: usize) {
    let numsub = if redis.is_cluster() {
        "SHARDNUMSUB"
    } else {
        "NUMSUB"
    };
    for _ in 0..300 {
        let counts: std::collections::HashMap<String, usize> = redis::cmd("PUBSUB")
            .arg(numsub)
            .arg(redis.key(Names::of(redis).channel))
            .query_async(&mut redis.conn())
            .await
            .unwrap();
        if counts.values().sum::<usize>() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the listeners did not subscribe");
}

/// Each case below, against one Redis server and against a Redis Cluster.
macro_rules! on_both {
    ($($case:ident),* $(,)?) => {
        mod single {
            $(
                #[sqlx::test(migrator = "crate::db::MIGRATOR")]
                async fn $case(pool: sqlx::SqlitePool) {
                    if let Some(redis) = crate::testing::redis() {
                        super::$case(pool, redis).await;
                    }
                }
            )*
        }
        mod cluster {
            $(
                #[sqlx::test(migrator = "crate::db::MIGRATOR")]
                async fn $case(pool: sqlx::SqlitePool) {
                    if let Some(redis) = crate::testing::redis_cluster() {
                        super::$case(pool, redis).await;
                    }
                }
            )*
        }
    };
}

on_both!(
    a_revocation_is_applied_everywhere_before_publish_returns,
    a_silent_subscriber_delays_a_revocation_but_does_not_hold_it,
    a_revocation_redis_lost_is_read_from_the_database_on_subscribing,
);

async fn a_revocation_is_applied_everywhere_before_publish_returns(
    pool: sqlx::SqlitePool,
    redis: RedisClient,
) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (a, b) = two_listening(&db, &redis).await;
    // Many times over: a delivery that merely tends to win the race
    // against the next line would lose some of these.
    for i in 0..200 {
        let sid = format!("sid-{i}");
        b.publish(&sid, 1_000).await.unwrap();
        assert!(
            a.contains(&sid),
            "revocation {i} not applied on the other instance"
        );
    }
    assert!(b.awaiting.lock().unwrap().is_empty(), "no wait left behind");
    redis.delete_all().await.unwrap();
}

async fn a_silent_subscriber_delays_a_revocation_but_does_not_hold_it(
    pool: sqlx::SqlitePool,
    redis: RedisClient,
) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let (a, b) = two_listening(&db, &redis).await;
    // Receives every revocation and never confirms, like a stalled instance.
    let mut silent = redis.subscribe(&[Names::of(&redis).channel]).await.unwrap();
    assert_eq!(silent.next().await, Some(Heard::Subscribed));
    wait_for_subscribers(&redis, 3).await;
    let started = std::time::Instant::now();
    b.publish("sid", 1_000).await.unwrap();
    assert!(
        started.elapsed() >= CONFIRM_WAIT,
        "waited for the third confirmation"
    );
    assert!(a.contains("sid"));
    let Some(Heard::Message { payload, .. }) = silent.next().await else {
        panic!("the silent subscriber heard no revocation");
    };
    assert!(payload.starts_with("1000 sid "), "{payload}");
    assert!(b.awaiting.lock().unwrap().is_empty());
    redis.delete_all().await.unwrap();
}

/// Redis keeps nothing on disk and a replica may lag its master: a
/// revocation the set lost must still be in force on an instance that
/// subscribes afterwards, from the database.
async fn a_revocation_redis_lost_is_read_from_the_database_on_subscribing(
    pool: sqlx::SqlitePool,
    redis: RedisClient,
) {
    let db = crate::db::testing::from_sqlite(pool).await;
    let user = crate::users::create(&db, "alice", "x", 0).await.unwrap();
    sqlx::query(
        "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, \
         idle_expires_at, absolute_expires_at, revoked_at) VALUES ('lost', $1, 'h', 0, 0, 9999, 9999, 990)",
    )
    .bind(&user.id)
    .execute(&db)
    .await
    .unwrap();
    let r = Revocations::new(60, Some(redis.clone()));
    assert!(!r.contains("lost"));
    let (listener, db2) = (r.clone(), db.clone());
    let listening = tokio::spawn(async move {
        listener
            .listen(db2, crate::clock::Clock::manual(1_000))
            .await
    });
    for _ in 0..300 {
        if r.contains("lost") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    listening.abort();
    assert!(r.contains("lost"), "the database's revocation was not read");
    assert_eq!(r.revoked_at("lost"), Some(990));
    redis.delete_all().await.unwrap();
}

#[test]
fn published_messages_are_read_back() {
    let r = Revocations::new(60, None);
    assert_eq!(r.apply("1000 sid-1 nonce-1", 1000), Some("nonce-1"));
    assert!(r.contains("sid-1"));
    assert_eq!(
        r.apply("1000 sid-2", 1000),
        None,
        "a message without a nonce"
    );
    assert!(r.contains("sid-2"));
    for garbage in ["", "x sid-3 n", "1000", " sid-4 n"] {
        assert_eq!(r.apply(garbage, 1000), None);
    }
    assert!(!r.contains("sid-3") && !r.contains("sid-4"));
    assert_eq!(r.len(), 2);
}
