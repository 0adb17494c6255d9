//! The backend interface, and the configured backend.
//!
//! [`AuthBackend`] knows no HTTP: credentials in, an [`Identity`] or issued
//! credentials out (the shape of axum-login's `AuthnBackend`). Cookies and
//! headers are the adapters' business, throttling and the audit trail the
//! accounts service's. [`Auth`] is the one place that picks the configured
//! backend at runtime.

use std::future::Future;

use super::session::{ConfiguredStore, SessionStore};
use super::{ClientMeta, Credential, DeviceSession, Identity, Issued, RefreshToken};
use super::{JwtBackend, SessionBackend};
use crate::config::AuthMode;
use crate::metrics::Metrics;
use crate::users::User;
use crate::Result;

/// A way of remembering who is signed in.
pub trait AuthBackend {
    /// Who a credential that proves a request (a session ID, an access
    /// token) belongs to; `None` for any other credential or an invalid one.
    fn authenticate(
        &self,
        credential: &Credential,
    ) -> impl Future<Output = Result<Option<Identity>>> + Send;

    /// Starts a device session for an authenticated `user`; `persistent`:
    /// it should outlive the browser ("keep me signed in").
    fn start(
        &self,
        user: &User,
        client: &ClientMeta,
        persistent: bool,
    ) -> impl Future<Output = Result<Issued>> + Send;

    /// Trades a refresh token for new credentials.
    fn renew(
        &self,
        refresh: &RefreshToken,
    ) -> impl Future<Output = Result<Result<Issued, Refusal>>> + Send;

    /// Ends the device session `credential` belongs to, if it names a live
    /// one.
    fn end(
        &self,
        credential: &Credential,
        reason: &str,
    ) -> impl Future<Output = Result<Option<Ended>>> + Send;

    /// Ends every device session of a user; returns how many were live.
    fn end_user(&self, user_id: &str, reason: &str) -> impl Future<Output = Result<u64>> + Send;

    /// The live device sessions of a user, in no particular order.
    fn devices(&self, user_id: &str) -> impl Future<Output = Result<Vec<DeviceSession>>> + Send;

    /// Ends the device session `device_id` if it is a live one of `user_id`
    /// (never another user's); its credentials are refused from their next
    /// request on.
    fn end_device(
        &self,
        user_id: &str,
        device_id: &str,
        reason: &str,
    ) -> impl Future<Output = Result<Option<Ended>>> + Send;

    /// The caller's device session as stored, if it is still live.
    fn device(
        &self,
        identity: &Identity,
    ) -> impl Future<Output = Result<Option<DeviceSession>>> + Send;
}

/// Why a refresh token was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a token we issued (or this backend renews nothing).
    Unknown,
    /// Past its idle or absolute lifetime.
    Expired,
    /// Its device session was revoked (sign-out, reuse, account change).
    Revoked,
    /// Used again after the grace window: that device session is now
    /// revoked.
    Reused { device_id: String, user_id: String },
}

/// A device session that was just ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    pub device_id: String,
    pub user_id: String,
}

/// The configured backend.
#[derive(Clone, Debug)]
pub enum Auth {
    Session(SessionBackend),
    Jwt(JwtBackend),
}

macro_rules! each {
    ($self:ident, $b:ident => $e:expr) => {
        match $self {
            Auth::Session($b) => $e,
            Auth::Jwt($b) => $e,
        }
    };
}

impl Auth {
    /// Which mode this is.
    pub fn mode(&self) -> AuthMode {
        match self {
            Auth::Session(_) => AuthMode::Session,
            Auth::Jwt(_) => AuthMode::Jwt,
        }
    }

    /// Whether this backend issues bearer tokens (the token endpoint's
    /// grants), rather than only browser sessions.
    pub fn issues_tokens(&self) -> bool {
        matches!(self, Auth::Jwt(_))
    }

    /// Where the device sessions live, as the metrics label them.
    pub fn store_name(&self) -> &'static str {
        match self {
            Auth::Session(b) => b.store().name(),
            // Refresh families always live in the SQL database.
            Auth::Jwt(_) => "database",
        }
    }

    /// Whether device sessions live only in this process's memory, out of
    /// reach of other processes (session mode, memory store).
    pub fn keeps_sessions_in_process(&self) -> bool {
        matches!(self, Auth::Session(b) if matches!(b.store(), ConfiguredStore::Memory(_)))
    }

    /// Session mode with the memory store: what it holds.
    pub fn memory_footprint(&self) -> Option<super::session::Footprint> {
        match self {
            Auth::Session(b) => match b.store() {
                ConfiguredStore::Memory(m) => Some(m.footprint()),
                _ => None,
            },
            Auth::Jwt(_) => None,
        }
    }

    /// Deletes expired server-side records.
    pub async fn purge_expired(&self) -> Result<u64> {
        each!(self, b => b.purge_expired().await)
    }

    /// Picks up changes made by other instances (JWT: revocations).
    pub async fn sync(&self) -> Result<()> {
        match self {
            Auth::Session(_) => Ok(()),
            Auth::Jwt(b) => b.sync_revocations().await,
        }
    }

    /// Follows changes made by other instances as they happen (JWT with
    /// Redis: revocations); returns at once when there is nothing to follow.
    pub async fn listen(&self) {
        if let Auth::Jwt(b) = self {
            b.listen_revocations().await
        }
    }

    /// Whether the changes of other instances are followed as they come
    /// (JWT with Redis: subscribed to revocations), so that a revocation
    /// published here is confirmed by the others; `true` where nothing needs
    /// following.
    pub fn listening(&self) -> bool {
        match self {
            Auth::Session(_) => true,
            Auth::Jwt(b) => b.listening(),
        }
    }

    /// Where this backend records what it does.
    pub fn metrics(&self) -> &Metrics {
        each!(self, b => &b.metrics)
    }

    /// How many revoked device sessions this instance holds in its
    /// revocation set (JWT); `None` in session mode, which needs none.
    pub fn revocation_set_size(&self) -> Option<usize> {
        match self {
            Auth::Session(_) => None,
            Auth::Jwt(b) => Some(b.revocation_set_size()),
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
    async fn authenticate(&self, credential: &Credential) -> Result<Option<Identity>> {
        each!(self, b => b.authenticate(credential).await)
    }

    async fn start(&self, user: &User, client: &ClientMeta, persistent: bool) -> Result<Issued> {
        each!(self, b => b.start(user, client, persistent).await)
    }

    async fn renew(&self, refresh: &RefreshToken) -> Result<Result<Issued, Refusal>> {
        each!(self, b => b.renew(refresh).await)
    }

    async fn end(&self, credential: &Credential, reason: &str) -> Result<Option<Ended>> {
        each!(self, b => b.end(credential, reason).await)
    }

    async fn end_user(&self, user_id: &str, reason: &str) -> Result<u64> {
        each!(self, b => b.end_user(user_id, reason).await)
    }

    async fn devices(&self, user_id: &str) -> Result<Vec<DeviceSession>> {
        each!(self, b => b.devices(user_id).await)
    }

    async fn end_device(
        &self,
        user_id: &str,
        device_id: &str,
        reason: &str,
    ) -> Result<Option<Ended>> {
        each!(self, b => b.end_device(user_id, device_id, reason).await)
    }

    async fn device(&self, identity: &Identity) -> Result<Option<DeviceSession>> {
        each!(self, b => b.device(identity).await)
    }
}
