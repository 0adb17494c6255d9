//! Changes to an account that end its sessions everywhere: a new password,
//! and disabling the account.
//!
//! Order matters when a store fails half-way. Other sessions end before the
//! password changes, so a failure leaves either nothing changed, or everybody
//! signed out with the old password still valid, or the new password set and
//! everybody signed out: never a new password beside old sessions.

use super::audit::{record, About};
use super::authenticate;
use super::devices::{end_everywhere, listed};
use crate::auth::{Amr, AuthBackend, ClientMeta, DeviceSession, Identity, Issued};
use crate::events::{Cause, Channel, EventKind};
use crate::users;
use crate::{AppState, Error, Result};

/// Changes the signed-in user's password after checking the current one,
/// signs out every device (both modes) and gives this device a fresh
/// session, kept as long as the one it replaces. `channel`: where the
/// request came from, for the audit trail of a wrong current password.
pub async fn change_password(
    state: &AppState,
    identity: &Identity,
    current: String,
    new: String,
    client: &ClientMeta,
    channel: Channel,
) -> Result<Issued> {
    if current.is_empty() {
        return Err(Error::field(
            "current_password",
            "Please enter your current password.",
        ));
    }
    if let Err(e) = users::check_new_password(&new) {
        return Err(Error::field("new_password", e.to_string()));
    }
    if new == current {
        return Err(Error::field(
            "new_password",
            "The new password is the same as the current one.",
        ));
    }
    // The same check and throttle as a sign-in: a borrowed, unlocked device
    // must not become a way to guess the password.
    let checked = authenticate(state, &identity.username, current, client, channel);
    let user = match checked.await {
        Ok(user) if user.id == identity.user_id => user,
        Ok(_) | Err(Error::InvalidCredentials) => {
            return Err(Error::field(
                "current_password",
                "Your current password is not correct.",
            ))
        }
        Err(e) => return Err(e),
    };
    let hash = state.hasher.hash(new).await?;
    // Read first, for the audit trail: which devices this change signs out.
    let before: Vec<DeviceSession> = listed(state, &user.id)
        .await?
        .into_iter()
        .map(|d| d.session)
        .collect();
    let persistent = before
        .iter()
        .find(|d| d.id == identity.device_id)
        .is_none_or(|d| d.persistent);
    end_everywhere(state, &user.id, "password changed").await?;
    let now = state.clock.now();
    users::set_password(&state.db, &user.id, &hash, now).await?;
    // The password was just typed: the new sign-in is proved by it.
    let fresh = state
        .auth
        .start(&user, client, persistent, Amr::Pwd)
        .await?;
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

/// Disables an account: it cannot sign in, and every device session it has
/// ends on its next request, in both modes (instances that keep sessions in
/// their own memory learn it from the database: [`end_disabled_since`]).
/// `None` if there is no such user; else how many device sessions ended
/// (an account already disabled is checked again for live sessions).
pub async fn disable_user(state: &AppState, user_id: &str) -> Result<Option<usize>> {
    let Some(user) = users::by_id(&state.db, user_id).await? else {
        return Ok(None);
    };
    // Read first: the stored lists leave disabled accounts out.
    let before: Vec<DeviceSession> = listed(state, user_id)
        .await?
        .into_iter()
        .map(|d| d.session)
        .collect();
    if users::disable(&state.db, user_id, state.clock.now()).await? {
        let me = About::user(user_id, Some(&user.username));
        record(
            state,
            EventKind::AccountDisabled,
            me,
            &ClientMeta::default(),
        )
        .await;
    }
    end_listed(state, user_id, &before).await.map(Some)
}

/// Ends every device session of a disabled account, `before` being the
/// ones listed before it was disabled, each recorded as revoked by the
/// disable; how many there were.
async fn end_listed(state: &AppState, user_id: &str, before: &[DeviceSession]) -> Result<usize> {
    end_everywhere(state, user_id, REASON_DISABLED).await?;
    for device in before {
        record_ended_by_disable(state, user_id, &device.id).await;
    }
    Ok(before.len())
}

/// Ends the device sessions `devices` of a disabled account one by one,
/// each recorded as revoked by the disable.
async fn end_each(state: &AppState, user_id: &str, devices: &[DeviceSession]) -> Result<()> {
    for device in devices {
        let ended = state
            .auth
            .end_device(user_id, &device.id, REASON_DISABLED)
            .await?;
        if ended.is_some() {
            record_ended_by_disable(state, user_id, &device.id).await;
        }
    }
    Ok(())
}

const REASON_DISABLED: &str = "account disabled";

async fn record_ended_by_disable(state: &AppState, user_id: &str, device_id: &str) {
    let about = About::user(user_id, None)
        .device(device_id)
        .cause(Cause::AccountDisabled);
    let client = ClientMeta::default();
    record(state, EventKind::DeviceRevoked, about, &client).await;
}

/// Lets a disabled account sign in again and records it. `None` if there is
/// no such user; else whether it was disabled. Sign-ins that the disable
/// ended stay ended.
pub async fn enable_user(state: &AppState, user_id: &str) -> Result<Option<bool>> {
    let Some(user) = users::by_id(&state.db, user_id).await? else {
        return Ok(None);
    };
    let enabled = users::enable(&state.db, user_id).await?;
    if enabled {
        let me = About::user(user_id, Some(&user.username));
        record(state, EventKind::AccountEnabled, me, &ClientMeta::default()).await;
    }
    Ok(Some(enabled))
}

/// Ends the device sessions of accounts disabled since `since` (by another
/// process: the admin command) that this process keeps in its memory;
/// returns the `since` of the next round.
///
/// An account is read by the time it was last disabled, not by whether it
/// is disabled now: one enabled again before this round still loses every
/// session that began before it was disabled (and keeps those begun after).
pub async fn end_disabled_since(state: &AppState, since: i64) -> Result<i64> {
    let now = state.clock.now();
    for (id, disabled_at) in users::disabled_since(&state.db, since).await? {
        // The memory store lists sessions without asking the database.
        let before: Vec<DeviceSession> = state
            .auth
            .devices(&id)
            .await?
            .into_iter()
            .filter(|d| d.created_at <= disabled_at)
            .collect();
        end_each(state, &id, &before).await?;
    }
    // The same second is read again next round: a disable written later in
    // this second is not missed, and ending nothing twice is harmless.
    Ok(now)
}
