//! Writing the audit trail: one event per outcome, with what the client
//! said about itself.

use crate::auth::throttle::{Key, Lock};
use crate::auth::ClientMeta;
use crate::events::{self, Cause, Channel, Event, EventKind, LockedBy};
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

    /// The mode a carried-over sign-in came from.
    pub fn carried_from(self, mode: &'a str) -> Self {
        About {
            detail: Some(mode),
            ..self
        }
    }

    /// What the event names besides the device (a passkey's id).
    pub fn detail(self, detail: &'a str) -> Self {
        About {
            detail: Some(detail),
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

/// Writes an event of `kind` about `about`, from `client`, and counts it in
/// the metrics: every outcome of every transport passes here, so the series
/// and the audit trail cannot disagree.
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
    count(state, kind, about.detail);
    events::record(&state.db, event).await;
}

/// The metric an event moves. Labels come from fixed lists: an unexpected
/// detail is counted as `other`, never copied into a label.
fn count(state: &AppState, kind: EventKind, detail: Option<&str>) {
    let transport = match detail {
        Some(d) if d == Channel::Browser.as_str() => "browser",
        Some(d) if d == Channel::Api.as_str() => "api",
        Some(d) if d == Channel::Passkey.as_str() => "passkey",
        Some(d) if d == Channel::DeviceGrant.as_str() => "device_grant",
        _ => "other",
    };
    let sign_in = |outcome| {
        let labels = [("transport", transport), ("outcome", outcome)];
        state.metrics.count("latchkey_sign_ins_total", &labels);
    };
    let m = &state.metrics;
    match kind {
        EventKind::SignInOk => sign_in("ok"),
        EventKind::SignInFailed => sign_in("bad_credentials"),
        EventKind::SignInThrottled => sign_in("throttled"),
        // Counted as a wrong password, which is what the client was told:
        // a series of its own would tell whoever can read the metrics that
        // a password was right. The audit trail keeps the truth.
        EventKind::SignInDisabled => sign_in("bad_credentials"),
        EventKind::SignUp => m.count("latchkey_sign_ups_total", &[]),
        EventKind::SignOut => m.count("latchkey_sign_outs_total", &[]),
        EventKind::RefreshReuse => m.count("latchkey_refresh_reuse_detected_total", &[]),
        EventKind::PasswordChanged => m.count("latchkey_password_changes_total", &[]),
        EventKind::AccountDisabled => m.count("latchkey_accounts_disabled_total", &[]),
        EventKind::AccountEnabled => m.count("latchkey_accounts_enabled_total", &[]),
        EventKind::DeviceMigrated => m.count("latchkey_devices_migrated_total", &[]),
        EventKind::Reauthenticated => m.count("latchkey_reauthentications_total", &[]),
        EventKind::PasskeyAdded => m.count("latchkey_passkeys_added_total", &[]),
        EventKind::PasskeyRemoved => m.count("latchkey_passkeys_removed_total", &[]),
        EventKind::PasskeyCloned => sign_in("cloned_passkey"),
        EventKind::DeviceApproved => m.count(
            "latchkey_device_requests_total",
            &[("decision", "approved")],
        ),
        EventKind::DeviceDenied => {
            m.count("latchkey_device_requests_total", &[("decision", "denied")])
        }
        EventKind::DeviceRevoked => {
            let cause = [
                Cause::Owner,
                Cause::Everywhere,
                Cause::PasswordChange,
                Cause::TokenHolder,
                Cause::AccountDisabled,
            ]
            .into_iter()
            .map(Cause::as_str)
            .find(|c| Some(*c) == detail)
            .unwrap_or("other");
            m.count("latchkey_devices_revoked_total", &[("cause", cause)]);
        }
    }
}

/// Writes a failed attempt on the name `typed`, kept only as the
/// throttle's keyed hash of it ([`crate::names`]): people type passwords
/// into the username field.
pub(super) async fn record_attempt(
    state: &AppState,
    kind: EventKind,
    typed: &str,
    client: &ClientMeta,
    channel: Channel,
) {
    let key = Key::account(&state.names, typed);
    let about = About {
        username: Some(key.name()),
        ..About::default()
    }
    .channel(channel);
    record(state, kind, about, client).await;
}

/// Records an attempt on the name `typed` that `lock` refused: counted in
/// the metrics one by one, and in the audit trail on the lock's one row
/// ([`events::record_blocked`]). `lock.key` 0 is the account name's key,
/// any other the client address's.
pub(super) async fn record_blocked(
    state: &AppState,
    typed: &str,
    client: &ClientMeta,
    channel: Channel,
    lock: Lock,
) {
    let kind = EventKind::SignInThrottled;
    let key = Key::account(&state.names, typed);
    count(state, kind, Some(channel.as_str()));
    let locked = match (lock.key, client.ip.as_deref()) {
        (0, _) | (_, None) => LockedBy::Name(key.name()),
        (_, Some(ip)) => LockedBy::Address(ip),
    };
    let event = Event {
        kind,
        at: state.clock.now(),
        user_id: None,
        username: Some(key.name()),
        ip: client.ip.as_deref(),
        user_agent: client.user_agent.as_deref(),
        device_id: None,
        detail: Some(channel.as_str()),
    };
    events::record_blocked(&state.db, event, locked, lock.since).await;
}
