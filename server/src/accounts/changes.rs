//! Changes to an account that end its sessions everywhere: a new password,
//! and disabling the account.
//!
//! Order matters when a store fails half-way. Other sessions end before the
//! password changes, so a failure leaves either nothing changed, or everybody
//! signed out with the old password still valid, or the new password set and
//! everybody signed out: never a new password beside old sessions.

use super::audit::{record, About};
use super::authenticate;
use crate::auth::{AuthBackend, ClientMeta, Identity, Issued};
use crate::events::{Cause, EventKind};
use crate::users;
use crate::{AppState, Error, Result};

/// Changes the signed-in user's password after checking the current one,
/// signs out every device (both modes) and gives this device a fresh
/// session, kept as long as the one it replaces.
pub async fn change_password(
    state: &AppState,
    identity: &Identity,
    current: String,
    new: String,
    client: &ClientMeta,
) -> Result<Issued> {
    if current.is_empty() {
        return Err(Error::Invalid("Please enter your current password.".into()));
    }
    users::check_new_password(&new)?;
    if new == current {
        return Err(Error::Invalid(
            "The new password is the same as the current one.".into(),
        ));
    }
    // The same check and throttle as a sign-in: a borrowed, unlocked device
    // must not become a way to guess the password.
    let user = match authenticate(state, &identity.username, current, client).await {
        Ok(user) if user.id == identity.user_id => user,
        Ok(_) | Err(Error::InvalidCredentials) => {
            return Err(Error::Invalid(
                "Your current password is not correct.".into(),
            ))
        }
        Err(e) => return Err(e),
    };
    let hash = state.hasher.hash(new).await?;
    // Read first, for the audit trail: which devices this change signs out.
    let before = state.auth.devices(&user.id).await?;
    let persistent = before
        .iter()
        .find(|d| d.id == identity.device_id)
        .is_none_or(|d| d.persistent);
    state.auth.end_user(&user.id, "password changed").await?;
    let now = state.clock.now();
    users::set_password(&state.db, &user.id, &hash, now).await?;
    let fresh = state.auth.start(&user, client, persistent).await?;
    let me = About::user(&user.id, Some(&user.username));
    let new_device = fresh.identity().device_id.as_str();
    record(
        state,
        EventKind::PasswordChanged,
        me.device(new_device),
        client,
    )
    .await;
    for other in before.iter().filter(|d| d.id != identity.device_id) {
        let about = me.device(&other.id).cause(Cause::PasswordChange);
        record(state, EventKind::DeviceRevoked, about, client).await;
    }
    Ok(fresh)
}

/// Disables an account: it cannot sign in, and every session it has ends on
/// its next request, in both modes. `false` if there was no such active user.
pub async fn disable_user(state: &AppState, user_id: &str) -> Result<bool> {
    let done = users::disable(&state.db, user_id, state.clock.now()).await?;
    state.auth.end_user(user_id, "account disabled").await?;
    if done {
        let about = About::user(user_id, None);
        record(
            state,
            EventKind::AccountDisabled,
            about,
            &ClientMeta::default(),
        )
        .await;
    }
    Ok(done)
}
