//! Which device sessions were revoked recently: the check that makes sign-out
//! stop an access token before it expires.
//!
//! The durable record is `sessions.revoked_at` in the database. Each instance
//! keeps the ids revoked within the last access-token lifetime in memory (an
//! access token older than that has expired anyway), so a request costs no
//! store round trip. A revocation made here is in the set at once; one made by
//! another instance arrives with the next sync, at most [`SYNC_EVERY`] later.
//!
//! Instances read each other's revocations from the database, or, with the
//! Redis store, from the sorted set `revoked` (member: session id, score: when
//! it was revoked), which is trimmed to the window on every sync.
//!
//! With Redis, a revocation is in force on every instance before the request
//! that made it is answered. It is published on the channel `revocations`;
//! each subscribed instance adds it to its set and only then confirms on
//! `revocations-applied`, and the publisher waits until as many confirmations
//! came as Redis said it delivered the message to (at most [`CONFIRM_WAIT`]).
//! So once a sign-out on one instance has returned, a request with the same
//! access token to any other instance is refused: the order is enforced, not
//! left to how fast the message travels. An instance that was not subscribed
//! at that moment (reconnecting) is not counted; it reads the set when it
//! subscribes again, and the periodic sync covers the rest.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::db::Db;
use crate::redis_client::RedisClient;
use crate::Result;

/// How often each instance reads revocations made elsewhere.
pub const SYNC_EVERY: Duration = Duration::from_secs(2);
/// The Redis channel revocations are published on.
const CHANNEL: &str = "revocations";
/// The Redis channel instances confirm applied revocations on.
const APPLIED: &str = "revocations-applied";
/// Publishers waiting for confirmations: a sender per nonce.
type Waiters = Mutex<HashMap<String, mpsc::UnboundedSender<()>>>;
/// The longest a revocation waits for the other instances' confirmations
/// (an instance that is subscribed but stalled must not hold sign-outs).
pub const CONFIRM_WAIT: Duration = Duration::from_millis(500);
/// Pause before subscribing again after the channel was lost.
const RESUBSCRIBE_AFTER: Duration = Duration::from_millis(500);

/// Recently revoked session ids, with when they were revoked.
#[derive(Clone, Debug)]
pub struct Revocations {
    map: Arc<RwLock<HashMap<String, i64>>>,
    /// How long an entry matters: the longest access-token life plus leeway.
    window: i64,
    /// Where instances share revocations, when not the database.
    redis: Option<RedisClient>,
    /// Revocations published here and still awaiting confirmations, by the
    /// nonce they were published with.
    awaiting: Arc<Waiters>,
}

impl Revocations {
    /// An empty set whose entries matter for `window` seconds, shared through
    /// the database or, if given, Redis.
    pub fn new(window: i64, redis: Option<RedisClient>) -> Self {
        Revocations {
            map: Arc::default(),
            window,
            redis,
            awaiting: Arc::default(),
        }
    }

    /// Adds a revocation made by this instance and tells the others (the
    /// database row is the caller's; Redis is written here). With Redis, returns
    /// once every instance that received it has applied it, or after
    /// [`CONFIRM_WAIT`].
    pub async fn publish(&self, sid: &str, revoked_at: i64) -> Result<()> {
        self.insert(sid, revoked_at);
        let Some(redis) = &self.redis else {
            return Ok(());
        };
        let nonce = crate::auth::token::new_id();
        let (confirmed, mut confirmations) = mpsc::unbounded_channel();
        // Registered before publishing: a confirmation may come back before
        // the reply to the publish does.
        let _awaiting = Awaiting::register(&self.awaiting, &nonce, confirmed);
        let (delivered,): (usize,) = redis::pipe()
            .atomic()
            .zadd(redis.key("revoked"), sid, revoked_at)
            .ignore()
            .publish(redis.key(CHANNEL), format!("{revoked_at} {sid} {nonce}"))
            .query_async(&mut redis.conn())
            .await?;
        let mut count = 0;
        let all = async {
            while count < delivered && confirmations.recv().await.is_some() {
                count += 1;
            }
        };
        if tokio::time::timeout(CONFIRM_WAIT, all).await.is_err() {
            tracing::warn!(
                delivered,
                confirmed = count,
                "not every instance confirmed a revocation in time; \
                 the others apply it at their next sync"
            );
        }
        Ok(())
    }

    /// Applies revocations published by other instances as they come, for as
    /// long as the process runs, confirming each; resubscribes after a lost
    /// connection and then reads the set once, to catch what was published
    /// meanwhile.
    pub async fn listen(&self, db: Db, clock: crate::clock::Clock) {
        use futures_util::StreamExt;
        let Some(redis) = &self.redis else {
            return;
        };
        let applied = redis.key(APPLIED);
        loop {
            match redis.subscribe(&[CHANNEL, APPLIED]).await {
                Ok(mut messages) => {
                    if let Err(e) = self.sync(&db, clock.now()).await {
                        tracing::warn!(error = %e, "could not read revocations");
                    }
                    while let Some(msg) = messages.next().await {
                        let Ok(payload) = msg.get_payload::<String>() else {
                            continue;
                        };
                        if msg.get_channel_name() == applied {
                            self.confirmed(&payload);
                        } else if let Some(nonce) = self.apply(&payload) {
                            // After the insert: the publisher answers its
                            // request only once this arrives.
                            let confirm = redis::cmd("PUBLISH")
                                .arg(&applied)
                                .arg(nonce)
                                .query_async::<()>(&mut redis.conn())
                                .await;
                            if let Err(e) = confirm {
                                tracing::warn!(error = %e, "could not confirm a revocation");
                            }
                        }
                    }
                    tracing::warn!("lost the revocation channel; resubscribing");
                }
                Err(e) => tracing::warn!(error = %e, "cannot subscribe to revocations"),
            }
            tokio::time::sleep(RESUBSCRIBE_AFTER).await;
        }
    }

    /// Adds the revocation in a published message (`<revoked_at> <sid>
    /// <nonce>`); returns its nonce.
    fn apply<'m>(&self, payload: &'m str) -> Option<&'m str> {
        let mut parts = payload.split(' ');
        let at = parts.next()?.parse().ok()?;
        let sid = parts.next()?;
        self.insert(sid, at);
        parts.next()
    }

    /// Counts a confirmation of a revocation published here.
    fn confirmed(&self, nonce: &str) {
        let awaiting = self.awaiting.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(tx) = awaiting.get(nonce) {
            // The publisher may have stopped waiting: nothing to tell then.
            let _ = tx.send(());
        }
    }

    /// Whether `sid` was revoked.
    pub fn contains(&self, sid: &str) -> bool {
        self.map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(sid)
    }

    /// Adds a revocation made by this instance.
    pub fn insert(&self, sid: &str, revoked_at: i64) {
        self.map
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(sid.to_string(), revoked_at);
    }

    /// Reads the recent revocations (from Redis or the database) and drops
    /// entries older than the window.
    pub async fn sync(&self, db: &Db, now: i64) -> Result<()> {
        let since = now - self.window;
        let rows: Vec<(String, i64)> = match &self.redis {
            Some(redis) => {
                let key = redis.key("revoked");
                let (rows,): (Vec<(String, i64)>,) = redis::pipe()
                    .atomic()
                    .zrembyscore(&key, "-inf", since)
                    .ignore()
                    .zrangebyscore_withscores(&key, format!("({since}"), "+inf")
                    .query_async(&mut redis.conn())
                    .await?;
                rows
            }
            None => {
                sqlx::query_as(
                    "SELECT id, revoked_at FROM sessions \
                     WHERE revoked_at IS NOT NULL AND revoked_at > $1",
                )
                .bind(since)
                .fetch_all(db)
                .await?
            }
        };
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, at| *at > since);
        map.extend(rows);
        Ok(())
    }

    /// How many ids are in the set.
    pub fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A publisher's place in [`Revocations::awaiting`], removed when dropped so
/// that no entry outlives its wait (also when the publish fails).
struct Awaiting<'a> {
    map: &'a Waiters,
    nonce: String,
}

impl<'a> Awaiting<'a> {
    fn register(map: &'a Waiters, nonce: &str, tx: mpsc::UnboundedSender<()>) -> Self {
        map.lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(nonce.to_string(), tx);
        Awaiting {
            map,
            nonce: nonce.to_string(),
        }
    }
}

impl Drop for Awaiting<'_> {
    fn drop(&mut self) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.nonce);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    async fn wait_for_subscribers(redis: &RedisClient, n: usize) {
        for _ in 0..200 {
            let (_, count): (String, usize) = redis::cmd("PUBSUB")
                .arg("NUMSUB")
                .arg(redis.key(CHANNEL))
                .query_async(&mut redis.conn())
                .await
                .unwrap();
            if count >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the listeners did not subscribe");
    }

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn a_revocation_is_applied_everywhere_before_publish_returns(pool: sqlx::SqlitePool) {
        let Some(redis) = RedisClient::for_tests() else {
            return crate::testing::skip("Redis", crate::redis_client::TEST_ENV);
        };
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

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn a_silent_subscriber_delays_a_revocation_but_does_not_hold_it(pool: sqlx::SqlitePool) {
        use futures_util::StreamExt;
        let Some(redis) = RedisClient::for_tests() else {
            return crate::testing::skip("Redis", crate::redis_client::TEST_ENV);
        };
        let db = crate::db::testing::from_sqlite(pool).await;
        let (a, b) = two_listening(&db, &redis).await;
        // Receives every revocation and never confirms, like a stalled instance.
        let mut silent = redis.subscribe(&[CHANNEL]).await.unwrap();
        wait_for_subscribers(&redis, 3).await;
        let started = std::time::Instant::now();
        b.publish("sid", 1_000).await.unwrap();
        assert!(
            started.elapsed() >= CONFIRM_WAIT,
            "waited for the third confirmation"
        );
        assert!(a.contains("sid"));
        let msg = silent.next().await.unwrap();
        assert!(msg
            .get_payload::<String>()
            .unwrap()
            .starts_with("1000 sid "));
        assert!(b.awaiting.lock().unwrap().is_empty());
        redis.delete_all().await.unwrap();
    }

    #[test]
    fn published_messages_are_read_back() {
        let r = Revocations::new(60, None);
        assert_eq!(r.apply("1000 sid-1 nonce-1"), Some("nonce-1"));
        assert!(r.contains("sid-1"));
        assert_eq!(r.apply("1000 sid-2"), None, "a message without a nonce");
        assert!(r.contains("sid-2"));
        for garbage in ["", "x sid-3 n", "1000", " sid-4 n"] {
            assert_eq!(r.apply(garbage), None);
        }
        assert!(!r.contains("sid-3") && !r.contains("sid-4"));
        assert_eq!(r.len(), 2);
    }
}
