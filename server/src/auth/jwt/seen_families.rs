//! The device sessions (refresh families) this instance has issued or read,
//! as of one access token each, so a page that shows them (the account
//! page's deadlines) costs no database read while the browser sends the
//! same token.
//!
//! JWT mode checks a request by signature alone; reading the family's row
//! for every account page would put a store round trip back on that path.
//! The row needs no re-reading while one token is in use: a family changes
//! only when a renewal issues a new access token (new `exp`, so a new key
//! here), or when it is revoked, after which its tokens are refused before
//! anything asks for it. So each family has one entry: its row, and the
//! `exp` of the token it was issued or read with. Only that token is
//! answered from it, until it expires; another token of the family (a
//! renewal's) reads the row again and replaces the entry. The idle and
//! absolute deadlines are checked against the clock on every hit, as the
//! database read would.
//!
//! Hand-written rather than a caching crate: a map, a bound and an expiry
//! per entry are all it needs, as in [`super::verified`]. When full, the
//! entries whose token expired go first, then everything.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::auth::DeviceSession;

/// Most families remembered at once.
pub const CAPACITY: usize = 16_384;

/// A family's row, as of the token that expires at `exp`.
#[derive(Clone, Debug)]
struct Seen {
    exp: i64,
    family: DeviceSession,
}

/// Device sessions by family id, one entry each.
#[derive(Clone, Debug, Default)]
pub struct SeenFamilies {
    map: Arc<RwLock<HashMap<String, Seen>>>,
}

impl SeenFamilies {
    /// The family `id` as kept for a token expiring at `exp`, if it is kept
    /// for that token and still live at `now`.
    pub fn get(&self, id: &str, exp: i64, now: i64) -> Option<DeviceSession> {
        if exp <= now {
            return None;
        }
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        let seen = map.get(id).filter(|s| s.exp == exp)?;
        let family = &seen.family;
        (family.idle_expires_at > now && family.absolute_expires_at > now).then(|| family.clone())
    }

    /// Keeps `family` for its token expiring at `exp`, in place of what was
    /// kept for it before; entries whose token expired by `now` go when the
    /// map is full.
    pub fn keep(&self, family: &DeviceSession, exp: i64, now: i64) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= CAPACITY && !map.contains_key(&family.id) {
            map.retain(|_, seen| seen.exp > now);
            if map.len() >= CAPACITY {
                map.clear();
            }
        }
        let seen = Seen {
            exp,
            family: family.clone(),
        };
        map.insert(family.id.clone(), seen);
    }

    /// How many families are kept.
    pub fn len(&self) -> usize {
        self.map.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn family(id: &str, idle: i64, absolute: i64) -> DeviceSession {
        DeviceSession {
            id: id.into(),
            user_id: "u1".into(),
            username: "alice".into(),
            created_at: 0,
            last_seen_at: 0,
            idle_expires_at: idle,
            absolute_expires_at: absolute,
            user_agent: None,
            ip: None,
            persistent: true,
            member_since: Some(0),
            amr: crate::auth::Amr::Pwd,
        }
    }

    #[test]
    fn a_family_is_kept_for_its_token_only() {
        let seen = SeenFamilies::default();
        seen.keep(&family("f1", 1_000, 2_000), 130, 100);
        assert_eq!(seen.get("f1", 130, 100).unwrap().id, "f1");
        // A renewed token (another exp) reads the row again.
        assert_eq!(seen.get("f1", 160, 130), None);
        assert_eq!(seen.get("f2", 130, 100), None);
        // What it read replaces the entry: one per family.
        seen.keep(&family("f1", 1_100, 2_000), 160, 130);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen.get("f1", 160, 130).unwrap().idle_expires_at, 1_100);
        assert_eq!(seen.get("f1", 130, 120), None);
    }

    #[test]
    fn nothing_is_given_past_a_deadline() {
        let seen = SeenFamilies::default();
        seen.keep(&family("f1", 120, 2_000), 130, 100);
        seen.keep(&family("f2", 1_000, 110), 105, 100);
        seen.keep(&family("f3", 1_000, 2_000), 130, 100);
        assert!(seen.get("f1", 130, 119).is_some());
        assert_eq!(seen.get("f1", 130, 120), None, "idle deadline passed");
        assert_eq!(seen.get("f2", 105, 105), None, "token expired");
        assert_eq!(seen.get("f3", 130, 130), None, "token expired");
    }

    #[test]
    fn a_full_map_drops_expired_entries_first() {
        let seen = SeenFamilies::default();
        for i in 0..CAPACITY {
            // Half of the tokens expire at 150, half at 300.
            let exp = if i % 2 == 0 { 150 } else { 300 };
            seen.keep(&family(&format!("f{i}"), 1_000, 2_000), exp, 100);
        }
        seen.keep(&family("new", 1_000, 2_000), 300, 200);
        assert_eq!(seen.len(), CAPACITY / 2 + 1);
        assert!(seen.get("f1", 300, 200).is_some());
        assert!(seen.get("new", 300, 200).is_some());
    }
}
