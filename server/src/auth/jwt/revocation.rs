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
//! it was revoked), which is trimmed to the window on every sync. The
//! database stays the record: each time an instance subscribes (at start, and
//! again after Redis restarted or failed over) it also reads the window's
//! revocations from the database, so one that Redis lost (it keeps nothing on
//! disk, and replicas lag their master) is in force all the same.
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
//!
//! On a Redis Cluster the set and both channels share the hash tag
//! `{revocations}` ([`Names::CLUSTER`]): one shard holds the set and carries
//! the channels as sharded pub/sub, so adding to the set and publishing stay
//! one `MULTI`, and every instance listens on that shard's master, whose
//! `SPUBLISH` reply counts them all as `PUBLISH` does on one server.

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
/// Where revocations live in Redis (under the deployment's prefix).
#[derive(Clone, Copy, Debug)]
struct Names {
    /// The sorted set of recent revocations.
    set: &'static str,
    /// The channel revocations are published on.
    channel: &'static str,
    /// The channel instances confirm applied revocations on.
    applied: &'static str,
}

impl Names {
    const SINGLE: Names = Names {
        set: "revoked",
        channel: "revocations",
        applied: "revocations-applied",
    };
    /// One hash tag, so one slot: see the module doc.
    const CLUSTER: Names = Names {
        set: "{revocations}:revoked",
        channel: "{revocations}",
        applied: "{revocations}:applied",
    };

    fn of(redis: &RedisClient) -> Names {
        if redis.is_cluster() {
            Names::CLUSTER
        } else {
            Names::SINGLE
        }
    }
}
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
        let names = Names::of(redis);
        let set = redis.key(names.set);
        let (delivered,): (usize,) = redis
            .transaction(
                &set,
                redis::pipe()
                    .atomic()
                    .zadd(&set, sid, revoked_at)
                    .ignore()
                    .cmd(redis.publish_command())
                    .arg(redis.key(names.channel))
                    .arg(format!("{revoked_at} {sid} {nonce}")),
            )
            .await?;
        redis.replicate(&set).await?;
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
                    let key = redis.key(Names::of(redis).set);
                    let (rows,): (Vec<(String, i64)>,) = redis
                        .transaction(
                            &key,
                            redis::pipe()
                                .atomic()
                                .zrembyscore(&key, "-inf", since)
                                .ignore()
                                .zrangebyscore_withscores(&key, format!("({since}"), "+inf"),
                        )
                        .await?;
                    rows
                }
                None => self.read_database(db, since).await?,
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

    /// The revocations the database holds, made after `since`.
    async fn read_database(&self, db: &Db, since: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT id, revoked_at FROM sessions \
             WHERE revoked_at IS NOT NULL AND revoked_at > $1",
        )
        .bind(since)
        .fetch_all(db)
        .await?)
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
mod listening;
mod reading;

#[cfg(test)]
mod tests;
