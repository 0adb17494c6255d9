//! The account's pages: the overview, the signed-in devices and the
//! security events. [`DeviceView`] and [`EventView`] are also the items of
//! the JSON API (`GET /api/devices`, `GET /api/activity`), and
//! [`ActivityView`] that endpoint's whole answer.

use serde::{Deserialize, Serialize};

use crate::Mode;

/// The account page's data: who you are and this device's sign-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub username: String,
    pub mode: Mode,
    /// `None` while the database does not answer.
    pub member_since: Option<i64>,
    pub signed_in_at: i64,
    /// Until when this sign-in counts as a recent proof of who the user is:
    /// sensitive actions ask for the password again after it.
    pub proved_until: i64,
    /// `None` while the store holding them does not answer.
    pub idle_expires_at: Option<i64>,
    pub absolute_expires_at: Option<i64>,
    /// JWT mode: when the current access token expires.
    pub access_expires_at: Option<i64>,
    /// A store is down: what the request's credentials prove is shown, the
    /// rest is missing.
    pub degraded: bool,
    /// The server's clock when it answered, so the page can say "in 29
    /// minutes" the same way on both sides.
    pub now: i64,
}

/// One signed-in device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: String,
    /// The device this list was asked for from.
    pub current: bool,
    pub browser: String,
    pub os: String,
    /// The network it signed in from, e.g. `203.0.113.x`.
    pub address: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
    /// "Keep me signed in": its cookies outlive the browser.
    pub persistent: bool,
    /// Signed in under the other mode before a switch of
    /// `LATCHKEY_AUTH_MODE`; carried over on its next request.
    pub other_mode: bool,
    /// JWT mode: its tokens are bound to a key it holds (DPoP), useless
    /// to anyone who copies them.
    #[serde(default)]
    pub bound: bool,
    /// JWT mode: the service its tokens are for (RFC 8707); `None`: this
    /// server's API.
    #[serde(default)]
    pub audience: Option<String>,
}

/// The form field of a sensitive action's confirmation step: the password,
/// typed again when the sign-in is older than the re-authentication window.
pub const CONFIRM_FIELD: &str = "confirm_password";

/// The devices page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicesView {
    pub mode: Mode,
    /// This device first.
    pub devices: Vec<DeviceView>,
    /// JWT mode: at most how long other instances keep accepting the access
    /// token of a device signed out here.
    pub revocation_sync_secs: u64,
    /// "Sign out everywhere" asks for the password first: this sign-in is
    /// older than the re-authentication window.
    pub confirm_needed: bool,
    /// The re-authentication window, in seconds.
    pub reauth_window_secs: i64,
}

/// One security event of the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: String,
    pub at: i64,
    /// `sign_in_ok`, `sign_in_failed`, `sign_in_throttled`, `sign_in_disabled`, `sign_out`,
    /// `device_revoked`, `refresh_reuse_detected`, `password_changed`, …
    pub kind: String,
    /// For `device_revoked`: `owner`, `everywhere`, `password_changed`,
    /// `token_holder`, `account_disabled`; for the `sign_in_*` kinds: where
    /// the attempt came from, `browser` or `api`.
    pub cause: Option<String>,
    pub device_id: Option<String>,
    /// The client that made the request, as its user agent names it.
    pub browser: String,
    pub os: String,
    pub address: Option<String>,
    /// Attempts the event stands for: on a `sign_in_throttled` event, every
    /// attempt its lock refused (the first at `at`, the last at `last_at`).
    pub attempts: i64,
    pub last_at: Option<i64>,
}

/// A page of the account's security events, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub events: Vec<EventView>,
    /// The `before` of the next, older page.
    pub older: Option<String>,
}
