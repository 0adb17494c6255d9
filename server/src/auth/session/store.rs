//! The session store: the contract every place session records can live in
//! must keep (the configured one is `super::configured`).
//!
//! Modelled on tower-sessions' `SessionStore`: a few operations, one error
//! type, no knowledge of HTTP or cookies. Records are keyed by the SHA-256 of
//! the session ID ([`TokenHash`]); the raw ID never reaches a store.
//!
//! The contract (checked for every store by the conformance suite in
//! `session/conformance.rs`):
//! - [`find`](SessionStore::find) returns a record only while both its idle
//!   and its absolute deadline lie after `now`, and never one that was
//!   removed;
//! - [`touch`](SessionStore::touch) moves only `last_seen_at` and the idle
//!   deadline; the absolute deadline never moves;
//! - [`remove_user`](SessionStore::remove_user) ends every session of that
//!   user and no other;
//! - [`list_user`](SessionStore::list_user) returns exactly the live sessions
//!   of that user, and [`remove_device`](SessionStore::remove_device) ends one
//!   of them by its id, never another user's;
//! - an unreachable store answers with an error (`503` upstream), never with
//!   "no such session", so a store outage does not sign everybody out.

use std::future::Future;

use crate::auth::device::DeviceSession;
use crate::auth::token::TokenHash;
use crate::Result;

/// What a session store must do.
pub trait SessionStore {
    /// Stores a new session under the hash of its ID.
    fn insert(
        &self,
        hash: &TokenHash,
        record: &DeviceSession,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The live session with this hash, if any.
    fn find(
        &self,
        hash: &TokenHash,
        now: i64,
    ) -> impl Future<Output = Result<Option<DeviceSession>>> + Send;

    /// Records activity: a new last-seen time and idle deadline.
    fn touch(
        &self,
        hash: &TokenHash,
        now: i64,
        idle_expires_at: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Deletes one session; `true` if it existed.
    fn remove(&self, hash: &TokenHash) -> impl Future<Output = Result<bool>> + Send;

    /// Deletes every session of a user; returns how many.
    fn remove_user(&self, user_id: &str) -> impl Future<Output = Result<u64>> + Send;

    /// The live sessions of a user, in no particular order.
    fn list_user(
        &self,
        user_id: &str,
        now: i64,
    ) -> impl Future<Output = Result<Vec<DeviceSession>>> + Send;

    /// Deletes the session with id `device_id` if it belongs to `user_id`;
    /// `true` if it existed.
    fn remove_device(
        &self,
        user_id: &str,
        device_id: &str,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Deletes sessions past either deadline; returns how many.
    fn purge_expired(&self, now: i64) -> impl Future<Output = Result<u64>> + Send;

    /// Whether the store answers.
    fn ping(&self) -> impl Future<Output = bool> + Send;
}
