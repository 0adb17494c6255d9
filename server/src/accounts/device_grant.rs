//! The device authorization grant (RFC 8628) as the account sees it: an
//! app asks for a request, the signed-in person looks it up at `/device`
//! by its user code and approves or denies it, and the app's next poll
//! signs it in as a device of its own, with tokens bound to its DPoP key
//! when it proved one. The approval and the app's sign-in are both in the
//! activity list; the app is in the device list like any other.

use views::device::{DeviceAnswer, DeviceRequestView, USER_CODE_FIELD};

use super::audit::{record, About};
use super::grants::require_tokens;
use super::sign_in::start;
use crate::auth::throttle::Key;
use crate::auth::{ClientMeta, Identity, Issued, TokenPair};
use crate::describe::{approximate_address, software};
use crate::events::{Channel, EventKind};
use crate::methods::device_code::{Begun, Decision, DeviceRequest, Poll, UserCode};
use crate::users;
use crate::{AppState, Error, Result};

/// What an app uses in session mode instead of the device grant.
const USE_BROWSER: &str = "the device grant issues tokens, which this server does not; sign \
                           in with a browser";

/// The longest `client_id` taken.
const CLIENT_ID_MAX: usize = 64;

/// A new request by the app `client_id`, from `client` (its address, user
/// agent, DPoP key and the resource it asked for).
pub async fn request_device_code(
    state: &AppState,
    client_id: &str,
    client: &ClientMeta,
) -> Result<Begun> {
    require_tokens(state, USE_BROWSER)?;
    let well_formed = !client_id.is_empty()
        && client_id.len() <= CLIENT_ID_MAX
        && client_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !well_formed {
        return Err(Error::Invalid(format!(
            "client_id must be the app's name: 1 to {CLIENT_ID_MAX} letters, digits, dots, \
             dashes or underscores."
        )));
    }
    let request = DeviceRequest {
        client_id: client_id.to_string(),
        resource: client.resource.clone(),
        key: client.key.as_ref().map(|k| k.as_str().to_string()),
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        created_at: 0,
        expires_at: 0,
    };
    state.device_codes.begin(request).await
}

/// The request a signed-in person typed the code of, to show before they
/// answer. Wrong codes count against the account like wrong passwords.
pub async fn device_request(
    state: &AppState,
    identity: &Identity,
    typed: &str,
) -> Result<DeviceRequestView> {
    let (code, request) = pending(state, identity, typed).await?;
    let program = software(request.user_agent.as_deref());
    Ok(DeviceRequestView {
        user_code: code.to_string(),
        client_id: request.client_id,
        software: format!("{} on {}", program.browser, program.os),
        address: approximate_address(request.ip.as_deref()),
        resource: request.resource,
        bound: request.key.is_some(),
        asked_at: request.created_at,
        expires_at: request.expires_at,
    })
}

/// The signed-in person's answer to the request `typed` names.
pub async fn decide_device(
    state: &AppState,
    identity: &Identity,
    typed: &str,
    approve: bool,
    client: &ClientMeta,
) -> Result<DeviceAnswer> {
    let (code, request) = pending(state, identity, typed).await?;
    let (decision, kind, answer) = match approve {
        true => (
            Decision::Approve {
                user_id: identity.user_id.clone(),
                amr: identity.amr,
            },
            EventKind::DeviceApproved,
            DeviceAnswer::Approved,
        ),
        false => (
            Decision::Deny,
            EventKind::DeviceDenied,
            DeviceAnswer::Denied,
        ),
    };
    if !state.device_codes.decide(&code, decision).await? {
        return Err(Error::field(USER_CODE_FIELD, GONE));
    }
    let about = About::user(&identity.user_id, Some(&identity.username))
        .device(&identity.device_id)
        .detail(&request.client_id);
    record(state, kind, about, client).await;
    Ok(answer)
}

/// What a poll of the token endpoint gets.
#[derive(Debug)]
pub enum DeviceTokens {
    Issued(TokenPair),
    /// Not yet issued: [`Poll`] says why (never `Approved`).
    Waiting(Poll),
}

/// A poll with `device_code` from `client`: the tokens once the person
/// approved, to this poll only.
pub async fn device_token(
    state: &AppState,
    device_code: &str,
    client: &ClientMeta,
) -> Result<DeviceTokens> {
    require_tokens(state, USE_BROWSER)?;
    let key = client.key.as_ref().map(|k| k.as_str());
    let poll = state
        .device_codes
        .poll(device_code, key, client.resource.as_deref())
        .await?;
    let Poll::Approved {
        request,
        user_id,
        amr,
    } = poll
    else {
        return Ok(DeviceTokens::Waiting(poll));
    };
    // Disabled since it approved: nobody is signed in.
    let Some(user) = users::find(&state.db, &user_id).await? else {
        return Ok(DeviceTokens::Waiting(Poll::Denied));
    };
    // The app's device is named by the program that polls, or else by
    // the one that asked (the same app, as its key or code shows).
    let client = ClientMeta {
        resource: request.resource,
        user_agent: client.user_agent.clone().or(request.user_agent),
        ..client.clone()
    };
    // The app stays signed in as long as it likes: there is no browser to
    // close. Its sign-in was proved in the browser, the way `amr` says.
    match start(
        state,
        &user,
        &client,
        &[],
        (true, Channel::DeviceGrant, amr),
    )
    .await?
    {
        Issued::Tokens(pair) => Ok(DeviceTokens::Issued(pair)),
        Issued::Session { .. } => Err(Error::Internal("a token backend issued a session".into())),
    }
}

/// The undecided request `typed` names, throttled per account.
async fn pending(
    state: &AppState,
    identity: &Identity,
    typed: &str,
) -> Result<(UserCode, DeviceRequest)> {
    require_tokens(state, USE_BROWSER)?;
    let keys = [Key::user_code_entry(&identity.user_id)];
    let now = state.clock.now();
    if let Some(wait) = state.throttle.locked_for(&keys, now).await? {
        return Err(Error::Throttled(wait));
    }
    let found = match UserCode::parse(typed) {
        Some(code) => state
            .device_codes
            .pending(&code)
            .await?
            .map(|request| (code, request)),
        None => None,
    };
    match found {
        Some(found) => Ok(found),
        None => {
            state.throttle.fail(&keys, now).await?;
            Err(Error::field(USER_CODE_FIELD, GONE))
        }
    }
}

/// The answer for a code that names no request waiting for one.
const GONE: &str = "No sign-in request is waiting with this code. Check it against the app's \
                    screen; a code lasts ten minutes and is answered once.";
