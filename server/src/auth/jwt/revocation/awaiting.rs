//! A publisher waiting for the other instances' confirmations of one
//! revocation: its entry in the waiters' map lives exactly as long as the
//! wait.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::mpsc;

/// Publishers waiting for confirmations: a sender per nonce.
pub(super) type Waiters = Mutex<HashMap<String, mpsc::UnboundedSender<()>>>;

/// A publisher's place in the waiters of [`super::Revocations`], removed when dropped so
/// that no entry outlives its wait (also when the publish fails).
pub(super) struct Awaiting<'a> {
    map: &'a Waiters,
    nonce: String,
}

impl<'a> Awaiting<'a> {
    pub(super) fn register(map: &'a Waiters, nonce: &str, tx: mpsc::UnboundedSender<()>) -> Self {
        map.lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(nonce.to_string(), tx);
        Awaiting {
            map,
            nonce: nonce.to_string(),
        }
    }
}

impl Drop for Awaiting<'_> {
    fn drop(&mut self) {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.nonce);
    }
}
