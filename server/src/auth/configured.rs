//! The configured backend: the one place that picks, at runtime, the mode
//! the operator chose, and the capabilities only one mode has
//! ([`Auth::tokens`]).

use super::amr::Amr;
use super::backend::{AuthBackend, Ended, Refusal};
use super::client::ClientMeta;
use super::credentials::{Credential, Issued, RefreshToken};
use super::device::DeviceSession;
use super::identity::Identity;
use super::jwt::JwtBackend;
use super::session::{ConfiguredStore, Footprint, SessionBackend, SessionStore};
use crate::config::AuthMode;
use crate::metrics::Metrics;
use crate::users::User;
use crate::Result;

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
        self.tokens().is_some()
    }

    /// The token capability: signing keys, claims, the refresh grace and
    /// the revocation set, for what exists only where tokens are issued
    /// (published keys, introspection, the inspector's token view); `None`
    /// in session mode. Code outside `auth` asks this, never which variant
    /// is configured.
    pub fn tokens(&self) -> Option<&JwtBackend> {
        match self {
            Auth::Jwt(b) => Some(b),
            Auth::Session(_) => None,
        }
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
    pub fn memory_footprint(&self) -> Option<Footprint> {
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

    async fn start(
        &self,
        user: &User,
        client: &ClientMeta,
        persistent: bool,
        amr: Amr,
    ) -> Result<Issued> {
        each!(self, b => b.start(user, client, persistent, amr).await)
    }

    async fn renew(
        &self,
        refresh: &RefreshToken,
        client: &ClientMeta,
    ) -> Result<Result<Issued, Refusal>> {
        each!(self, b => b.renew(refresh, client).await)
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
