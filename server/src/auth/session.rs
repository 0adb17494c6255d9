//! Session mode: the client holds a random session ID; the server keeps
//! SHA-256(ID) → device session in a [`SessionStore`] and looks it up on every
//! request.
//!
//! Sign-in always mints a new ID (no fixation: a value the client brought is
//! never promoted). The idle deadline slides forward on use, but at most once
//! per `touch_interval`, so a busy user does not turn every read into a write;
//! the absolute deadline never moves. Both are enforced by the store. A
//! sign-in that is not kept ("keep me signed in" unchecked) slides by the
//! short idle lifetime instead.

mod compact;
mod configured;
mod database;
mod memory;
mod redis;
mod store;

use std::time::Duration;

pub use crate::auth::device::DeviceSession;
pub use configured::ConfiguredStore;
pub use database::DatabaseStore;
pub use memory::{Footprint, MemoryStore};
pub use redis::RedisStore;
pub use store::SessionStore;

use super::token::{self, TokenHash};
use super::{Amr, AuthBackend, ClientMeta, Credential, Ended, Identity, Issued, RefreshToken};
use super::{Refusal, SessionId};
use crate::clock::Clock;
use crate::metrics::{Metrics, StoreOp};
use crate::users::User;
use crate::Result;

/// The lifetimes of session-mode sign-ins.
#[derive(Clone, Copy, Debug)]
pub struct SessionLifetimes {
    /// Sliding idle lifetime of a kept sign-in.
    pub idle: Duration,
    /// Sliding idle lifetime of a sign-in that ends with the browser.
    pub short_idle: Duration,
    /// Lifetime from sign-in, however active.
    pub absolute: Duration,
}

/// Longest gap between two last-seen writes for one session.
const MAX_TOUCH_INTERVAL: i64 = 60;

/// The session-mode authentication backend.
#[derive(Clone, Debug)]
pub struct SessionBackend {
    store: ConfiguredStore,
    idle_ttl: i64,
    short_idle_ttl: i64,
    absolute_ttl: i64,
    clock: Clock,
    pub(crate) metrics: Metrics,
    ops: StoreOps,
}

/// The store operations the backend counts and times, registered once.
#[derive(Clone, Debug, Default)]
struct StoreOps {
    /// While resolving callers: counted and timed.
    lookup: StoreOp,
    touch: StoreOp,
    /// At sign-in and sign-out: timed.
    insert: StoreOp,
    remove: StoreOp,
}

impl SessionBackend {
    /// A backend over `store` with the given lifetimes.
    pub fn new(store: ConfiguredStore, life: SessionLifetimes, clock: Clock) -> Self {
        let idle_ttl = life.idle.as_secs() as i64;
        SessionBackend {
            store,
            idle_ttl,
            short_idle_ttl: (life.short_idle.as_secs() as i64).min(idle_ttl),
            absolute_ttl: life.absolute.as_secs() as i64,
            clock,
            metrics: Metrics::default(),
            ops: StoreOps::default(),
        }
    }

    /// The store behind this backend.
    /// Records what the backend does into `metrics`.
    pub fn with_metrics(self, metrics: Metrics) -> Self {
        let store = self.store.name();
        let resolving = |op| metrics.resolving_op("session", store, op);
        let ops = StoreOps {
            lookup: resolving("session_lookup"),
            touch: resolving("session_touch"),
            insert: metrics.store_op(store, "session_insert"),
            remove: metrics.store_op(store, "session_remove"),
        };
        SessionBackend {
            metrics,
            ops,
            ..self
        }
    }

    pub fn store(&self) -> &ConfiguredStore {
        &self.store
    }

    /// The sliding idle lifetime of a sign-in kept or not kept.
    fn idle_for(&self, persistent: bool) -> i64 {
        if persistent {
            self.idle_ttl
        } else {
            self.short_idle_ttl
        }
    }

    fn touch_interval(&self) -> i64 {
        (self.idle_ttl / 4).clamp(0, MAX_TOUCH_INTERVAL)
    }

    async fn lookup(&self, hash: &TokenHash) -> Result<Option<DeviceSession>> {
        let now = self.clock.now();
        let found = self.ops.lookup.run(self.store.find(hash, now));
        let Some(mut record) = found.await? else {
            return Ok(None);
        };
        if now - record.last_seen_at >= self.touch_interval() {
            let idle = (now + self.idle_for(record.persistent)).min(record.absolute_expires_at);
            let touch = self.store.touch(hash, now, idle);
            self.ops.touch.run(touch).await?;
            record.last_seen_at = now;
            record.idle_expires_at = idle;
        }
        Ok(Some(record))
    }

    /// Stores `device` (a refresh family from JWT mode) as a session with a
    /// new ID, keeping its id and deadlines ([`super::migration`]).
    pub(crate) async fn adopt(&self, device: DeviceSession) -> Result<Issued> {
        let raw = token::new_token();
        let hash = TokenHash::of(&raw);
        self.ops
            .insert
            .run(self.store.insert(&hash, &device))
            .await?;
        Ok(Issued::Session {
            id: SessionId::new(raw),
            expires_in: device.absolute_expires_at - self.clock.now(),
            identity: device.into(),
        })
    }

    /// Deletes expired sessions; returns how many.
    pub async fn purge_expired(&self) -> Result<u64> {
        self.store.purge_expired(self.clock.now()).await
    }
}

/// The stored form of a session ID, unless it cannot be one we issued (then
/// it costs no store round trip).
pub(crate) fn stored_hash(id: &SessionId) -> Option<TokenHash> {
    token::is_well_formed(id.expose()).then(|| TokenHash::of(id.expose()))
}

impl AuthBackend for SessionBackend {
    async fn authenticate(&self, credential: &Credential) -> Result<Option<Identity>> {
        let Credential::Session(id) = credential else {
            return Ok(None);
        };
        match stored_hash(id) {
            Some(hash) => Ok(self.lookup(&hash).await?.map(Identity::from)),
            None => Ok(None),
        }
    }

    async fn start(
        &self,
        user: &User,
        client: &ClientMeta,
        persistent: bool,
        amr: Amr,
    ) -> Result<Issued> {
        let now = self.clock.now();
        let raw = token::new_token();
        let idle = self.idle_for(persistent);
        let record =
            DeviceSession::start(user, client, persistent, amr, now, idle, self.absolute_ttl);
        let hash = TokenHash::of(&raw);
        self.ops
            .insert
            .run(self.store.insert(&hash, &record))
            .await?;
        Ok(Issued::Session {
            id: SessionId::new(raw),
            expires_in: self.absolute_ttl,
            identity: record.into(),
        })
    }

    /// Session IDs are not renewed: a session lives by its idle and absolute
    /// deadlines.
    async fn renew(
        &self,
        _refresh: &RefreshToken,
        _client: &ClientMeta,
    ) -> Result<Result<Issued, Refusal>> {
        Ok(Err(Refusal::Unknown))
    }

    async fn end(&self, credential: &Credential, _reason: &str) -> Result<Option<Ended>> {
        let Some(hash) = (match credential {
            Credential::Session(id) => stored_hash(id),
            _ => None,
        }) else {
            return Ok(None);
        };
        let found = self.store.find(&hash, self.clock.now()).await?;
        let removed = self.ops.remove.run(self.store.remove(&hash)).await?;
        Ok(found.filter(|_| removed).map(|d| Ended {
            device_id: d.id,
            user_id: d.user_id,
        }))
    }

    async fn end_user(&self, user_id: &str, _reason: &str) -> Result<u64> {
        self.store.remove_user(user_id).await
    }

    async fn devices(&self, user_id: &str) -> Result<Vec<DeviceSession>> {
        self.store.list_user(user_id, self.clock.now()).await
    }

    async fn end_device(
        &self,
        user_id: &str,
        device_id: &str,
        _reason: &str,
    ) -> Result<Option<Ended>> {
        let removed = self.store.remove_device(user_id, device_id).await?;
        Ok(removed.then(|| Ended {
            device_id: device_id.to_string(),
            user_id: user_id.to_string(),
        }))
    }

    async fn device(&self, identity: &Identity) -> Result<Option<DeviceSession>> {
        // The request's lookup already read the record.
        Ok(identity.device.clone())
    }
}

#[cfg(test)]
mod conformance;
