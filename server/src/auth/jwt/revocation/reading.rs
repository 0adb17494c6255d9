//! What the inspector reads of the revocation set: one entry, and how
//! revocations travel between instances.

use super::Revocations;

impl Revocations {
    /// When `sid` was revoked, if this instance knows it was.
    pub fn revoked_at(&self, sid: &str) -> Option<i64> {
        self.map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(sid)
            .copied()
    }

    /// Whether revocations reach other instances through Redis (published
    /// at once) rather than the database (read every [`super::SYNC_EVERY`]).
    pub fn through_redis(&self) -> bool {
        self.redis.is_some()
    }
}
