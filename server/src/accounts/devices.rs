//! The account's signed-in devices: list them, end one, end all the others,
//! end all. Every ending is recorded, with who caused it.
//!
//! Ending a device works the same in both modes from here: the backend
//! deletes the session record (session mode) or revokes the refresh family
//! and publishes its id to the revocation set (JWT mode), so the device's
//! next request is refused.

use views::account::{DeviceView, DevicesView};

use super::audit::{record, About};
use crate::auth::jwt::revocation::SYNC_EVERY;
use crate::auth::{AuthBackend, ClientMeta, DeviceSession, Identity};
use crate::describe::{approximate_address, software};
use crate::events::{Cause, EventKind};
use crate::{AppState, Error, Result};

/// One signed-in device of the account, as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    pub session: DeviceSession,
    /// The device this request came from.
    pub current: bool,
    /// Signed in under the other mode before a switch of
    /// `LATCHKEY_AUTH_MODE`, and not back since ([`crate::auth::migration`]).
    pub other_mode: bool,
}

/// Every live device session of `user_id`: this mode's, then the other
/// mode's that wait to be carried over from a store this mode does not
/// read. Those made by the other mode are marked, wherever they are kept.
pub(super) async fn listed(state: &AppState, user_id: &str) -> Result<Vec<Device>> {
    let ours = state.auth.devices(user_id).await?;
    let (theirs, waiting) = match &state.former {
        Some(former) => (
            former.devices(user_id, state.clock.now()).await?,
            former.waiting_here(user_id).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let device = |session: DeviceSession, other_mode| Device {
        session,
        current: false,
        other_mode,
    };
    Ok(ours
        .into_iter()
        .map(|s| {
            let waits = waiting.contains(&s.id);
            device(s, waits)
        })
        .chain(theirs.into_iter().map(|s| device(s, true)))
        .collect())
}

/// Ends every device session of `user_id`, in this mode's records and the
/// other mode's; how many were live.
pub(super) async fn end_everywhere(state: &AppState, user_id: &str, reason: &str) -> Result<u64> {
    let ours = state.auth.end_user(user_id, reason).await?;
    let theirs = match &state.former {
        Some(former) => {
            let now = state.clock.now();
            former.end_user(user_id, now, reason).await?.len() as u64
        }
        None => 0,
    };
    Ok(ours + theirs)
}

/// Ends the device session `device_id` of `user_id`, in whichever mode's
/// records it is; whether it was live.
async fn end_one(state: &AppState, user_id: &str, device_id: &str, reason: &str) -> Result<bool> {
    if state
        .auth
        .end_device(user_id, device_id, reason)
        .await?
        .is_some()
    {
        return Ok(true);
    }
    match &state.former {
        Some(former) => {
            let now = state.clock.now();
            former.end_device(user_id, device_id, now, reason).await
        }
        None => Ok(false),
    }
}

/// The caller's signed-in devices: this one first, then the most recently
/// active.
pub async fn devices(state: &AppState, identity: &Identity) -> Result<Vec<Device>> {
    let mut list = listed(state, &identity.user_id).await?;
    for device in &mut list {
        device.current = device.session.id == identity.device_id;
    }
    list.sort_by(|a, b| {
        (b.current, b.session.last_seen_at, &b.session.id).cmp(&(
            a.current,
            a.session.last_seen_at,
            &a.session.id,
        ))
    });
    Ok(list)
}

/// The devices page: the caller's devices as [`devices`] lists them, the
/// mode, and how long another instance may still accept a signed-out
/// device's access token.
pub async fn device_list(state: &AppState, identity: &Identity) -> Result<DevicesView> {
    Ok(DevicesView {
        mode: state.auth.mode().into(),
        devices: device_views(state, identity).await?,
        revocation_sync_secs: SYNC_EVERY.as_secs(),
        confirm_needed: !state.reauth.proof().allows(identity.signed_in_at),
        reauth_window_secs: state.reauth.secs(),
    })
}

/// The caller's devices as their owner sees them ([`devices`]' order), each
/// with the terms its tokens were issued under (a DPoP key, a service).
pub async fn device_views(state: &AppState, identity: &Identity) -> Result<Vec<DeviceView>> {
    let devices = devices(state, identity).await?;
    let terms = crate::auth::jwt::families::terms_of_user(&state.db, &identity.user_id).await?;
    Ok(devices
        .into_iter()
        .map(|device| {
            let mut view = DeviceView::from(device);
            if let Some((bound, audience)) = terms.get(&view.id) {
                view.bound = *bound;
                view.audience = audience.clone();
            }
            view
        })
        .collect())
}

/// A device as its owner sees it: the client named, the address blurred.
impl From<Device> for DeviceView {
    fn from(d: Device) -> Self {
        let s = d.session;
        let sw = software(s.user_agent.as_deref());
        DeviceView {
            id: s.id,
            current: d.current,
            browser: sw.browser,
            os: sw.os,
            address: approximate_address(s.ip.as_deref()),
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            idle_expires_at: s.idle_expires_at,
            absolute_expires_at: s.absolute_expires_at,
            persistent: s.persistent,
            other_mode: d.other_mode,
            bound: false,
            audience: None,
        }
    }
}

/// Signs out one of the caller's other devices. Another account's device,
/// or one that already ended, is [`Error::NotFound`] (the same answer, so
/// ids of other accounts' devices cannot be probed); this device is refused:
/// signing out is the way to end it.
pub async fn end_device(
    state: &AppState,
    identity: &Identity,
    device_id: &str,
    client: &ClientMeta,
) -> Result<()> {
    if device_id == identity.device_id {
        return Err(Error::Invalid(
            "That is the device you are using now: sign out to end it.".into(),
        ));
    }
    if !end_recorded(state, identity, device_id, client).await? {
        return Err(Error::NotFound(
            "There is no signed-in device with that id on your account.".into(),
        ));
    }
    Ok(())
}

/// Revokes the caller's own device while its browser keeps the
/// credentials, as a sign-out from another device would: the inspector's
/// live revocation, which then shows those credentials refused. Whether
/// the device was live.
pub async fn revoke_this_device(
    state: &AppState,
    identity: &Identity,
    client: &ClientMeta,
) -> Result<bool> {
    end_recorded(state, identity, &identity.device_id, client).await
}

/// Signs out every device of the caller but this one; returns how many.
pub async fn end_other_devices(
    state: &AppState,
    identity: &Identity,
    client: &ClientMeta,
) -> Result<u64> {
    let mut ended = 0;
    for device in listed(state, &identity.user_id).await? {
        let id = &device.session.id;
        if *id != identity.device_id && end_recorded(state, identity, id, client).await? {
            ended += 1;
        }
    }
    Ok(ended)
}

/// Ends the caller's device `device_id` at its owner's request and records
/// it; whether it was a live device of theirs.
async fn end_recorded(
    state: &AppState,
    identity: &Identity,
    device_id: &str,
    client: &ClientMeta,
) -> Result<bool> {
    let reason = "signed out by its owner";
    let ended = end_one(state, &identity.user_id, device_id, reason).await?;
    if ended {
        let about = About::user(&identity.user_id, Some(&identity.username))
            .device(device_id)
            .cause(Cause::Owner);
        record(state, EventKind::DeviceRevoked, about, client).await;
    }
    Ok(ended)
}

/// Signs out every device of the caller, this one too; returns how many
/// were live. The adapter clears this device's credentials.
pub async fn end_all_devices(
    state: &AppState,
    identity: &Identity,
    client: &ClientMeta,
) -> Result<u64> {
    let before = listed(state, &identity.user_id).await?;
    let ended = end_everywhere(state, &identity.user_id, "signed out everywhere").await?;
    let me = About::user(&identity.user_id, Some(&identity.username));
    for device in &before {
        let about = me.device(&device.session.id).cause(Cause::Everywhere);
        record(state, EventKind::DeviceRevoked, about, client).await;
    }
    Ok(ended)
}
