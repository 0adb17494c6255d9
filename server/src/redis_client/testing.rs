//! Clients for the service tests: a fresh key prefix on the Redis server or
//! the Redis Cluster the test environment names, and its cleanup.

use std::time::Duration;

use super::{RedisClient, TEST_CLUSTER_ENV, TEST_ENV};
use crate::Result;

impl RedisClient {
    /// A client under a fresh key prefix on the Redis named by [`TEST_ENV`],
    /// or `None` when the variable is unset.
    pub fn for_tests() -> Option<Self> {
        let url = std::env::var(TEST_ENV).ok().filter(|u| !u.is_empty())?;
        Some(
            RedisClient::new(&url, &Self::test_prefix(), Duration::from_secs(2))
                .expect("test Redis URL"),
        )
    }

    /// A client under a fresh key prefix on the cluster named by
    /// [`TEST_CLUSTER_ENV`], or `None` when the variable is unset.
    pub fn for_cluster_tests() -> Option<Self> {
        let urls = std::env::var(TEST_CLUSTER_ENV)
            .ok()
            .filter(|u| !u.is_empty())?;
        Some(
            RedisClient::cluster(&urls, &Self::test_prefix(), Duration::from_secs(2))
                .expect("test Redis Cluster URLs"),
        )
    }

    fn test_prefix() -> String {
        format!("latchkey-test:{}:", crate::random::new_id())
    }

    /// Deletes every key under this client's prefix (test cleanup).
    pub async fn delete_all(&self) -> Result<u64> {
        let keys = self.scan("*").await?;
        let mut deleted = 0;
        // One key per command: keys of several slots may not share one.
        for key in keys {
            deleted += redis::AsyncCommands::del::<_, u64>(&mut self.conn(), key).await?;
        }
        Ok(deleted)
    }
}
