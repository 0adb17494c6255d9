//! Listening: how revocations published by other instances arrive here,
//! are confirmed to their publisher, and are caught up on after each
//! (re)subscription.

use std::sync::atomic::Ordering;

use super::{Names, Revocations, RESUBSCRIBE_AFTER};
use crate::db::Db;
use crate::redis_client::{Heard, RedisClient};

impl Revocations {
    /// Applies revocations published by other instances as they come, for as
    /// long as the process runs, confirming each. Each time it subscribes
    /// (again) it reads the set and the database once, to catch what was
    /// published meanwhile or lost by Redis.
    pub async fn listen(&self, db: Db, clock: crate::clock::Clock) {
        let Some(redis) = &self.redis else {
            return;
        };
        let names = Names::of(redis);
        let applied = redis.key(names.applied);
        loop {
            match redis.subscribe(&[names.channel, names.applied]).await {
                Ok(mut heard) => {
                    while let Some(event) = heard.next().await {
                        match event {
                            // Neither the reads nor the confirmations hold
                            // up this loop: while Redis is slow (a failover)
                            // the messages behind them would wait, and their
                            // publishers' confirmations with them.
                            Heard::Subscribed => {
                                self.subscribed.store(true, Ordering::Relaxed);
                                let (this, db, now) = (self.clone(), db.clone(), clock.now());
                                tokio::spawn(async move { this.catch_up(&db, now).await });
                            }
                            Heard::Message { channel, payload } if channel == applied => {
                                self.confirmed(&payload);
                            }
                            Heard::Message { payload, .. } => {
                                if let Some(nonce) = self.apply(&payload, clock.now()) {
                                    let confirm = confirm(redis.clone(), applied.clone(), nonce);
                                    tokio::spawn(confirm);
                                }
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

    /// Reads what may have been missed while not subscribed: the Redis set,
    /// then the database, the record Redis may have lost entries of.
    async fn catch_up(&self, db: &Db, now: i64) {
        if let Err(e) = self.sync(db, now).await {
            tracing::warn!(error = %e, "could not read revocations");
        }
        match self.read_database(db, now - self.window).await {
            Ok(rows) => {
                for (sid, at) in rows {
                    self.learn(&sid, at, now);
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not read revocations from the database"),
        }
    }

    /// Adds the revocation in a published message (`<revoked_at> <sid>
    /// <nonce>`); returns its nonce.
    pub(super) fn apply<'m>(&self, payload: &'m str, now: i64) -> Option<&'m str> {
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
}

/// Tells the publisher of a revocation that it is applied here (sent after
/// the insert: the publisher answers its request only once this arrives).
fn confirm(
    redis: RedisClient,
    applied: String,
    nonce: &str,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let mut cmd = redis::cmd(redis.publish_command());
    cmd.arg(applied).arg(nonce);
    async move {
        if let Err(e) = cmd.query_async::<()>(&mut redis.conn()).await {
            tracing::warn!(error = %e, "could not confirm a revocation");
        }
    }
}
