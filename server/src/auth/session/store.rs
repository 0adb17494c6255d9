//! The session store: one interface over the places session records can live.
//!
//! An enum rather than a trait object: the set of stores is closed and known
//! from configuration, and static dispatch keeps the per-request lookup free of
//! boxing. Every store returns a record only while both its idle and its
//! absolute deadline lie in the future.

use super::{DatabaseStore, MemoryStore, RedisStore};
use crate::auth::token::TokenHash;
use crate::Result;

/// What the server remembers about one signed-in device.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionRecord {
    /// Row id, shown to the user; not a secret.
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

impl SessionRecord {
    /// Whether the session is still valid at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        now < self.idle_expires_at && now < self.absolute_expires_at
    }
}

/// Where session records are kept.
#[derive(Clone, Debug)]
pub enum SessionStore {
    Memory(MemoryStore),
    Database(DatabaseStore),
    Redis(RedisStore),
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            SessionStore::Memory($s) => $e,
            SessionStore::Database($s) => $e,
            SessionStore::Redis($s) => $e,
        }
    };
}

impl SessionStore {
    /// Stores a new session under the hash of its ID.
    pub async fn insert(&self, hash: &TokenHash, record: &SessionRecord) -> Result<()> {
        dispatch!(self, s => s.insert(hash, record).await)
    }

    /// The live session with this hash, if any.
    pub async fn find(&self, hash: &TokenHash, now: i64) -> Result<Option<SessionRecord>> {
        dispatch!(self, s => s.find(hash, now).await)
    }

    /// Records activity: a new last-seen time and idle deadline.
    pub async fn touch(&self, hash: &TokenHash, now: i64, idle_expires_at: i64) -> Result<()> {
        dispatch!(self, s => s.touch(hash, now, idle_expires_at).await)
    }

    /// Deletes one session; `true` if it existed.
    pub async fn remove(&self, hash: &TokenHash) -> Result<bool> {
        dispatch!(self, s => s.remove(hash).await)
    }

    /// Deletes every session of a user; returns how many.
    pub async fn remove_user(&self, user_id: &str) -> Result<u64> {
        dispatch!(self, s => s.remove_user(user_id).await)
    }

    /// Deletes sessions past either deadline; returns how many.
    pub async fn purge_expired(&self, now: i64) -> Result<u64> {
        dispatch!(self, s => s.purge_expired(now).await)
    }

    /// Whether the store answers.
    pub async fn ping(&self) -> bool {
        dispatch!(self, s => s.ping().await)
    }
}
