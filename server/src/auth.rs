//! Authentication: who is calling, and the ways to become somebody.
//!
//! [`AuthBackend`] is what a way of remembering a sign-in must do; [`Auth`]
//! picks the configured one at runtime. Only this module knows which mode is
//! active: pages, server functions and the JSON API ask [`Auth`] and get an
//! [`Identity`] back. The password check is shared by every backend and
//! happens before the backend is asked to start a session.

mod account;
pub mod client_ip;
pub mod cookies;
pub mod counters;
mod flows;
#[cfg(test)]
mod fuzz;
pub mod jwt;
pub mod middleware;
pub mod password;
pub mod redirect;
pub mod session;
pub mod throttle;
pub mod token;

use std::future::Future;
use std::sync::Arc;

use http::HeaderMap;
use serde::Serialize;
use tower_cookies::Cookies;

use crate::config::AuthMode;
use crate::users::User;
use crate::Result;
pub use account::{change_password, disable_user};
pub use flows::{authenticate, refresh, sign_in, sign_out, sign_up};
pub use jwt::JwtBackend;
pub use session::SessionBackend;

/// The signed-in user behind a request, and the device session they use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub user_id: String,
    pub username: String,
    /// The device session: the store record (session mode) or the refresh
    /// family (JWT mode).
    pub session_id: String,
    pub signed_in_at: i64,
    /// Known when the device session was just read from its store.
    pub idle_expires_at: Option<i64>,
    pub absolute_expires_at: Option<i64>,
    /// JWT mode: when the presented access token expires.
    pub access_expires_at: Option<i64>,
}

/// A device session's deadlines, as the account page shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceSession {
    pub signed_in_at: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
    pub access_expires_at: Option<i64>,
}

/// Who is calling, as the resolver middleware found out. Every request
/// carries one in its extensions.
#[derive(Clone, Debug)]
pub enum Caller {
    /// No valid credentials.
    Anonymous,
    /// A signed-in user.
    User(Arc<Identity>),
    /// Credentials were sent but the store could not be asked.
    Unknown,
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

/// A way of remembering who is signed in.
pub trait AuthBackend {
    /// Starts a signed-in session for an authenticated `user`, setting the
    /// credentials on `jar`.
    fn sign_in(
        &self,
        user: &User,
        client: &ClientMeta,
        jar: &Cookies,
    ) -> impl Future<Output = Result<Identity>> + Send;

    /// Who the credentials in `headers` or `jar` belong to, if anybody.
    /// Cookies that do not resolve are removed from the browser.
    fn resolve(
        &self,
        headers: &HeaderMap,
        jar: &Cookies,
    ) -> impl Future<Output = Result<Option<Identity>>> + Send;

    /// Ends the session behind `jar` on the server and clears the cookies.
    fn sign_out(&self, jar: &Cookies) -> impl Future<Output = Result<()>> + Send;
}

/// The configured backend.
#[derive(Clone, Debug)]
pub enum Auth {
    Session(SessionBackend),
    Jwt(JwtBackend),
}

impl Auth {
    /// Which mode this is.
    pub fn mode(&self) -> AuthMode {
        match self {
            Auth::Session(_) => AuthMode::Session,
            Auth::Jwt(_) => AuthMode::Jwt,
        }
    }

    /// Deletes expired server-side records.
    pub async fn purge_expired(&self) -> Result<u64> {
        match self {
            Auth::Session(b) => b.purge_expired().await,
            Auth::Jwt(b) => b.purge_expired().await,
        }
    }

    /// Picks up changes made by other instances (JWT: revocations).
    pub async fn sync(&self) -> Result<()> {
        match self {
            Auth::Session(_) => Ok(()),
            Auth::Jwt(b) => b.sync_revocations().await,
        }
    }

    /// The deadlines of the caller's device session, read from its store.
    pub async fn device_session(&self, identity: &Identity) -> Result<Option<DeviceSession>> {
        match self {
            Auth::Session(_) => Ok(identity
                .idle_expires_at
                .zip(identity.absolute_expires_at)
                .map(|(idle, absolute)| DeviceSession {
                    signed_in_at: identity.signed_in_at,
                    idle_expires_at: idle,
                    absolute_expires_at: absolute,
                    access_expires_at: None,
                })),
            Auth::Jwt(b) => Ok(b
                .family(&identity.session_id)
                .await?
                .map(|f| DeviceSession {
                    signed_in_at: f.created_at,
                    idle_expires_at: f.idle_expires_at,
                    absolute_expires_at: f.absolute_expires_at,
                    access_expires_at: identity.access_expires_at,
                })),
        }
    }

    /// Ends every signed-in session of a user, on every device: session
    /// records deleted, or refresh families revoked. Returns how many.
    pub async fn end_all_sessions(&self, user_id: &str, reason: &str) -> Result<u64> {
        match self {
            Auth::Session(b) => b.store().remove_user(user_id).await,
            Auth::Jwt(b) => b.revoke_user(user_id, reason).await,
        }
    }

    /// What resolving callers has cost the stores so far.
    pub fn counters(&self) -> &counters::AuthCounters {
        match self {
            Auth::Session(b) => &b.counters,
            Auth::Jwt(b) => &b.counters,
        }
    }

    /// Whether the stores behind this backend answer.
    pub async fn ping(&self) -> bool {
        match self {
            Auth::Session(b) => b.store().ping().await,
            Auth::Jwt(_) => true,
        }
    }
}

impl AuthBackend for Auth {
    async fn sign_in(&self, user: &User, client: &ClientMeta, jar: &Cookies) -> Result<Identity> {
        match self {
            Auth::Session(b) => b.sign_in(user, client, jar).await,
            Auth::Jwt(b) => b.sign_in(user, client, jar).await,
        }
    }

    async fn resolve(&self, headers: &HeaderMap, jar: &Cookies) -> Result<Option<Identity>> {
        match self {
            Auth::Session(b) => b.resolve(headers, jar).await,
            Auth::Jwt(b) => b.resolve(headers, jar).await,
        }
    }

    async fn sign_out(&self, jar: &Cookies) -> Result<()> {
        match self {
            Auth::Session(b) => b.sign_out(jar).await,
            Auth::Jwt(b) => b.sign_out(jar).await,
        }
    }
}
