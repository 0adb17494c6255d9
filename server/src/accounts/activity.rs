//! The account's security events, newest first, a page at a time.

use crate::auth::throttle::Key;
use crate::auth::Identity;
use crate::events::{self, Cursor, StoredEvent};
use crate::{AppState, Result};

/// Events on one page.
pub const PAGE_SIZE: u32 = 20;

/// One page of the account's events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActivityPage {
    pub events: Vec<StoredEvent>,
    /// Where the next, older page starts; `None` on the last page.
    pub older: Option<Cursor>,
}

/// The caller's events older than `before` (a cursor as written in URLs;
/// `None` or empty: the newest). Failed and throttled sign-ins on the
/// account's name are included: they were stored under its hash.
pub async fn activity(
    state: &AppState,
    identity: &Identity,
    before: Option<&str>,
) -> Result<ActivityPage> {
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
    Ok(ActivityPage { events, older })
}
