//! What the audit trail records: the kinds of events, who caused an ended
//! sign-in, and where an attempt came from.

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    SignUp,
    SignInOk,
    SignInFailed,
    SignInThrottled,
    /// The right password for a disabled account: answered like a wrong one.
    SignInDisabled,
    SignOut,
    /// A device session ended by a request naming it (`/auth/revoke`).
    DeviceRevoked,
    /// A used refresh token came back after the grace window; its device
    /// session was revoked.
    RefreshReuse,
    PasswordChanged,
    AccountDisabled,
    /// An operator let a disabled account sign in again.
    AccountEnabled,
    /// The signed-in user typed their password again to confirm a
    /// sensitive action (the re-authentication step).
    Reauthenticated,
    /// A passkey was added to the account (detail: its id).
    PasskeyAdded,
    /// A passkey was removed from the account (detail: its id).
    PasskeyRemoved,
    /// A passkey signed in with a sign counter that did not go up: a copy
    /// of the key may exist. Refused (detail: its id).
    PasskeyCloned,
    /// The signed-in user approved a device authorization request at
    /// `/device` (detail: the client's name); the client's own sign-in
    /// follows when it polls.
    DeviceApproved,
    /// The signed-in user denied a device authorization request (detail:
    /// the client's name).
    DeviceDenied,
    /// A sign-in of the other mode carried over after a switch of
    /// `LATCHKEY_AUTH_MODE` (detail: the mode it came from).
    DeviceMigrated,
}

impl EventKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SignUp => "sign_up",
            EventKind::SignInOk => "sign_in_ok",
            EventKind::SignInFailed => "sign_in_failed",
            EventKind::SignInThrottled => "sign_in_throttled",
            EventKind::SignInDisabled => "sign_in_disabled",
            EventKind::SignOut => "sign_out",
            EventKind::DeviceRevoked => "device_revoked",
            EventKind::RefreshReuse => "refresh_reuse_detected",
            EventKind::PasswordChanged => "password_changed",
            EventKind::AccountDisabled => "account_disabled",
            EventKind::AccountEnabled => "account_enabled",
            EventKind::DeviceMigrated => "device_migrated",
            EventKind::Reauthenticated => "reauthenticated",
            EventKind::PasskeyAdded => "passkey_added",
            EventKind::PasskeyRemoved => "passkey_removed",
            EventKind::PasskeyCloned => "passkey_cloned",
            EventKind::DeviceApproved => "device_approved",
            EventKind::DeviceDenied => "device_denied",
        }
    }
}

/// One audit record.
#[derive(Debug)]
pub struct Event<'a> {
    pub kind: EventKind,
    pub at: i64,
    pub user_id: Option<&'a str>,
    /// The account's name, or for a failed attempt the hash of what was typed.
    pub username: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// The device session the event is about.
    pub device_id: Option<&'a str>,
    /// What caused it, where that varies ([`Cause`]).
    pub detail: Option<&'a str>,
}

/// Who or what ended a device session: the `detail` of a
/// [`EventKind::DeviceRevoked`] event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The account's owner, from the devices page or API.
    Owner,
    /// The owner, signing out every device at once.
    Everywhere,
    /// A password change signed every other device out.
    PasswordChange,
    /// The holder of a token revoked it (RFC 7009).
    TokenHolder,
    /// An operator disabled the account.
    AccountDisabled,
}

impl Cause {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Owner => "owner",
            Cause::Everywhere => "everywhere",
            Cause::PasswordChange => "password_changed",
            Cause::TokenHolder => "token_holder",
            Cause::AccountDisabled => "account_disabled",
        }
    }
}

/// Where a sign-in came from: the `detail` of a [`EventKind::SignInOk`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// A browser form or page (cookies).
    Browser,
    /// The token endpoint (an API client with bearer tokens).
    Api,
    /// A browser, with a passkey (the WebAuthn endpoints).
    Passkey,
    /// An app the user approved in a browser (the device authorization
    /// grant, RFC 8628).
    DeviceGrant,
}

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Browser => "browser",
            Channel::Api => "api",
            Channel::Passkey => "passkey",
            Channel::DeviceGrant => "device_grant",
        }
    }
}
