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
//! it was revoked), which is trimmed to the window on every sync. With Redis,
//! each revocation is also published on the channel `revocations`, so the
//! other instances learn of it within milliseconds; the periodic sync covers
//! messages missed while an instance was disconnected.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::db::Db;
use crate::redis_client::RedisClient;
use crate::Result;

/// How often each instance reads revocations made elsewhere.
pub const SYNC_EVERY: Duration = Duration::from_secs(2);
/// The Redis channel revocations are published on.
const CHANNEL: &str = "revocations";
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
}

impl Revocations {
    /// An empty set whose entries matter for `window` seconds, shared through
    /// the database or, if given, Redis.
    pub fn new(window: i64, redis: Option<RedisClient>) -> Self {
        Revocations {
            map: Arc::default(),
            window,
            redis,
        }
    }

    /// Adds a revocation made by this instance and tells the others (the
    /// database row is the caller's; Redis is written here).
    pub async fn publish(&self, sid: &str, revoked_at: i64) -> Result<()> {
        self.insert(sid, revoked_at);
        if let Some(redis) = &self.redis {
            let _: () = redis::pipe()
                .atomic()
                .zadd(redis.key("revoked"), sid, revoked_at)
                .ignore()
                .publish(redis.key(CHANNEL), format!("{revoked_at} {sid}"))
                .ignore()
                .query_async(&mut redis.conn())
                .await?;
        }
        Ok(())
    }

    /// Applies revocations published by other instances as they come, for as
    /// long as the process runs: resubscribes after a lost connection and
    /// then reads the set once, to catch what was published meanwhile.
    pub async fn listen(&self, db: Db, clock: crate::clock::Clock) {
        use futures_util::StreamExt;
        let Some(redis) = &self.redis else {
            return;
        };
        loop {
            match redis.subscribe(CHANNEL).await {
                Ok(mut messages) => {
                    if let Err(e) = self.sync(&db, clock.now()).await {
                        tracing::warn!(error = %e, "could not read revocations");
                    }
                    while let Some(msg) = messages.next().await {
                        let Ok(payload) = msg.get_payload::<String>() else {
                            continue;
                        };
                        if let Some((at, sid)) = payload.split_once(' ') {
                            if let Ok(at) = at.parse() {
                                self.insert(sid, at);
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
}
