//! Sessions in this process's memory.
//!
//! Fastest, but a restart signs everybody out and other instances cannot see
//! these sessions: for development and single-instance demos.
//!
//! Records are kept compact ([`compact`](super::compact)): a hash table of
//! boxed entries (8 bytes a slot, so a table that just doubled costs little),
//! each entry holding its key, so a million sessions fit in about 200 MB.
//! There is no per-user index (it would cost memory on every session for a
//! page seldom opened): listing or ending one user's devices scans the table.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, RwLock};

use hashbrown::hash_table::{Entry as Slot, HashTable};

use super::compact::{self, Entry, Key};
use super::{DeviceSession, SessionStore};
use crate::auth::token::TokenHash;
use crate::Result;

/// What the memory store holds, for the inspector.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Footprint {
    pub sessions: usize,
    pub bytes: usize,
}

/// An in-process session store.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore {
    inner: Arc<RwLock<Sessions>>,
}

#[derive(Default)]
struct Sessions {
    table: HashTable<Box<Entry>>,
    /// Keys are SHA-256 outputs, but a keyed hash keeps the table's layout
    /// independent of anything a client controls.
    hasher: RandomState,
    /// User agents in use: most sessions share one of a few.
    agents: HashSet<Arc<str>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("len", &self.table.len())
            .finish_non_exhaustive()
    }
}

impl Sessions {
    fn find(&self, key: &Key) -> Option<&Entry> {
        let h = self.hasher.hash_one(key);
        self.table.find(h, |e| e.key == *key).map(|e| &**e)
    }

    fn find_mut(&mut self, key: &Key) -> Option<&mut Entry> {
        let h = self.hasher.hash_one(key);
        self.table.find_mut(h, |e| e.key == *key).map(|e| &mut **e)
    }

    fn intern(&mut self, agent: Option<&str>) -> Option<Arc<str>> {
        let agent = agent?;
        if let Some(shared) = self.agents.get(agent) {
            return Some(shared.clone());
        }
        let shared: Arc<str> = Arc::from(agent);
        self.agents.insert(shared.clone());
        Some(shared)
    }

    /// Keeps the entries `keep` accepts; returns how many were dropped.
    fn retain(&mut self, mut keep: impl FnMut(&Entry) -> bool) -> u64 {
        let before = self.table.len();
        self.table.retain(|e| keep(e));
        // Forget user agents no session uses any more.
        self.agents.retain(|a| Arc::strong_count(a) > 1);
        (before - self.table.len()) as u64
    }
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    // A poisoned lock only means another thread panicked mid-update of a
    // plain map; the map itself is still consistent, so keep serving.
    /// How many sessions are held, and the bytes they asked the allocator
    /// for: the table's slots and control bytes, every entry, every
    /// interned user agent. The resident set adds the allocator's rounding
    /// (docs/PERFORMANCE.md measures it).
    pub fn footprint(&self) -> Footprint {
        let s = self.read();
        let slots = s.table.capacity();
        let table = slots * std::mem::size_of::<Box<Entry>>() + slots + 16;
        let entries: usize = s.table.iter().map(|e| e.allocated()).sum();
        // An `Arc<str>` block: two counters and the text.
        let agents: usize = s.agents.iter().map(|a| 16 + a.len()).sum();
        Footprint {
            sessions: s.table.len(),
            bytes: table + entries + agents,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Sessions> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Sessions> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

impl SessionStore for MemoryStore {
    async fn insert(&self, hash: &TokenHash, record: &DeviceSession) -> Result<()> {
        let key = compact::key(hash);
        let mut sessions = self.write();
        let agent = sessions.intern(record.user_agent.as_deref());
        let entry = Box::new(Entry::new(key, record, agent));
        let Sessions { table, hasher, .. } = &mut *sessions;
        let h = hasher.hash_one(key);
        match table.entry(h, |e| e.key == key, |e| hasher.hash_one(e.key)) {
            Slot::Occupied(mut slot) => *slot.get_mut() = entry,
            Slot::Vacant(slot) => {
                slot.insert(entry);
            }
        }
        Ok(())
    }

    async fn find(&self, hash: &TokenHash, now: i64) -> Result<Option<DeviceSession>> {
        let key = compact::key(hash);
        Ok(self
            .read()
            .find(&key)
            .filter(|e| e.is_live(now))
            .map(Entry::record))
    }

    async fn touch(&self, hash: &TokenHash, now: i64, idle_expires_at: i64) -> Result<()> {
        if let Some(e) = self.write().find_mut(&compact::key(hash)) {
            e.last_seen_at = now;
            e.idle_expires_at = idle_expires_at;
        }
        Ok(())
    }

    async fn remove(&self, hash: &TokenHash) -> Result<bool> {
        let key = compact::key(hash);
        let mut sessions = self.write();
        let h = sessions.hasher.hash_one(key);
        Ok(match sessions.table.find_entry(h, |e| e.key == key) {
            Ok(slot) => {
                slot.remove();
                true
            }
            Err(_) => false,
        })
    }

    async fn remove_user(&self, user_id: &str) -> Result<u64> {
        Ok(self.write().retain(|e| !e.is_of_user(user_id)))
    }

    async fn list_user(&self, user_id: &str, now: i64) -> Result<Vec<DeviceSession>> {
        Ok(self
            .read()
            .table
            .iter()
            .filter(|e| e.is_live(now) && e.is_of_user(user_id))
            .map(|e| e.record())
            .collect())
    }

    async fn remove_device(&self, user_id: &str, device_id: &str) -> Result<bool> {
        let removed = self
            .write()
            .retain(|e| !(e.is_of_user(user_id) && e.id().as_deref() == Some(device_id)));
        Ok(removed > 0)
    }

    async fn purge_expired(&self, now: i64) -> Result<u64> {
        Ok(self.write().retain(|e| e.is_live(now)))
    }

    async fn ping(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::token;

    fn record(agent: &str, idle_expires_at: i64) -> DeviceSession {
        DeviceSession {
            id: token::new_id(),
            user_id: token::new_id(),
            username: "alice".into(),
            created_at: 0,
            last_seen_at: 0,
            idle_expires_at,
            absolute_expires_at: 1_000,
            user_agent: Some(agent.into()),
            ip: None,
            persistent: true,
            member_since: Some(0),
            amr: crate::auth::Amr::Pwd,
        }
    }

    #[tokio::test]
    async fn user_agents_are_shared_and_forgotten_with_their_sessions() {
        let store = MemoryStore::new();
        let new_hash = || TokenHash::of(&token::new_token());
        for _ in 0..3 {
            store
                .insert(&new_hash(), &record("browser", 10))
                .await
                .unwrap();
        }
        let keep = new_hash();
        store.insert(&keep, &record("other", 100)).await.unwrap();
        assert_eq!(store.read().agents.len(), 2);
        assert_eq!(store.purge_expired(50).await.unwrap(), 3);
        assert_eq!(store.read().agents.len(), 1);
        let found = store.find(&keep, 50).await.unwrap().unwrap();
        assert_eq!(found.user_agent.as_deref(), Some("other"));
    }

    #[tokio::test]
    async fn inserting_the_same_hash_again_replaces_the_record() {
        let store = MemoryStore::new();
        let hash = TokenHash::of(&token::new_token());
        store.insert(&hash, &record("a", 10)).await.unwrap();
        let second = record("b", 20);
        store.insert(&hash, &second).await.unwrap();
        assert_eq!(store.read().table.len(), 1);
        assert_eq!(store.find(&hash, 0).await.unwrap(), Some(second));
    }

    #[tokio::test]
    async fn the_footprint_grows_with_each_session_and_shrinks_with_purges() {
        let store = MemoryStore::new();
        assert_eq!(store.footprint().sessions, 0);
        store
            .insert(&TokenHash::of(&token::new_token()), &record("browser", 10))
            .await
            .unwrap();
        let one = store.footprint();
        assert_eq!(one.sessions, 1);
        // The entry alone: four times, the 32-byte key and the packed text.
        assert!(one.bytes > 32 + 4 * 8, "{one:?}");
        store
            .insert(&TokenHash::of(&token::new_token()), &record("browser", 10))
            .await
            .unwrap();
        let two = store.footprint();
        assert_eq!(two.sessions, 2);
        assert!(two.bytes > one.bytes, "{one:?} {two:?}");
        store.purge_expired(50).await.unwrap();
        assert_eq!(store.footprint().sessions, 0);
    }
}
