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
        EventKind::SignInDisabled => sign_in("disabled"),
        EventKind::SignUp => m.count("latchkey_sign_ups_total", &[]),
        EventKind::SignOut => m.count("latchkey_sign_outs_total", &[]),
        EventKind::RefreshReuse => m.count("latchkey_refresh_reuse_detected_total", &[]),
        EventKind::PasswordChanged => m.count("latchkey_password_changes_total", &[]),
        EventKind::AccountDisabled => m.count("latchkey_accounts_disabled_total", &[]),
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

/// Writes a failed or throttled attempt on the name `typed`, kept only as
/// the throttle's hash of it: people type passwords into the username field.
pub(super) async fn record_attempt(
    state: &AppState,
    kind: EventKind,
    typed: &str,
    client: &ClientMeta,
    channel: Channel,
) {
    let key = Key::account(typed);
    let about = About {
        username: Some(key.name()),
        ..About::default()
    }
    .channel(channel);
    record(state, kind, about, client).await;
}
