//! The account overview: who you are and this device's sign-in, shown even
//! while a store that holds only the extra details is down.

use views::account::AccountView;

use crate::auth::{AuthBackend, Identity};
use crate::{AppState, Result};

/// The signed-in user's account and this device's session; `None` when the
/// device session or the account turned out to be gone (signed out or
/// disabled since the request was resolved).
///
/// One read at most: session mode has the device session from the request's
/// own lookup; JWT mode reads its row (with the account's creation time)
/// once per access token, the first time a token this instance did not
/// issue asks (`auth::jwt::seen_families`). Only a record stored before the
/// creation time was kept costs a read of `users`.
pub async fn overview(state: &AppState, identity: &Identity) -> Result<Option<AccountView>> {
    let device = state.auth.device(identity).await;
    // `Ok(None)`: no such account (or disabled).
    let member_since = match &device {
        Ok(Some(d)) if d.member_since.is_some() => Ok(d.member_since),
        // Not signed in after all: nothing more to read.
        Ok(None) => Ok(None),
        _ => crate::users::find(&state.db, &identity.user_id)
            .await
            .map(|user| user.map(|u| u.created_at)),
    };
    let mode = state.auth.mode().into();
    let now = state.clock.now();
    match (member_since, device) {
        (Ok(Some(member_since)), Ok(Some(device))) => Ok(Some(AccountView {
            username: device.username,
            mode,
            member_since: Some(member_since),
            signed_in_at: identity.signed_in_at,
            proved_until: state.reauth.open_until(identity.signed_in_at),
            idle_expires_at: Some(device.idle_expires_at),
            absolute_expires_at: Some(device.absolute_expires_at),
            access_expires_at: identity.access_expires_at,
            degraded: false,
            now,
        })),
        (Ok(_), Ok(_)) => Ok(None),
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
            Ok(Some(AccountView {
                username: identity.username.clone(),
                mode,
                member_since: member_since.ok().flatten(),
                signed_in_at: identity.signed_in_at,
                proved_until: state.reauth.open_until(identity.signed_in_at),
                idle_expires_at: device.as_ref().map(|d| d.idle_expires_at),
                absolute_expires_at: device.as_ref().map(|d| d.absolute_expires_at),
                access_expires_at: identity.access_expires_at,
                degraded: true,
                now,
            }))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}
