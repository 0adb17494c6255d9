//! The confirmation step of a sensitive action ("sudo mode"): a page asks a
//! signed-in user whose last proof is older than the re-authentication
//! window ([`crate::auth::ReauthWindow`]) to type their password again, and
//! the action goes ahead once it is right.
//!
//! The password is checked as a sign-in checks it, throttle and audit
//! trail included: an unlocked device left behind must not become a way to
//! guess it. Bearer clients get no such step: their token's `auth_time` is
//! the proof, and they sign in again for a fresh one (RFC 9470).

pub use views::account::CONFIRM_FIELD;

use super::audit::{record, About};
use super::authenticate;
use crate::auth::{ClientMeta, Identity};
use crate::error::describe_wait;
use crate::events::{Channel, EventKind};
use crate::{AppState, Error, Result};

/// Confirms that the signed-in `identity` is still its user by `password`;
/// a missing or wrong one is an error on [`CONFIRM_FIELD`], a throttled
/// account waits as at sign-in.
pub async fn confirm(
    state: &AppState,
    identity: &Identity,
    password: Option<String>,
    client: &ClientMeta,
) -> Result<()> {
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        let window = describe_wait(state.reauth.secs());
        return Err(Error::field(
            CONFIRM_FIELD,
            format!(
                "You signed in more than {window} ago: enter your password to confirm it is you."
            ),
        ));
    };
    let checked = authenticate(
        state,
        &identity.username,
        password,
        client,
        Channel::Browser,
    );
    match checked.await {
        Ok(user) if user.id == identity.user_id => {
            let about = About::user(&user.id, Some(&user.username)).device(&identity.device_id);
            record(state, EventKind::Reauthenticated, about, client).await;
            Ok(())
        }
        // Another account's password (a renamed and re-created name) is as
        // wrong as a mistyped one.
        Ok(_) | Err(Error::InvalidCredentials) => {
            Err(Error::field(CONFIRM_FIELD, "That password is not correct."))
        }
        Err(e) => Err(e),
    }
}
