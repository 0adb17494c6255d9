//! The account's security events, newest first, a page at a time, as the
//! activity page and `GET /api/activity` show them.

use views::account::{ActivityView, EventView};

use crate::auth::throttle::Key;
use crate::auth::Identity;
use crate::describe::{approximate_address, software};
use crate::events::{self, Cursor, StoredEvent};
use crate::{AppState, Result};

/// Events on one page.
pub const PAGE_SIZE: u32 = 20;

/// A page of the caller's events older than `before` (a cursor as written in URLs;
/// `None` or empty: the newest). Failed and throttled sign-ins on the
/// account's name are included: they were stored under its hash.
pub async fn activity(
    state: &AppState,
    identity: &Identity,
    before: Option<&str>,
) -> Result<ActivityView> {
    let before: Option<Cursor> = match before {
        None | Some("") => None,
        Some(s) => Some(s.parse()?),
    };
    let name_key = Key::account(&state.names, &identity.username);
    // Attempts recorded before names were keyed were kept under a bare
    // hash: still the owner's to read until the retention period ends.
    let legacy = format!("acct:{}", crate::names::legacy_hash(&identity.username));
    // One more than a page tells whether an older page exists.
    let mut events = events::of_account(
        &state.db,
        &identity.user_id,
        [name_key.name(), legacy.as_str()],
        before.as_ref(),
        PAGE_SIZE + 1,
    )
    .await?;
    let older = if events.len() > PAGE_SIZE as usize {
        events.truncate(PAGE_SIZE as usize);
        events.last().map(StoredEvent::cursor)
    } else {
        None
    };
    Ok(ActivityView {
        events: events.into_iter().map(Into::into).collect(),
        older: older.map(|c| c.to_string()),
    })
}

/// An event as its owner sees it: the client named, the address blurred.
impl From<StoredEvent> for EventView {
    fn from(e: StoredEvent) -> Self {
        let sw = software(e.user_agent.as_deref());
        EventView {
            id: e.id,
            at: e.at,
            kind: e.kind,
            cause: e.detail,
            device_id: e.device_id,
            browser: sw.browser,
            os: sw.os,
            address: approximate_address(e.ip.as_deref()),
            attempts: e.attempts,
            last_at: e.last_at,
        }
    }
}
