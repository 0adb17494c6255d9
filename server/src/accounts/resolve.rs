//! Who presented a request's credentials: the resolver middleware's use
//! case, run once per request before anything renders.

use super::audit::{record, About};
use super::renewal::renew;
use crate::auth::{migration, AuthBackend, ClientMeta, Credential, Identity, Issued};
use crate::config::AuthMode;
use crate::events::EventKind;
use crate::{AppState, Result};

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
