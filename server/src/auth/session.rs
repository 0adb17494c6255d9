//! Session mode: the browser holds a random session ID in a cookie; the
//! server keeps SHA-256(ID) → user in a [`SessionStore`] and looks it up on
//! every request.
//!
//! Sign-in always mints a new ID (no fixation: a value the browser brought is
//! never promoted). The idle deadline slides forward on use, but at most once
//! per `touch_interval`, so a busy user does not turn every read into a write;
//! the absolute deadline never moves. Both are enforced by the store.

mod compact;
mod database;
mod memory;
mod redis;
mod store;

use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use tower_cookies::Cookies;

pub(crate) use database::insert_row;
pub use database::DatabaseStore;
pub use memory::MemoryStore;
pub use redis::RedisStore;
pub use store::{SessionRecord, SessionStore};

use super::cookies::{self, SESSION_COOKIE};
use super::counters::AuthCounters;
use super::token::{self, TokenHash};
use super::{AuthBackend, ClientMeta, Identity};
use crate::clock::Clock;
use crate::users::User;
use crate::Result;

/// Longest gap between two last-seen writes for one session.
const MAX_TOUCH_INTERVAL: i64 = 60;

/// The session-mode authentication backend.
#[derive(Clone, Debug)]
pub struct SessionBackend {
    store: SessionStore,
    idle_ttl: i64,
    absolute_ttl: i64,
    clock: Clock,
    pub(crate) counters: Arc<AuthCounters>,
}

impl SessionBackend {
    /// A backend over `store` with the given lifetimes.
    pub fn new(store: SessionStore, idle: Duration, absolute: Duration, clock: Clock) -> Self {
        SessionBackend {
            store,
            idle_ttl: idle.as_secs() as i64,
            absolute_ttl: absolute.as_secs() as i64,
            clock,
            counters: Arc::default(),
        }
    }

    /// The store behind this backend.
    pub fn store(&self) -> &SessionStore {
        &self.store
    }

    fn touch_interval(&self) -> i64 {
        (self.idle_ttl / 4).clamp(0, MAX_TOUCH_INTERVAL)
    }

    async fn lookup(&self, hash: &TokenHash) -> Result<Option<Identity>> {
        let now = self.clock.now();
        self.counters.lookup();
        let Some(mut record) = self.store.find(hash, now).await? else {
            return Ok(None);
        };
        if now - record.last_seen_at >= self.touch_interval() {
            let idle = (now + self.idle_ttl).min(record.absolute_expires_at);
            self.counters.touch();
            self.store.touch(hash, now, idle).await?;
            record.last_seen_at = now;
            record.idle_expires_at = idle;
        }
        Ok(Some(record.into()))
    }

    /// Deletes expired sessions; returns how many.
    pub async fn purge_expired(&self) -> Result<u64> {
        self.store.purge_expired(self.clock.now()).await
    }
}

impl AuthBackend for SessionBackend {
    async fn sign_in(&self, user: &User, client: &ClientMeta, jar: &Cookies) -> Result<Identity> {
        // Signing in on a device that already had a session replaces it.
        if let Some(old) = jar.get(SESSION_COOKIE) {
            if token::is_well_formed(old.value()) {
                self.store.remove(&TokenHash::of(old.value())).await?;
            }
        }
        let now = self.clock.now();
        let raw = token::new_token();
        let record = SessionRecord {
            id: token::new_id(),
            user_id: user.id.clone(),
            username: user.username.clone(),
            created_at: now,
            last_seen_at: now,
            idle_expires_at: (now + self.idle_ttl).min(now + self.absolute_ttl),
            absolute_expires_at: now + self.absolute_ttl,
            user_agent: client.user_agent.clone(),
            ip: client.ip.clone(),
        };
        self.store.insert(&TokenHash::of(&raw), &record).await?;
        jar.add(cookies::auth_cookie(
            SESSION_COOKIE,
            raw,
            Duration::from_secs(self.absolute_ttl as u64),
        ));
        Ok(record.into())
    }

    async fn resolve(&self, _headers: &HeaderMap, jar: &Cookies) -> Result<Option<Identity>> {
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Ok(None);
        };
        let raw = cookie.value();
        let found = if token::is_well_formed(raw) {
            self.lookup(&TokenHash::of(raw)).await?
        } else {
            None
        };
        if found.is_none() {
            // Unknown, expired or forged: tell the browser to forget it.
            jar.remove(cookies::removal(SESSION_COOKIE));
        }
        Ok(found)
    }

    async fn sign_out(&self, jar: &Cookies) -> Result<()> {
        if let Some(cookie) = jar.get(SESSION_COOKIE) {
            if token::is_well_formed(cookie.value()) {
                self.store.remove(&TokenHash::of(cookie.value())).await?;
            }
        }
        jar.remove(cookies::removal(SESSION_COOKIE));
        Ok(())
    }
}

impl From<SessionRecord> for Identity {
    fn from(r: SessionRecord) -> Self {
        Identity {
            user_id: r.user_id,
            username: r.username,
            session_id: r.id,
            signed_in_at: r.created_at,
            idle_expires_at: Some(r.idle_expires_at),
            absolute_expires_at: Some(r.absolute_expires_at),
            access_expires_at: None,
        }
    }
}

#[cfg(test)]
mod conformance;
