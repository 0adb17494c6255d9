//! The store chosen by configuration: memory, the SQL database or Redis.

use super::database::DatabaseStore;
use super::memory::MemoryStore;
use super::redis::RedisStore;
use super::store::SessionStore;
use crate::auth::device::DeviceSession;
use crate::auth::token::TokenHash;
use crate::Result;

/// The store chosen by configuration. An enum rather than a trait object:
/// the set is closed and known at startup, and static dispatch keeps the
/// per-request lookup free of boxing.
#[derive(Clone, Debug)]
pub enum ConfiguredStore {
    Memory(MemoryStore),
    Database(DatabaseStore),
    Redis(RedisStore),
}

impl ConfiguredStore {
    /// The store's name, as metrics label it.
    pub fn name(&self) -> &'static str {
        match self {
            ConfiguredStore::Memory(_) => "memory",
            ConfiguredStore::Database(_) => "database",
            ConfiguredStore::Redis(_) => "redis",
        }
    }
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            ConfiguredStore::Memory($s) => $e,
            ConfiguredStore::Database($s) => $e,
            ConfiguredStore::Redis($s) => $e,
        }
    };
}

impl SessionStore for ConfiguredStore {
    async fn insert(&self, hash: &TokenHash, record: &DeviceSession) -> Result<()> {
        dispatch!(self, s => s.insert(hash, record).await)
    }

    async fn find(&self, hash: &TokenHash, now: i64) -> Result<Option<DeviceSession>> {
        dispatch!(self, s => s.find(hash, now).await)
    }

    async fn touch(&self, hash: &TokenHash, now: i64, idle_expires_at: i64) -> Result<()> {
        dispatch!(self, s => s.touch(hash, now, idle_expires_at).await)
    }

    async fn remove(&self, hash: &TokenHash) -> Result<bool> {
        dispatch!(self, s => s.remove(hash).await)
    }

    async fn remove_user(&self, user_id: &str) -> Result<u64> {
        dispatch!(self, s => s.remove_user(user_id).await)
    }

    async fn list_user(&self, user_id: &str, now: i64) -> Result<Vec<DeviceSession>> {
        dispatch!(self, s => s.list_user(user_id, now).await)
    }

    async fn remove_device(&self, user_id: &str, device_id: &str) -> Result<bool> {
        dispatch!(self, s => s.remove_device(user_id, device_id).await)
    }

    async fn purge_expired(&self, now: i64) -> Result<u64> {
        dispatch!(self, s => s.purge_expired(now).await)
    }

    async fn ping(&self) -> bool {
        dispatch!(self, s => s.ping().await)
    }
}
