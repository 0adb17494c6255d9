//! Sessions in this process's memory.
//!
//! Fastest, but a restart signs everybody out and other instances cannot see
//! these sessions: for development and single-instance demos.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use super::SessionRecord;
use crate::auth::token::TokenHash;
use crate::Result;

/// An in-process session store.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    map: Arc<RwLock<HashMap<TokenHash, SessionRecord>>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    // A poisoned lock only means another thread panicked mid-update of a
    // plain map; the map itself is still consistent, so keep serving.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<TokenHash, SessionRecord>> {
        self.map.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<TokenHash, SessionRecord>> {
        self.map.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) async fn insert(&self, hash: &TokenHash, record: &SessionRecord) -> Result<()> {
        self.write().insert(hash.clone(), record.clone());
        Ok(())
    }

    pub(super) async fn find(&self, hash: &TokenHash, now: i64) -> Result<Option<SessionRecord>> {
        Ok(self.read().get(hash).filter(|r| r.is_live(now)).cloned())
    }

    pub(super) async fn touch(
        &self,
        hash: &TokenHash,
        now: i64,
        idle_expires_at: i64,
    ) -> Result<()> {
        if let Some(r) = self.write().get_mut(hash) {
            r.last_seen_at = now;
            r.idle_expires_at = idle_expires_at;
        }
        Ok(())
    }

    pub(super) async fn remove(&self, hash: &TokenHash) -> Result<bool> {
        Ok(self.write().remove(hash).is_some())
    }

    pub(super) async fn remove_user(&self, user_id: &str) -> Result<u64> {
        let mut map = self.write();
        let before = map.len();
        map.retain(|_, r| r.user_id != user_id);
        Ok((before - map.len()) as u64)
    }

    pub(super) async fn purge_expired(&self, now: i64) -> Result<u64> {
        let mut map = self.write();
        let before = map.len();
        map.retain(|_, r| r.is_live(now));
        Ok((before - map.len()) as u64)
    }

    pub(super) async fn ping(&self) -> bool {
        true
    }
}
