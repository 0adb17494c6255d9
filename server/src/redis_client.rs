//! The connection to Redis, shared by the session store and the JWT
//! revocation set.
//!
//! One multiplexed connection (redis-rs `ConnectionManager`) serves every
//! request; it reconnects by itself after Redis restarts. Each command is
//! bounded by the store timeout, so an outage answers 503 quickly instead of
//! holding requests. The connection is lazy: an instance starts while Redis is
//! down and reports it on `/readyz`.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::{Error, Result};

/// A Redis connection and the prefix of every key this deployment uses.
#[derive(Clone)]
pub struct RedisClient {
    client: redis::Client,
    conn: ConnectionManager,
    prefix: String,
    timeout: Duration,
}

impl std::fmt::Debug for RedisClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisClient")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl RedisClient {
    /// A client for `url`; commands time out after `timeout`.
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
        Ok(RedisClient {
            client,
            conn,
            prefix: prefix.to_string(),
            timeout,
        })
    }

    /// `prefix` + `key`.
    pub fn key(&self, key: impl std::fmt::Display) -> String {
        format!("{}{key}", self.prefix)
    }

    /// A connection handle (cheap: it is multiplexed).
    pub fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// A dedicated connection subscribed to `channels` (under the prefix);
    /// the stream ends when the connection is lost.
    pub async fn subscribe(&self, channels: &[&str]) -> Result<redis::aio::PubSubStream> {
        let subscribe = async {
            let mut pubsub = self.client.get_async_pubsub().await?;
            let names: Vec<String> = channels.iter().map(|c| self.key(c)).collect();
            pubsub.subscribe(names).await?;
            Ok::<_, redis::RedisError>(pubsub.into_on_message())
        };
        match tokio::time::timeout(self.timeout, subscribe).await {
            Ok(stream) => Ok(stream?),
            Err(_) => Err(Error::Unavailable),
        }
    }

    /// Whether Redis answers.
    pub async fn ping(&self) -> bool {
        redis::cmd("PING")
            .query_async::<String>(&mut self.conn())
            .await
            .is_ok()
    }
}

/// The variable naming the Redis server for service tests.
pub const TEST_ENV: &str = "LATCHKEY_TEST_REDIS_URL";

impl RedisClient {
    /// A client under a fresh key prefix on the Redis named by [`TEST_ENV`],
    /// or `None` when the variable is unset.
    pub fn for_tests() -> Option<Self> {
        let url = std::env::var(TEST_ENV).ok().filter(|u| !u.is_empty())?;
        let prefix = format!("latchkey-test:{}:", crate::random::new_id());
        Some(RedisClient::new(&url, &prefix, Duration::from_secs(2)).expect("test Redis URL"))
    }

    /// Deletes every key under this client's prefix (test cleanup).
    pub async fn delete_all(&self) -> Result<u64> {
        let mut conn = self.conn();
        let mut keys = Vec::new();
        {
            let mut iter: redis::AsyncIter<String> =
                redis::AsyncCommands::scan_match(&mut conn, self.key("*")).await?;
            while let Some(key) = iter.next_item().await {
                keys.push(key?);
            }
        }
        if keys.is_empty() {
            return Ok(0);
        }
        Ok(redis::AsyncCommands::del(&mut conn, keys).await?)
    }
}
