//! Refused credentials and revocation: why a request's credentials did not
//! sign anybody in, how fast other instances learn of a sign-out, and the
//! live revocation's re-check.

use views::inspect::{RefusalView, RevokedView};

use super::cookies::SeenCookies;
use super::opened::refused_because;
use crate::auth::jwt::revocation::{CONFIRM_WAIT, SYNC_EVERY};
use crate::auth::{Auth, AuthBackend, Caller, Credential, JwtBackend};
use crate::{AppState, Result};

/// Why credentials sent with this request did not sign anybody in.
pub(super) fn refusal(
    caller: &Caller,
    jwt: Option<&JwtBackend>,
    sent: &SeenCookies,
    access: Option<&str>,
) -> Option<RefusalView> {
    match caller {
        Caller::User(_) => return None,
        Caller::StoreUnavailable => {
            return Some(RefusalView {
                reason: "The store that could check them did not answer.".into(),
                revoked_sid: None,
                revoked_at: None,
            })
        }
        Caller::Anonymous if sent.cookies.is_empty() && access.is_none() => return None,
        Caller::Anonymous => {}
    }
    let Some(jwt) = jwt else {
        return Some(RefusalView {
            reason: "No session record has this ID's hash: it was signed out, revoked or expired."
                .into(),
            revoked_sid: None,
            revoked_at: None,
        });
    };
    // Only a verified token's `sid` is looked up: a forged one names nothing.
    let sid = access.and_then(|t| jwt.signed_sid(t));
    let revoked_at = sid.as_deref().and_then(|s| jwt.revocations().revoked_at(s));
    let reason = match access.map(|t| (t, jwt.valid_claims(t))) {
        Some((t, Err(e))) => refused_because(jwt, e, t),
        _ => "The refresh token was refused: used, revoked or expired.".into(),
    };
    Some(RefusalView {
        reason,
        revoked_sid: revoked_at.and(sid),
        revoked_at,
    })
}

/// How fast other instances learn of a sign-out, for this configuration.
pub(super) fn revocation_bound(auth: &Auth) -> String {
    match auth.tokens() {
        None if auth.keeps_sessions_in_process() => {
            "Sessions live in this process: a sign-out deletes the record here at once, and other \
             instances never had it."
                .into()
        }
        None => {
            "A sign-out deletes the shared record: every instance refuses the ID on its very next \
             lookup."
                .into()
        }
        Some(b) if b.revocations().through_redis() => format!(
            "Published through Redis: other instances add it to their set before the sign-out \
             answers (it waits up to {} ms for their confirmations).",
            CONFIRM_WAIT.as_millis()
        ),
        Some(_) => format!(
            "Other instances read new revocations from the database every {} s: there the token \
             passes for up to that long.",
            SYNC_EVERY.as_secs()
        ),
    }
}

/// The credentials the browser holds (`held`), checked again after their
/// device session was revoked; `None` when it holds none that proves a
/// request.
pub async fn recheck(state: &AppState, held: &[Credential]) -> Result<Option<RevokedView>> {
    let first = held
        .iter()
        .find(|c| matches!(c, Credential::Session(_) | Credential::Access(_)));
    let Some(credential) = first else {
        return Ok(None);
    };
    let refused = state.auth.authenticate(credential).await?.is_none();
    let detail = match (state.auth.tokens(), credential) {
        (Some(b), Credential::Access(t)) => match b.valid_claims(t.expose()) {
            Ok(_) => "The same access token, checked again: still accepted.".into(),
            Err(e) => format!(
                "The same access token, checked again: {} {}",
                refused_because(b, e, t.expose()),
                revocation_bound(&state.auth)
            ),
        },
        _ if refused => format!(
            "The same session ID, checked again: no record has its hash any more. {}",
            revocation_bound(&state.auth)
        ),
        _ => "The same session ID, checked again: still accepted.".into(),
    };
    Ok(Some(RevokedView { refused, detail }))
}
