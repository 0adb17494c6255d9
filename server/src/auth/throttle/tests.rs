use super::*;
use crate::error::describe_wait;

#[test]
fn delays_grow_after_the_free_tries_and_stop_at_the_cap() {
    let p = Policy::ACCOUNT;
    let schedule: Vec<i64> = (1..=12).map(|n| p.lock_after(n)).collect();
    assert_eq!(schedule, [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128]);
    assert_eq!(p.lock_after(40), p.max);
    assert_eq!(p.lock_after(i64::MAX), p.max, "no overflow");
    // Fewer than 100 guesses an hour, however they are spaced.
    let (mut t, mut n) = (0, 0);
    while t < 3600 {
        n += 1;
        t += p.lock_after(n).max(1);
    }
    assert!(n < 25, "{n} guesses in an hour");
}

#[test]
fn a_lock_lasts_from_the_last_failure_and_a_quiet_key_resets() {
    let p = Policy::ACCOUNT;
    let f = Failures {
        count: 7,
        last_at: 1000,
    };
    assert_eq!(f.locked_for(&p, 1000), Some(4));
    assert_eq!(f.locked_for(&p, 1003), Some(1));
    assert_eq!(f.locked_for(&p, 1004), None);
    let many = Failures {
        count: 50,
        last_at: 1000,
    };
    assert_eq!(many.locked_for(&p, 1000 + p.max - 1), Some(1));
    assert_eq!(many.locked_for(&p, 1000 + p.reset), None);
}

#[test]
fn a_failure_recorded_after_the_clock_was_read_locks_nothing_while_tries_are_free() {
    // Two sign-ins from one address: the second reads the clock at 999,
    // then the first records its failure at 1000, then the second reads the
    // counter. With free tries left, the second is not refused.
    let p = Policy::CLIENT;
    let f = Failures {
        count: 3,
        last_at: 1000,
    };
    assert_eq!(f.locked_for(&p, 999), None);
    // Past the free tries the lock runs from the failure, as always.
    let locked = Failures {
        count: p.free,
        last_at: 1000,
    };
    assert_eq!(locked.locked_for(&p, 999), Some(2));
}

fn names() -> NameKey {
    NameKey::from_bytes([3; 32])
}

#[test]
fn account_keys_ignore_case_and_spaces_and_hide_the_name() {
    let account = |typed| Key::account(&names(), typed);
    assert_eq!(account(" Alice "), account("alice"));
    assert_ne!(account("alice"), account("alicia"));
    let k = account("hunter2-typed-as-a-username");
    assert!(!k.name().contains("hunter2"), "{}", k.name());
}

#[test]
fn client_keys_group_ipv6_by_64_and_unmap_ipv4() {
    let a = Key::client("2001:db8:1:2:aaaa::1".parse().unwrap());
    let b = Key::client("2001:db8:1:2:bbbb::9".parse().unwrap());
    let c = Key::client("2001:db8:1:3::1".parse().unwrap());
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(
        Key::client("::ffff:192.0.2.1".parse().unwrap()),
        Key::client("192.0.2.1".parse().unwrap())
    );
}

#[test]
fn waits_read_as_words() {
    assert_eq!(describe_wait(1), "1 second");
    assert_eq!(describe_wait(30), "30 seconds");
    assert_eq!(describe_wait(91), "2 minutes");
    assert_eq!(describe_wait(900), "15 minutes");
}

/// The store contract, for the database and Redis.
async fn counts_resets_and_clears(t: Throttle) {
    let key = Key::account(&names(), "alice");
    let other = Key::client("192.0.2.1".parse().unwrap());
    let now = 1_000_000;
    assert_eq!(
        t.locked_for(std::slice::from_ref(&key), now).await.unwrap(),
        None
    );
    for _ in 0..5 {
        t.fail(&[key.clone(), other.clone()], now).await.unwrap();
    }
    assert_eq!(
        t.locked_for(std::slice::from_ref(&key), now).await.unwrap(),
        Some(1)
    );
    assert_eq!(
        t.locked_for(std::slice::from_ref(&other), now)
            .await
            .unwrap(),
        None
    );
    t.fail(std::slice::from_ref(&key), now + 1).await.unwrap();
    assert_eq!(
        t.locked_for(&[other.clone(), key.clone()], now + 1)
            .await
            .unwrap(),
        Some(2)
    );
    t.clear(&key).await.unwrap();
    assert_eq!(
        t.locked_for(std::slice::from_ref(&key), now + 1)
            .await
            .unwrap(),
        None
    );
    // Concurrent failures are all counted.
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (t, k) = (t.clone(), key.clone());
            tokio::spawn(async move { t.fail(&[k], now + 2).await.unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let lock = Policy::ACCOUNT.lock_after(10);
    assert_eq!(
        t.locked_for(std::slice::from_ref(&key), now + 2)
            .await
            .unwrap(),
        Some(lock)
    );
    // Read back from every key the store holds (on a cluster: from each
    // master): alice's account is locked, the client is not.
    assert_eq!(t.lockouts_active(now + 2).await.unwrap(), 1);
}

#[sqlx::test(migrator = "crate::db::MIGRATOR")]
async fn database_counters(pool: sqlx::SqlitePool) {
    let db = crate::db::testing::from_sqlite(pool).await;
    counts_resets_and_clears(Throttle::Database(db.clone())).await;
    // A key quiet for the reset period starts again from one.
    let t = Throttle::Database(db.clone());
    let key = Key::account(&names(), "bob");
    for _ in 0..9 {
        t.fail(std::slice::from_ref(&key), 0).await.unwrap();
    }
    let later = Policy::ACCOUNT.reset;
    t.fail(std::slice::from_ref(&key), later).await.unwrap();
    assert_eq!(
        t.locked_for(std::slice::from_ref(&key), later)
            .await
            .unwrap(),
        None
    );
    // Only bob's key has been quiet for an hour at that point.
    assert_eq!(t.purge(later + Policy::ACCOUNT.reset).await.unwrap(), 1);
    assert_eq!(t.locked_for(&[key], later).await.unwrap(), None);
}

#[tokio::test]
async fn postgres_counters() {
    let Some(pg) = crate::db::testing::PgTestDb::create().await else {
        return crate::testing::skip("PostgreSQL", crate::db::testing::POSTGRES_ENV);
    };
    counts_resets_and_clears(Throttle::Database(pg.db.clone())).await;
    pg.drop().await;
}

#[tokio::test]
async fn redis_counters() {
    let Some(redis) = RedisClient::for_tests() else {
        return crate::testing::skip("Redis", crate::redis_client::TEST_ENV);
    };
    counts_resets_and_clears(Throttle::Redis(redis.clone())).await;
    redis.delete_all().await.unwrap();
}

#[tokio::test]
async fn redis_cluster_counters() {
    let Some(redis) = crate::testing::redis_cluster() else {
        return;
    };
    counts_resets_and_clears(Throttle::Redis(redis.clone())).await;
    redis.delete_all().await.unwrap();
}
