//! `/account`'s data: who you are and this device's sign-in.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::context;
use super::Mode;
use crate::error::AppError;

/// The account page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub username: String,
    pub mode: Mode,
    /// `None` while the database does not answer.
    pub member_since: Option<i64>,
    pub signed_in_at: i64,
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

/// The signed-in user's account and this device's session; `401` if anonymous.
///
/// One read at most: session mode has the device session from the request's
/// own lookup; JWT mode reads its row (with the account's creation time)
/// once per access token, the first time a token this instance did not
/// issue asks (`server::auth::jwt::seen_families`). Only a record stored
/// before the creation time was kept costs a read of `users`.
#[server(prefix = "/api", endpoint = "account")]
pub async fn account() -> Result<AccountView, AppError> {
    use server::auth::AuthBackend;
    context::respond(async move {
        let cx = context::Request::get().await?;
        let identity = cx.require_user()?;
        let device = cx.state.auth.device(&identity).await;
        // `Ok(None)`: no such account (or disabled).
        let member_since = match &device {
            Ok(Some(d)) if d.member_since.is_some() => Ok(d.member_since),
            // Not signed in after all: nothing more to read.
            Ok(None) => Ok(None),
            _ => server::users::find(&cx.state.db, &identity.user_id)
                .await
                .map(|user| user.map(|u| u.created_at)),
        };
        let mode = cx.state.auth.mode().into();
        let now = cx.state.clock.now();
        match (member_since, device) {
            (Ok(member_since), Ok(device)) => {
                let member_since = member_since.ok_or_else(AppError::unauthorized)?;
                let device = device.ok_or_else(AppError::unauthorized)?;
                Ok(AccountView {
                    username: device.username,
                    mode,
                    member_since: Some(member_since),
                    signed_in_at: device.created_at,
                    idle_expires_at: Some(device.idle_expires_at),
                    absolute_expires_at: Some(device.absolute_expires_at),
                    access_expires_at: identity.access_expires_at,
                    degraded: false,
                    now,
                })
            }
            // The caller is proven (a session found, or a valid signature);
            // a store that holds only the extra details is down: show what
            // the credentials carry rather than fail the page.
            (member_since, device)
                if [member_since.as_ref().err(), device.as_ref().err()]
                    .into_iter()
                    .flatten()
                    .all(|e| e.status() == http::StatusCode::SERVICE_UNAVAILABLE) =>
            {
                tracing::warn!("account page without its stores");
                let device = device.ok().flatten().or_else(|| identity.device.clone());
                Ok(AccountView {
                    username: identity.username.clone(),
                    mode,
                    member_since: member_since.ok().flatten(),
                    signed_in_at: identity.signed_in_at,
                    idle_expires_at: device.as_ref().map(|d| d.idle_expires_at),
                    absolute_expires_at: device.as_ref().map(|d| d.absolute_expires_at),
                    access_expires_at: identity.access_expires_at,
                    degraded: true,
                    now,
                })
            }
            (Err(e), _) | (_, Err(e)) => Err(e.into()),
        }
    })
    .await
}
