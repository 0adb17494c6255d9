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

mod redis_store;
mod sql;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::auth::token::TokenHash;
use crate::auth::Amr;
use crate::clock::Clock;
use crate::random::new_token;
use crate::shared_store::SharedStore;
use crate::{Error, Result};

/// How long a request may wait for the person (RFC 8628 `expires_in`).
pub const LIFETIME_SECS: i64 = 600;
/// How long after that a poll is still told `expired_token` rather than
/// that the code is unknown.
pub const KEPT_AFTER_SECS: i64 = 600;
/// What a client that polls too soon must add to its interval (§3.5).
pub const SLOW_DOWN_SECS: i64 = 5;

/// The letters of a user code: RFC 8628 §6.1's base-20 set, consonants
/// only.
const ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
const USER_CODE_LEN: usize = 8;

/// A user code in its canonical form: eight capitals, shown as
/// `XXXX-XXXX`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UserCode(String);

impl UserCode {
    fn random() -> Self {
        let mut code = String::with_capacity(USER_CODE_LEN);
        while code.len() < USER_CODE_LEN {
            let mut byte = [0u8; 1];
            getrandom::fill(&mut byte).expect("the operating system's random source failed");
            // 240 is the largest multiple of 20 a byte holds: rejecting
            // the rest keeps every letter equally likely.
            if byte[0] < 240 {
                code.push(ALPHABET[usize::from(byte[0] % 20)] as char);
            }
        }
        UserCode(code)
    }

    /// What a person typed, read forgivingly: any case, with or without
    /// the dash or spaces. `None` if it cannot be a user code.
    pub fn parse(typed: &str) -> Option<Self> {
        let code: String = typed
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}'..='\u{2015}'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        (code.len() == USER_CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b)))
            .then_some(UserCode(code))
    }

    /// The stored form, without the dash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", &self.0[..4], &self.0[4..])
    }
}

/// What a client asked for, as the person deciding sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRequest {
    /// The name the client gave (`client_id`): public clients are not
    /// registered, so it is what the client says it is.
    pub client_id: String,
    /// The service the tokens are for (RFC 8707); `None`: Latchkey's API.
    pub resource: Option<String>,
    /// The DPoP key (RFC 7638 thumbprint) that asked: only a proof by it
    /// redeems the request.
    pub key: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A request just made: what the client is told.
#[derive(Clone, Debug)]
pub struct Begun {
    pub device_code: String,
    pub user_code: UserCode,
    pub expires_in: i64,
    pub interval: i64,
}

/// The person's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve { user_id: String, amr: Amr },
    Deny,
}

/// What a poll of the token endpoint finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poll {
    /// Not decided yet: `authorization_pending`.
    Pending,
    /// Polled sooner than the interval allows: `slow_down`; the interval is
    /// now this many seconds.
    SlowDown(i64),
    /// Approved, and this poll is the one that gets the tokens.
    Approved {
        request: DeviceRequest,
        user_id: String,
        amr: Amr,
    },
    /// The person said no: `access_denied`.
    Denied,
    /// Nobody decided in time: `expired_token`.
    Expired,
    /// No such device code, or its tokens were handed out already.
    Unknown,
    /// The request was made with a DPoP key and this poll proves another,
    /// or none: only the client that asked may redeem it.
    WrongKey,
    /// The poll names another service than the request did.
    OtherResource,
}

/// A request as the stores keep it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Record {
    request: DeviceRequest,
    interval: i64,
    polled_at: i64,
    state: State,
}

/// Where a request stands.
#[derive(Clone, Debug, PartialEq, Eq)]
enum State {
    Pending,
    Approved {
        user_id: String,
        amr: Amr,
    },
    Denied,
    /// Approved, and its tokens handed out.
    Issued,
}

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
