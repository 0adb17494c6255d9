//! Writing the audit trail: one event per outcome, with what the client
//! said about itself.

use crate::auth::throttle::Key;
use crate::auth::ClientMeta;
use crate::events::{self, Event, EventKind};
use crate::AppState;

/// Writes an event about the account `user_id` / `username` from `client`.
pub(super) async fn record(
    state: &AppState,
    kind: EventKind,
    user_id: Option<&str>,
    username: Option<&str>,
    client: &ClientMeta,
) {
    let event = Event {
        kind,
        at: state.clock.now(),
        user_id,
        username,
        ip: client.ip.as_deref(),
        user_agent: client.user_agent.as_deref(),
    };
    events::record(&state.db, event).await;
}

/// Writes a failed or throttled attempt on the name `typed`, kept only as
/// the throttle's hash of it: people type passwords into the username field.
pub(super) async fn record_attempt(
    state: &AppState,
    kind: EventKind,
    typed: &str,
    client: &ClientMeta,
) {
    let key = Key::account(typed);
    record(state, kind, None, Some(key.name()), client).await;
}
