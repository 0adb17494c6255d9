//! The backend interface.
//!
//! [`AuthBackend`] knows no HTTP: credentials in, an [`Identity`] or issued
//! credentials out (the shape of axum-login's `AuthnBackend`). Cookies and
//! headers are the adapters' business, throttling and the audit trail the
//! accounts service's. Both modes implement it; `super::configured::Auth`
//! picks the configured one at runtime.

use std::future::Future;

use super::amr::Amr;
use super::client::ClientMeta;
use super::credentials::{Credential, Issued, RefreshToken};
use super::device::DeviceSession;
use super::identity::Identity;
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
    /// it should outlive the browser ("keep me signed in"); `amr`: how the
    /// user proved who they are (all a backend learns of it).
    fn start(
        &self,
        user: &User,
        client: &ClientMeta,
        persistent: bool,
        amr: Amr,
    ) -> impl Future<Output = Result<Issued>> + Send;

    /// Trades a refresh token for new credentials, for `client` (a token
    /// bound to a key is renewed only for a client that proved it).
    fn renew(
        &self,
        refresh: &RefreshToken,
        client: &ClientMeta,
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
    /// Bound to a key (DPoP) the request did not prove; still usable by
    /// the client that holds the key.
    WrongKey,
    /// Its tokens are for another resource server than the one asked for
    /// (RFC 8707); still usable for its own.
    OtherResource,
}

/// A device session that was just ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ended {
    pub device_id: String,
    pub user_id: String,
}
