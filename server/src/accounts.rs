//! The accounts service: every use case of signing in and out, over the
//! application state, for every transport.
//!
//! Server functions, the token endpoints and the resolver middleware all call
//! these functions, so throttling, the audit trail and the metrics happen in
//! one place whether a request came from a browser form, a hydrated page or
//! an API client. Functions take typed credentials and return what was
//! [`Issued`]; turning those into cookies or JSON is the adapters' job
//! ([`crate::http`]). None of this knows which mode is configured.

mod activity;
mod audit;
mod changes;
mod devices;
mod renewal;
mod sign_in;

pub use activity::{activity, ActivityPage, PAGE_SIZE};
pub use changes::{change_password, disable_user, enable_user, end_disabled_since};
pub use devices::{
    devices, end_all_devices, end_device, end_other_devices, revoke_this_device, Device,
};
pub use renewal::{renew, revoke_token, sign_out, token_refresh};
pub use sign_in::{authenticate, sign_in, sign_up, token_sign_in};

use crate::auth::{migration, AuthBackend, ClientMeta, Credential, Identity, Issued};
use crate::config::AuthMode;
use crate::events::EventKind;
use crate::{AppState, Error, Result};
use audit::{record, About};

/// What a session-mode client uses instead of the token endpoint's grants.
const USE_SESSIONS: &str = "sign in at /api/sign_in and keep the session cookie";

/// The token endpoints serve only a backend that issues bearer tokens;
/// elsewhere they are refused before any check, `instead` saying what to use.
fn require_tokens(state: &AppState, instead: &str) -> Result<()> {
    if state.auth.issues_tokens() {
        Ok(())
    } else {
        Err(Error::Unsupported(format!(
            "This server runs in session mode: {instead}."
        )))
    }
}

/// Who a request's credentials belong to, as [`resolve`] found out.
#[derive(Debug, Default)]
pub struct Resolution {
    pub identity: Option<Identity>,
    /// Credentials issued while resolving (JWT: the refresh token was
    /// rotated because the access token had expired): the adapter hands them
    /// to the client with this very response.
    pub issued: Option<Issued>,
    /// The presented credentials are of no use any more: the client should
    /// drop them.
    pub forget: bool,
}

/// Finds who presented `credentials`: a credential that proves a request
/// (session ID, access token) is checked first; failing that, a refresh
/// token is traded for new credentials, at most once per request; failing
/// that, a sign-in of the other mode is carried over
/// ([`crate::auth::migration`]).
pub async fn resolve(
    state: &AppState,
    credentials: &[Credential],
    client: &ClientMeta,
) -> Result<Resolution> {
    let mut refresh = None;
    for credential in credentials {
        match credential {
            Credential::Refresh(token) => refresh = Some(token),
            proof => {
                if let Some(identity) = state.auth.authenticate(proof).await? {
                    return Ok(Resolution {
                        identity: Some(identity),
                        ..Resolution::default()
                    });
                }
            }
        }
    }
    if let Some(token) = refresh {
        if let Ok(issued) = renew(state, token, client).await? {
            return Ok(Resolution {
                identity: Some(issued.identity().clone()),
                issued: Some(issued),
                forget: false,
            });
        }
    }
    if let Some(former) = &state.former {
        let now = state.clock.now();
        if let Some(issued) = migration::adopt(&state.auth, former, credentials, now).await? {
            let identity = issued.identity();
            let from = match state.auth.mode() {
                AuthMode::Session => AuthMode::Jwt,
                AuthMode::Jwt => AuthMode::Session,
            };
            let about = About::user(&identity.user_id, Some(&identity.username))
                .device(&identity.device_id)
                .carried_from(from.as_str());
            record(state, EventKind::DeviceMigrated, about, client).await;
            return Ok(Resolution {
                identity: Some(issued.identity().clone()),
                issued: Some(issued),
                forget: false,
            });
        }
    }
    Ok(Resolution {
        forget: !credentials.is_empty(),
        ..Resolution::default()
    })
}
