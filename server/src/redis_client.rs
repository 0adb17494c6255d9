//! The connection to Redis, shared by the session store, the throttle, the
//! JWT revocation set and the single-use keys.
//!
//! Two deployments, one interface:
//! - **one server** (`REDIS_URL=redis://host:6379`): one multiplexed
//!   connection (redis-rs `ConnectionManager`) that reconnects by itself
//!   after Redis restarts;
//! - **a Redis Cluster** (`LATCHKEY_REDIS_CLUSTER=true`, `REDIS_URL` lists
//!   seed nodes): redis-rs's cluster client sends each command to the
//!   master of its key's slot and follows failovers. What else a cluster
//!   needs is in [`cluster`]; what it forbids shapes the stores: a `MULTI`
//!   or pipeline may only touch keys of one slot, so each store writes in
//!   an order that is safe if it stops halfway, or keeps keys that must
//!   change together under one hash tag (each module doc says which).
//!
//! Each command is bounded by the store timeout, so an outage or a failover
//! answers 503 quickly instead of holding requests. Connections are lazy:
//! an instance starts while Redis is down and reports it on `/readyz`.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::cluster::ClusterClient;

pub use self::connection::RedisConnection;
use self::renewing::Renewing;
pub use self::subscription::{Heard, Subscription};

use crate::{Error, Result};

/// The longest a write that must survive a failover waits for a replica
/// (cluster only). A shard whose replica is gone (just after a failover,
/// until the old master returns as a replica) costs each such write this
/// long; its writes are then on one machine only, which is logged.
pub const REPLICATION_WAIT: Duration = Duration::from_millis(200);
/// At most one "no replica acknowledged" warning per this many seconds.
const WARN_EVERY_SECS: i64 = 10;

/// A Redis connection and the prefix of every key this deployment uses.
#[derive(Clone)]
pub struct RedisClient {
    /// Shared: the cluster client's state is large, and every store holds
    /// a copy of this.
    link: Arc<Link>,
    prefix: String,
    timeout: Duration,
    /// When (Unix seconds) a write was last found unreplicated and logged.
    unreplicated_warned: Arc<AtomicI64>,
}

// One per process, behind an `Arc`: the variants' sizes cost nothing.
#[allow(clippy::large_enum_variant)]
enum Link {
    Single {
        client: redis::Client,
        conn: ConnectionManager,
    },
    Cluster {
        conn: Arc<Renewing>,
        /// Builds the listening connections (RESP3, for pushes).
        listener: ClusterClient,
    },
}

impl std::fmt::Debug for RedisClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisClient")
            .field("prefix", &self.prefix)
            .field("cluster", &self.is_cluster())
            .finish_non_exhaustive()
    }
}

impl RedisClient {
    /// A client for one server at `url`; commands time out after `timeout`.
    pub fn new(url: &str, prefix: &str, timeout: Duration) -> Result<Self> {
        let client = redis::Client::open(url)
            .map_err(|e| Error::Invalid(format!("REDIS_URL is not a Redis URL: {e}")))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            // Reconnect attempts: quick and capped, so service resumes within
            // a second or two of Redis coming back.
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client.clone(), config)?;
        Ok(Self::with_link(
            Link::Single { client, conn },
            prefix,
            timeout,
        ))
    }

    /// A client for the Redis Cluster whose seed nodes `urls` lists
    /// (comma-separated).
    pub fn cluster(urls: &str, prefix: &str, timeout: Duration) -> Result<Self> {
        let (client, listener) = cluster::clients(urls, timeout)?;
        let conn = Arc::new(Renewing::new(client, timeout));
        Ok(Self::with_link(
            Link::Cluster { conn, listener },
            prefix,
            timeout,
        ))
    }

    fn with_link(link: Link, prefix: &str, timeout: Duration) -> Self {
        RedisClient {
            link: Arc::new(link),
            prefix: prefix.to_string(),
            timeout,
            unreplicated_warned: Arc::default(),
        }
    }

    /// Whether this is a Redis Cluster.
    pub fn is_cluster(&self) -> bool {
        matches!(*self.link, Link::Cluster { .. })
    }

    /// `prefix` + `key`.
    pub fn key(&self, key: impl std::fmt::Display) -> String {
        format!("{}{key}", self.prefix)
    }

    /// A connection handle (cheap: it is multiplexed).
    pub fn conn(&self) -> RedisConnection {
        match &*self.link {
            Link::Single { conn, .. } => RedisConnection::Single(conn.clone()),
            Link::Cluster { conn, .. } => RedisConnection::Cluster(conn.get(), conn.clone()),
        }
    }

    /// The command that publishes on a channel [`Self::subscribe`] hears:
    /// `SPUBLISH` on a cluster (sharded), else `PUBLISH`.
    pub fn publish_command(&self) -> &'static str {
        if self.is_cluster() {
            "SPUBLISH"
        } else {
            "PUBLISH"
        }
    }

    /// Listens on `channels` (under the prefix; on a cluster they must share
    /// a hash tag, so one shard carries them all).
    pub async fn subscribe(&self, channels: &[&str]) -> Result<Subscription> {
        let names: Vec<String> = channels.iter().map(|c| self.key(c)).collect();
        let subscribe = async {
            match &*self.link {
                Link::Single { client, .. } => {
                    let mut pubsub = client.get_async_pubsub().await?;
                    pubsub.subscribe(&names).await?;
                    Ok(Subscription::single(pubsub.into_on_message()))
                }
                Link::Cluster { listener, .. } => {
                    let first = names[0].clone();
                    let (conn, pushes) = cluster::subscribe(listener, self.timeout, names).await?;
                    Ok(Subscription::cluster(conn, pushes, first))
                }
            }
        };
        match tokio::time::timeout(self.timeout, subscribe).await {
            Ok(subscribed) => subscribed,
            Err(_) => Err(Error::Unavailable),
        }
    }

    /// On a cluster, waits until a replica holds the writes made so far to
    /// `key`'s master (at most [`REPLICATION_WAIT`]), so that a change
    /// answered to a user survives that master's failover. One server has
    /// no failover to survive: nothing to wait for.
    pub async fn replicate(&self, key: &str) -> Result<()> {
        let Link::Cluster { conn, .. } = &*self.link else {
            return Ok(());
        };
        let acked = cluster::replicate(&mut conn.get(), key, REPLICATION_WAIT)
            .await
            .inspect_err(|e| conn.failed(e))?;
        if acked == 0 {
            let now = crate::clock::Clock::System.now();
            let last = self.unreplicated_warned.load(Ordering::Relaxed);
            if now - last >= WARN_EVERY_SECS
                && self
                    .unreplicated_warned
                    .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                    .is_ok()
            {
                tracing::warn!(
                    wait_ms = REPLICATION_WAIT.as_millis() as u64,
                    "no replica acknowledged a write in time: until one does, \
                     a failover of its master can lose it"
                );
            }
        }
        Ok(())
    }

    /// Runs `pipe`, a `MULTI` over keys of `key`'s slot, and decodes its
    /// replies. On a cluster, a transaction sent to a master that lost the
    /// slot in a failover comes back aborted with `MOVED`, which redis-rs
    /// neither follows for transactions nor learns the new layout from; one
    /// plain command on `key` (which it does follow, and learns from) sets
    /// that right, and the transaction goes once more.
    pub async fn transaction<T: redis::FromRedisValue>(
        &self,
        key: &str,
        pipe: &redis::Pipeline,
    ) -> Result<T> {
        match pipe.query_async(&mut self.conn()).await {
            Err(e) if self.is_cluster() && cluster::moved_away(&e) => {
                redis::cmd("EXISTS")
                    .arg(key)
                    .query_async::<()>(&mut self.conn())
                    .await?;
                Ok(pipe.query_async(&mut self.conn()).await?)
            }
            done => Ok(done?),
        }
    }

    /// Every key under this client's prefix matching `pattern` (a `SCAN`
    /// glob after the prefix), walked with `SCAN`, never `KEYS` (which
    /// blocks the server); on a cluster, on each master in turn.
    pub async fn scan(&self, pattern: &str) -> Result<Vec<String>> {
        let pattern = self.key(pattern);
        match &*self.link {
            Link::Single { conn, .. } => {
                let mut conn = conn.clone();
                let mut keys = Vec::new();
                let mut iter: redis::AsyncIter<String> =
                    redis::AsyncCommands::scan_match(&mut conn, &pattern).await?;
                while let Some(key) = iter.next_item().await {
                    keys.push(key?);
                }
                Ok(keys)
            }
            Link::Cluster { conn, .. } => Ok(cluster::scan(&mut conn.get(), &pattern)
                .await
                .inspect_err(|e| conn.failed(e))?),
        }
    }

    /// Whether Redis answers (on a cluster: every master).
    pub async fn ping(&self) -> bool {
        redis::cmd("PING")
            .query_async::<String>(&mut self.conn())
            .await
            .is_ok()
    }
}

/// The variable naming the Redis server for service tests.
pub const TEST_ENV: &str = "LATCHKEY_TEST_REDIS_URL";
/// The variable naming the nodes of a Redis Cluster for service tests.
pub const TEST_CLUSTER_ENV: &str = "LATCHKEY_TEST_REDIS_CLUSTER_URL";

mod cluster;
mod connection;
mod renewing;
mod subscription;
mod testing;
