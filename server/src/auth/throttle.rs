//! Sign-in throttling: growing delays per account and per client address.
//!
//! Every failed password check counts against two keys: the account name that
//! was tried (whether or not such an account exists, so the delay says nothing
//! about existence) and the client's address. After a few free failures each
//! further one locks its key for twice as long as the one before, up to a cap;
//! a key quiet for the reset period starts again from zero, and a successful
//! sign-in clears its account key. While a key is locked every attempt on it,
//! right password or not, gets the same `429` with `Retry-After` before any
//! password is checked: the lock reveals neither the password nor whether the
//! account exists, and costs the server no hashing.
//!
//! The counters live where every instance sees them: Redis when it is
//! configured, else the SQL database. Rate-limiter crates such as `governor`
//! keep their state in process memory, which a second instance cannot see;
//! the few lines of counting here are what a shared store needs.
//!
//! Account names are kept only as their keyed hash ([`crate::names`]): people
//! type passwords into the username field, and the counters must not become
//! a list of them.

mod database;
mod policy;
mod redis;

use std::net::IpAddr;

use crate::db::Db;
use crate::names::NameKey;
use crate::redis_client::RedisClient;
use crate::shared_store::SharedStore;
use crate::Result;
pub use policy::{Failures, Policy};

/// What a throttle key stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    name: String,
    policy: Policy,
}

impl Key {
    /// The key of an account name as typed, kept only as its keyed hash
    /// ([`crate::names`]).
    pub fn account(names: &NameKey, username: &str) -> Key {
        Key {
            name: format!("acct:{}", names.hash(username)),
            policy: Policy::ACCOUNT,
        }
    }

    /// The key of a client address. IPv6 clients are counted per /64, the
    /// block one subscriber usually holds.
    pub fn client(ip: IpAddr) -> Key {
        let name = match ip {
            IpAddr::V4(v4) => format!("ip:{v4}"),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => format!("ip:{v4}"),
                None => {
                    let s = v6.segments();
                    format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        };
        Key {
            name,
            policy: Policy::CLIENT,
        }
    }

    /// The key of a client address at the introspection endpoint.
    pub fn introspection_client(ip: IpAddr) -> Key {
        Key {
            name: format!("introspect:{}", Key::client(ip).name),
            policy: Policy::INTROSPECTION,
        }
    }

    /// The key of a signed-in account typing device-grant user codes at
    /// `/device`: codes are short, so wrong ones count like wrong
    /// passwords, apart from the account's sign-ins.
    pub fn user_code_entry(user_id: &str) -> Key {
        Key {
            name: format!("usercode:{user_id}"),
            policy: Policy::ACCOUNT,
        }
    }

    /// The stored name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The policy of a stored key name.
fn policy_of(name: &str) -> Policy {
    if name.starts_with("acct:") || name.starts_with("usercode:") {
        Policy::ACCOUNT
    } else if name.starts_with("introspect:") {
        Policy::INTROSPECTION
    } else {
        Policy::CLIENT
    }
}

/// A lock in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lock {
    /// Seconds until every locked key may try again.
    pub wait: i64,
    /// The first locked key, by its place in the keys asked about.
    pub key: usize,
    /// When that key's lock began (its last failure).
    pub since: i64,
}

/// Where the counters live.
#[derive(Clone, Debug)]
pub enum Throttle {
    Database(Db),
    Redis(RedisClient),
}

impl Throttle {
    /// Counters in the store instances share.
    pub fn new(shared: &SharedStore) -> Self {
        match shared {
            SharedStore::Redis(r) => Throttle::Redis(r.clone()),
            SharedStore::Database(db) => Throttle::Database(db.clone()),
        }
    }

    /// Seconds until the longest-locked of `keys` may try again, if any is
    /// locked at `now`.
    pub async fn locked_for(&self, keys: &[Key], now: i64) -> Result<Option<i64>> {
        Ok(self.lock(keys, now).await?.map(|l| l.wait))
    }

    /// The lock on `keys` at `now`, if any is locked.
    pub async fn lock(&self, keys: &[Key], now: i64) -> Result<Option<Lock>> {
        let mut lock: Option<Lock> = None;
        for (index, key) in keys.iter().enumerate() {
            let failures = match self {
                Throttle::Database(db) => database::get(db, key.name()).await?,
                Throttle::Redis(r) => redis::get(r, key.name()).await?,
            };
            let Some(f) = failures else { continue };
            if let Some(wait) = f.locked_for(&key.policy, now) {
                lock = Some(match lock {
                    Some(l) => Lock {
                        wait: l.wait.max(wait),
                        ..l
                    },
                    None => Lock {
                        wait,
                        key: index,
                        since: f.last_at,
                    },
                });
            }
        }
        Ok(lock)
    }

    /// Counts a failure against every key.
    pub async fn fail(&self, keys: &[Key], now: i64) -> Result<()> {
        for key in keys {
            match self {
                Throttle::Database(db) => {
                    database::fail(db, key.name(), now, key.policy.reset).await?
                }
                Throttle::Redis(r) => redis::fail(r, key.name(), now, key.policy.reset).await?,
            };
        }
        Ok(())
    }

    /// Forgets a key's failures (after a successful sign-in).
    pub async fn clear(&self, key: &Key) -> Result<()> {
        match self {
            Throttle::Database(db) => database::clear(db, key.name()).await,
            Throttle::Redis(r) => redis::clear(r, key.name()).await,
        }
    }

    /// How many keys (accounts and clients, on every instance) are locked at
    /// `now`: read from the shared store when metrics are scraped.
    pub async fn lockouts_active(&self, now: i64) -> Result<u64> {
        let longest = Policy::LONGEST_RESET;
        let recent = match self {
            Throttle::Database(db) => database::recent(db, now - longest).await?,
            Throttle::Redis(r) => redis::all(r).await?,
        };
        let locked = recent
            .iter()
            .filter(|(name, f)| f.locked_for(&policy_of(name), now).is_some())
            .count();
        Ok(locked as u64)
    }

    /// Deletes counters quiet for longer than any reset period (Redis expires
    /// its own); returns how many.
    pub async fn purge(&self, now: i64) -> Result<u64> {
        let longest = Policy::LONGEST_RESET;
        match self {
            Throttle::Database(db) => database::purge(db, now - longest).await,
            Throttle::Redis(_) => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests;
