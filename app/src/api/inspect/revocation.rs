//! Refused credentials and revocation: why a request's credentials did not
//! sign anybody in, how fast other instances learn of a sign-out, and the
//! live revocation's re-check.

use server::auth::{Auth, AuthBackend, Caller, Credential, JwtBackend};
use server::inspect::cookies::SeenCookies;

use super::opened::refused_because;
use super::{RefusalView, RevokedView};
use crate::api::context::Request;
use crate::error::AppError;

/// Why credentials sent with this request did not sign anybody in.
pub fn refusal(
    cx: &Request,
    jwt: Option<&JwtBackend>,
    sent: &SeenCookies,
    access: Option<&str>,
) -> Option<RefusalView> {
    match &cx.caller {
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
pub(crate) fn revocation_bound(auth: &Auth) -> String {
    match auth {
        Auth::Session(_) if auth.keeps_sessions_in_process() => {
            "Sessions live in this process: a sign-out deletes the record here at once, and other \
             instances never had it."
                .into()
        }
        Auth::Session(_) => {
            "A sign-out deletes the shared record: every instance refuses the ID on its very next \
             lookup."
                .into()
        }
        Auth::Jwt(b) if b.revocations().through_redis() => format!(
            "Published through Redis: other instances add it to their set before the sign-out \
             answers (it waits up to {} ms for their confirmations).",
            server::auth::jwt::revocation::CONFIRM_WAIT.as_millis()
        ),
        Auth::Jwt(_) => format!(
            "Other instances read new revocations from the database every {} s: there the token \
             passes for up to that long.",
            server::auth::jwt::revocation::SYNC_EVERY.as_secs()
        ),
    }
}

/// The credentials of this request checked again, after its device session
/// was revoked.
pub async fn recheck(cx: &Request) -> Result<RevokedView, AppError> {
    let state = &cx.state;
    let presented = cx.presented();
    let first = presented
        .iter()
        .find(|c| matches!(c, Credential::Session(_) | Credential::Access(_)));
    let Some(credential) = first else {
        return Err(AppError::unauthorized());
    };
    let refused = state.auth.authenticate(credential).await?.is_none();
    let detail = match (&state.auth, credential) {
        (Auth::Jwt(b), Credential::Access(t)) => match b.valid_claims(t.expose()) {
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
    Ok(RevokedView { refused, detail })
}
