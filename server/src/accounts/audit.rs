//! Writing the audit trail: one event per outcome, with what the client
//! said about itself.

use crate::auth::throttle::Key;
use crate::auth::ClientMeta;
use crate::events::{self, Cause, Channel, Event, EventKind};
use crate::AppState;

/// What an event is about: the account, the device session, the cause.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct About<'a> {
    user_id: Option<&'a str>,
    username: Option<&'a str>,
    device_id: Option<&'a str>,
    detail: Option<&'a str>,
}

impl<'a> About<'a> {
    /// The account `user_id`, with its name when known.
    pub fn user(user_id: &'a str, username: Option<&'a str>) -> Self {
        About {
            user_id: Some(user_id),
            username,
            ..About::default()
        }
    }

    /// The device session the event is about.
    pub fn device(self, device_id: &'a str) -> Self {
        About {
            device_id: Some(device_id),
            ..self
        }
    }

    /// Who or what ended the device session.
    pub fn cause(self, cause: Cause) -> Self {
        About {
            detail: Some(cause.as_str()),
            ..self
        }
    }

    /// Where a sign-in came from.
    pub fn channel(self, channel: Channel) -> Self {
        About {
            detail: Some(channel.as_str()),
            ..self
        }
    }
}

/// Writes an event of `kind` about `about`, from `client`.
pub(super) async fn record(
    state: &AppState,
    kind: EventKind,
    about: About<'_>,
    client: &ClientMeta,
) {
    let event = Event {
        kind,
        at: state.clock.now(),
        user_id: about.user_id,
        username: about.username,
        ip: client.ip.as_deref(),
        user_agent: client.user_agent.as_deref(),
        device_id: about.device_id,
        detail: about.detail,
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
    let about = About {
        username: Some(key.name()),
        ..About::default()
    };
    record(state, kind, about, client).await;
}
