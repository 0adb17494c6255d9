//! Who is calling: the [`Identity`] a valid credential proves, and the
//! [`Caller`] the resolver finds on every request (signed in, anonymous, or
//! not known because a store did not answer).

use std::sync::Arc;

use super::amr::Amr;
use super::device::DeviceSession;
use super::dpop::Jkt;

/// The signed-in user behind a request, and the device session they use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub user_id: String,
    pub username: String,
    /// The device session's id (a `sessions` row, or a session-store record).
    pub device_id: String,
    /// When the user last proved who they are on this device (typed their
    /// password): the start of the device session, the access token's
    /// `auth_time` in JWT mode. Neither a renewal nor a session's sliding
    /// idle deadline moves it. [`super::Proof`] asks about it.
    pub signed_in_at: i64,
    /// How they proved it then: a password or a passkey (the access
    /// token's `amr` in JWT mode).
    pub amr: Amr,
    /// JWT mode: when the presented or issued access token expires.
    pub access_expires_at: Option<i64>,
    /// JWT mode: the key the access token is bound to (DPoP `cnf.jkt`);
    /// the token proves nothing without a proof by that key.
    pub bound_to: Option<Jkt>,
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
            amr: d.amr,
            access_expires_at: None,
            bound_to: None,
            device: Some(d),
        }
    }
}

/// Who is calling, as the resolver middleware found out. Every request
/// carries one in its extensions; [`Caller::require`] is the one way to ask
/// for a signed-in user.
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

#[cfg(test)]
impl Caller {
    /// A signed-in caller for tests: `ada` on device `d1`, who proved who
    /// she is at `at`.
    pub(crate) fn signed_in_at(at: i64) -> Caller {
        Caller::User(Arc::new(Identity {
            user_id: "u1".into(),
            username: "ada".into(),
            device_id: "d1".into(),
            signed_in_at: at,
            amr: Amr::Pwd,
            access_expires_at: None,
            bound_to: None,
            device: None,
        }))
    }
}
