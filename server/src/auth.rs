//! Authentication: who is calling, and the ways to become somebody.
//!
//! Three layers, each knowing less than the one above:
//! - the transport adapters ([`crate::http`]) turn a request into typed
//!   [`Credential`]s and write what was [`Issued`] back as cookies or JSON;
//! - the accounts service ([`crate::accounts`]) runs the use cases (sign-in,
//!   renewal, sign-out, …) with throttling and the audit trail, for every
//!   transport alike;
//! - the backends here, behind the transport-free [`AuthBackend`] trait:
//!   credentials in, an [`Identity`] or issued credentials out.
//!
//! Only this module and the composition root ([`crate::state`]) know which
//! mode is configured; everything else asks [`Auth`].

mod backend;
mod credentials;
pub mod device;
#[cfg(test)]
mod fuzz;
pub mod jwt;
pub mod migration;
pub mod password;
pub mod session;
pub mod throttle;
pub mod token;

use std::sync::Arc;

pub use backend::{Auth, AuthBackend, Ended, Refusal};
pub use credentials::{AccessToken, Credential, Issued, RefreshToken, SessionId, TokenPair};
pub use device::DeviceSession;
pub use jwt::JwtBackend;
pub use session::SessionBackend;

/// The signed-in user behind a request, and the device session they use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub user_id: String,
    pub username: String,
    /// The device session's id (a `sessions` row, or a session-store record).
    pub device_id: String,
    pub signed_in_at: i64,
    /// JWT mode: when the presented or issued access token expires.
    pub access_expires_at: Option<i64>,
    /// The device session as its store holds it, when this request read it
    /// (session mode always; JWT mode when the tokens were just issued).
    pub device: Option<DeviceSession>,
}

impl From<DeviceSession> for Identity {
    fn from(d: DeviceSession) -> Self {
        Identity {
            user_id: d.user_id.clone(),
            username: d.username.clone(),
            device_id: d.id.clone(),
            signed_in_at: d.created_at,
            access_expires_at: None,
            device: Some(d),
        }
    }
}

/// Who is calling, as the resolver middleware found out. Every request
/// carries one in its extensions.
#[derive(Clone, Debug)]
pub enum Caller {
    /// No valid credentials.
    Anonymous,
    /// A signed-in user.
    User(Arc<Identity>),
    /// Credentials were sent but the store that could check them did not
    /// answer: neither signed in nor anonymous.
    StoreUnavailable,
}

impl Caller {
    /// The identity, if signed in.
    pub fn identity(&self) -> Option<&Identity> {
        match self {
            Caller::User(i) => Some(i),
            _ => None,
        }
    }
}

/// What the server notes about the client at sign-in.
#[derive(Clone, Debug, Default)]
pub struct ClientMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}
