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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::mpsc;

use self::awaiting::{Awaiting, Waiters};

use crate::db::Db;
use crate::metrics::{Metrics, StoreOp};
use crate::redis_client::RedisClient;
use crate::Result;

/// How often each instance reads revocations made elsewhere.
pub const SYNC_EVERY: Duration = Duration::from_secs(2);
/// The Redis channel revocations are published on.
const CHANNEL: &str = "revocations";
/// The Redis channel instances confirm applied revocations on.
const APPLIED: &str = "revocations-applied";
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
    /// Whether the set was read once: what the first read finds was not
    /// "learned late", it was there before this instance started.
    synced: Arc<AtomicBool>,
    /// Whether [`Self::listen`] is subscribed: confirmations reach this
    /// instance only then.
    subscribed: Arc<AtomicBool>,
    metrics: Metrics,
    /// Reading the set, timed.
    sync_op: StoreOp,
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
            synced: Arc::default(),
            subscribed: Arc::default(),
            metrics: Metrics::default(),
            sync_op: StoreOp::default(),
        }
    }

    /// Records how late revocations arrive, and how long syncs take, into
    /// `metrics`.
    pub fn with_metrics(self, metrics: Metrics) -> Self {
        let store = match self.redis {
            Some(_) => "redis",
            None => "database",
        };
        Revocations {
            sync_op: metrics.store_op(store, "revocation_sync"),
            metrics,
            ..self
        }
    }

    /// Adds a revocation made elsewhere at `revoked_at`, learned at `now`.
    fn learn(&self, sid: &str, revoked_at: i64, now: i64) {
        let known = self
            .map
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(sid.to_string(), revoked_at)
            .is_some();
        if !known && self.synced.load(Ordering::Relaxed) {
            let wait = u64::try_from(now - revoked_at).unwrap_or(0);
            self.metrics.revocation_learned(Duration::from_secs(wait));
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
                    self.subscribed.store(true, Ordering::Relaxed);
                    if let Err(e) = self.sync(&db, clock.now()).await {
                        tracing::warn!(error = %e, "could not read revocations");
                    }
                    while let Some(msg) = messages.next().await {
                        let Ok(payload) = msg.get_payload::<String>() else {
                            continue;
                        };
                        if msg.get_channel_name() == applied {
                            self.confirmed(&payload);
                        } else if let Some(nonce) = self.apply(&payload, clock.now()) {
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
                    self.subscribed.store(false, Ordering::Relaxed);
                    tracing::warn!("lost the revocation channel; resubscribing");
                }
                Err(e) => tracing::warn!(error = %e, "cannot subscribe to revocations"),
            }
            tokio::time::sleep(RESUBSCRIBE_AFTER).await;
        }
    }

    /// Adds the revocation in a published message (`<revoked_at> <sid>
    /// <nonce>`); returns its nonce.
    fn apply<'m>(&self, payload: &'m str, now: i64) -> Option<&'m str> {
        let mut parts = payload.split(' ');
        let at = parts.next()?.parse().ok()?;
        let sid = parts.next()?;
        self.learn(sid, at, now);
        parts.next()
    }

    /// Whether revocations published here can be confirmed: there is no
    /// channel (database only), or [`Self::listen`] is subscribed to it.
    pub fn listening(&self) -> bool {
        self.redis.is_none() || self.subscribed.load(Ordering::Relaxed)
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
        let read = async {
            Ok::<_, crate::Error>(match &self.redis {
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
            })
        };
        let rows: Vec<(String, i64)> = self.sync_op.run(read).await?;
        self.map
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, at| *at > since);
        for (sid, at) in rows {
            self.learn(&sid, at, now);
        }
        self.synced.store(true, Ordering::Relaxed);
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

mod awaiting;
mod reading;

#[cfg(test)]
mod tests;
