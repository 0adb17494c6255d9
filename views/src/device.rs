//! What `/device` shows a signed-in person about a device authorization
//! request (RFC 8628) before they approve or deny it.

use serde::{Deserialize, Serialize};

/// The form field the person types the code into.
pub const USER_CODE_FIELD: &str = "user_code";

/// A request waiting for an answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRequestView {
    /// The code, as the app shows it (`XXXX-XXXX`).
    pub user_code: String,
    /// The name the app gave itself: public clients are not registered,
    /// so the page says it is the app's own word.
    pub client_id: String,
    /// The program that asked, from its user agent, e.g. `latchkey-cli 0.1`.
    pub software: String,
    /// The network it asked from, e.g. `203.0.113.x`.
    pub address: Option<String>,
    /// The service its tokens would be for; `None`: this server's API.
    pub resource: Option<String>,
    /// Whether its tokens would be bound to its key (DPoP): useless to
    /// anyone who copies them without the key.
    pub bound: bool,
    pub asked_at: i64,
    pub expires_at: i64,
}

/// What the page says after an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeviceAnswer {
    Approved,
    Denied,
}
