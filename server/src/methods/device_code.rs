//! Device authorization requests (RFC 8628): how a command-line tool or a
//! television signs in without a keyboard-friendly browser and without
//! ever holding the person's password.
//!
//! The client asks for a request (`POST /auth/device`) and gets two codes:
//! a long random *device code* it keeps and polls the token endpoint with,
//! and a short *user code* it shows the person, who types it at `/device`
//! in a browser where they are signed in, sees which client asks for what,
//! and approves or denies. The next poll after an approval hands out the
//! tokens, once.
//!
//! Like every multi-step ceremony, a request is server-side state in the
//! shared store, so any instance can answer any step: a row of
//! `device_grants` in the database, or a Redis hash with a TTL (one key per
//! operation, so it works on a Redis Cluster too). The device code is kept
//! only as its SHA-256, like a session ID. Each change of state is one
//! conditional write (`UPDATE … WHERE decision = 'pending'`, `HSETNX`), so
//! two approvals, or two polls racing for the tokens, cannot both win.
//!
//! User codes are eight letters from an alphabet without vowels (no words,
//! no 0/O or 1/I confusion), about 34 bits: guessing one needs many tries
//! within its ten minutes, and a signed-in account typing wrong codes is
//! throttled (`crate::accounts::device_grant`).

mod records;
mod redis_store;
mod sql;
#[cfg(test)]
mod tests;

pub use records::{
    Begun, Decision, DeviceRequest, Poll, UserCode, KEPT_AFTER_SECS, LIFETIME_SECS, SLOW_DOWN_SECS,
};
use records::{Record, State};

use crate::auth::token::TokenHash;
use crate::clock::Clock;
use crate::random::new_token;
use crate::shared_store::SharedStore;
use crate::{Error, Result};

/// The device authorization requests in progress, in the shared store.
#[derive(Clone, Debug)]
pub struct DeviceCodes {
    store: SharedStore,
    clock: Clock,
    interval: i64,
}

impl DeviceCodes {
    /// `interval`: the seconds a client waits between polls.
    pub fn new(store: &SharedStore, clock: Clock, interval: i64) -> Self {
        DeviceCodes {
            store: store.clone(),
            clock,
            interval: interval.max(1),
        }
    }

    /// Keeps a new request by the client `request` describes (its times
    /// are set here); the codes to hand it.
    pub async fn begin(&self, mut request: DeviceRequest) -> Result<Begun> {
        let now = self.clock.now();
        request.created_at = now;
        request.expires_at = now + LIFETIME_SECS;
        let device_code = new_token();
        let record = Record {
            request,
            interval: self.interval,
            // The first poll may come at once.
            polled_at: now - self.interval,
            state: State::Pending,
        };
        let id = TokenHash::of(&device_code);
        // A user code is unique while its request lives; a clash (one in
        // millions) draws again.
        for _ in 0..5 {
            let user_code = UserCode::random();
            let kept = match &self.store {
                SharedStore::Database(db) => sql::insert(db, &id, &user_code, &record).await?,
                SharedStore::Redis(r) => redis_store::insert(r, &id, &user_code, &record).await?,
            };
            if kept {
                return Ok(Begun {
                    device_code,
                    user_code,
                    expires_in: LIFETIME_SECS,
                    interval: self.interval,
                });
            }
        }
        Err(Error::Internal("no free user code after five draws".into()))
    }

    /// The undecided, unexpired request `user_code` names.
    pub async fn pending(&self, user_code: &UserCode) -> Result<Option<DeviceRequest>> {
        let found = match &self.store {
            SharedStore::Database(db) => sql::by_user_code(db, user_code).await?,
            SharedStore::Redis(r) => redis_store::by_user_code(r, user_code).await?,
        };
        let now = self.clock.now();
        Ok(found
            .map(|(_, record)| record)
            .filter(|r| r.state == State::Pending && r.request.expires_at > now)
            .map(|r| r.request))
    }

    /// Records the person's answer to the request `user_code` names, if it
    /// is still undecided and unexpired; whether it was.
    pub async fn decide(&self, user_code: &UserCode, decision: Decision) -> Result<bool> {
        let now = self.clock.now();
        let state = match decision {
            Decision::Approve { user_id, amr } => State::Approved { user_id, amr },
            Decision::Deny => State::Denied,
        };
        match &self.store {
            SharedStore::Database(db) => sql::decide(db, user_code, &state, now).await,
            SharedStore::Redis(r) => {
                let Some((id, record)) = redis_store::by_user_code(r, user_code).await? else {
                    return Ok(false);
                };
                if record.request.expires_at <= now {
                    return Ok(false);
                }
                let keep = record.request.expires_at + KEPT_AFTER_SECS - now;
                redis_store::decide(r, &id, &state, keep).await
            }
        }
    }

    /// A poll with `device_code` by a client that proved `key` (DPoP) and
    /// named `resource`, if any: what to answer, the tokens' terms when
    /// this poll is the one to get them. A poll by another key, or for
    /// another service, changes nothing.
    pub async fn poll(
        &self,
        device_code: &str,
        key: Option<&str>,
        resource: Option<&str>,
    ) -> Result<Poll> {
        if !crate::auth::token::is_well_formed(device_code) {
            return Ok(Poll::Unknown);
        }
        let id = TokenHash::of(device_code);
        let found = match &self.store {
            SharedStore::Database(db) => sql::by_id(db, &id).await?,
            SharedStore::Redis(r) => redis_store::by_id(r, &id).await?,
        };
        let Some(record) = found else {
            return Ok(Poll::Unknown);
        };
        let now = self.clock.now();
        if now >= record.request.expires_at {
            return Ok(Poll::Expired);
        }
        match record.state {
            State::Denied => return Ok(Poll::Denied),
            State::Issued => return Ok(Poll::Unknown),
            State::Pending | State::Approved { .. } => {}
        }
        if record.request.key.is_some() && record.request.key.as_deref() != key {
            return Ok(Poll::WrongKey);
        }
        if resource.is_some() && resource != record.request.resource.as_deref() {
            return Ok(Poll::OtherResource);
        }
        let polled_at = now;
        let interval = if now - record.polled_at < record.interval {
            record.interval + SLOW_DOWN_SECS
        } else {
            record.interval
        };
        let keep = record.request.expires_at + KEPT_AFTER_SECS - now;
        match &self.store {
            SharedStore::Database(db) => sql::polled(db, &id, polled_at, interval).await?,
            SharedStore::Redis(r) => {
                redis_store::polled(r, &id, (polled_at, interval), keep).await?
            }
        }
        if interval > record.interval {
            return Ok(Poll::SlowDown(interval));
        }
        let State::Approved { user_id, amr } = record.state else {
            return Ok(Poll::Pending);
        };
        let taken = match &self.store {
            SharedStore::Database(db) => sql::take(db, &id).await?,
            SharedStore::Redis(r) => redis_store::take(r, &id, keep).await?,
        };
        Ok(match taken {
            true => Poll::Approved {
                request: record.request,
                user_id,
                amr,
            },
            false => Poll::Unknown,
        })
    }

    /// Deletes the database's requests past answering (Redis expires its
    /// own); how many.
    pub async fn purge(&self) -> Result<u64> {
        match &self.store {
            SharedStore::Database(db) => sql::purge(db, self.clock.now() - KEPT_AFTER_SECS).await,
            SharedStore::Redis(_) => Ok(0),
        }
    }
}
