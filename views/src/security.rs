//! The security page (`/account/security`): the account's passkeys.
//! [`PasskeyView`] is also the item of `GET /api/passkeys`.

use serde::{Deserialize, Serialize};

/// The longest name a passkey may be given, in characters.
pub const PASSKEY_NAME_MAX: usize = 64;

/// One passkey of the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyView {
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    pub created_at: i64,
    /// When it last signed in; `None`: never yet.
    pub last_used_at: Option<i64>,
    /// Synced to the owner's other devices by its provider (a phone's or a
    /// password manager's passkey); `false`: bound to the one device or
    /// security key it was made on.
    pub synced: bool,
    /// The browser said the authenticator keeps it as a discoverable
    /// credential (usable without typing a username); `None`: it did not
    /// say.
    pub discoverable: Option<bool>,
    /// When it was stopped: it signed with a count that did not go up, so
    /// a copy of it may exist. It signs nobody in any more; remove it.
    pub suspended_at: Option<i64>,
}

/// The security page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityView {
    pub passkeys: Vec<PasskeyView>,
    /// Adding or removing a passkey asks for the password first: this
    /// sign-in is older than the re-authentication window.
    pub confirm_needed: bool,
    /// The re-authentication window, in seconds.
    pub reauth_window_secs: i64,
    /// The WebAuthn relying party ID passkeys are bound to.
    pub rp_id: String,
    /// The origin passkeys work on (`http://localhost:3000`): pages reached
    /// by another name (an IP address) point there.
    pub passkey_origin: String,
}
