//! Keeping a sign-in going and ending it: refresh-token renewal (with reuse
//! detection), sign-out, and revocation of a token by its holder.

use super::audit::{record, About};
use crate::auth::{AccessToken, AuthBackend, Caller, ClientMeta, Credential, Issued};
use crate::auth::{RefreshToken, Refusal, TokenPair};
use crate::events::{Cause, EventKind};
use crate::{AppState, Result};

/// Trades a refresh token for new credentials. A used token that comes back
/// after the grace window revokes its device session and is recorded.
pub async fn renew(
    state: &AppState,
    refresh: &RefreshToken,
    client: &ClientMeta,
) -> Result<std::result::Result<Issued, Refusal>> {
    let renewed = state.auth.renew(refresh, client).await?;
    let outcome = match &renewed {
        Ok(_) => "ok",
        Err(Refusal::Reused { .. }) => "reused",
        Err(_) => "refused",
    };
    let labels = [("outcome", outcome)];
    state.metrics.count("latchkey_refreshes_total", &labels);
    if let Err(Refusal::Reused { user_id, device_id }) = &renewed {
        let about = About::user(user_id, None).device(device_id);
        record(state, EventKind::RefreshReuse, about, client).await;
    }
    Ok(renewed)
}

/// The token endpoint's refresh grant.
pub async fn token_refresh(
    state: &AppState,
    refresh: &RefreshToken,
    client: &ClientMeta,
) -> Result<std::result::Result<TokenPair, Refusal>> {
    super::grants::require_tokens(state, super::grants::USE_SESSIONS)?;
    Ok(match renew(state, refresh, client).await? {
        Ok(Issued::Tokens(pair)) => Ok(pair),
        Ok(Issued::Session { .. }) => Err(Refusal::Unknown),
        Err(refusal) => Err(refusal),
    })
}

/// Signs the caller out on this device: ends the device session the
/// presented credentials name. Signing out twice is not an error.
pub async fn sign_out(
    state: &AppState,
    caller: &Caller,
    presented: &[Credential],
    client: &ClientMeta,
) -> Result<()> {
    let mut ended = None;
    for credential in presented {
        ended = state.auth.end(credential, "signed out").await?;
        if ended.is_some() {
            break;
        }
    }
    let about = match (caller.identity(), &ended) {
        (Some(i), _) => Some(About::user(&i.user_id, Some(&i.username)).device(&i.device_id)),
        (None, Some(e)) => Some(About::user(&e.user_id, None).device(&e.device_id)),
        (None, None) => None,
    };
    if let Some(about) = about {
        record(state, EventKind::SignOut, about, client).await;
    }
    Ok(())
}

/// RFC 7009 revocation: ends the device session of an access or refresh
/// token. Unknown and invalid tokens are not an error.
pub async fn revoke_token(state: &AppState, raw: &str, client: &ClientMeta) -> Result<()> {
    super::grants::require_tokens(state, "sign out at /api/sign_out")?;
    let reason = "revoked by its holder";
    let mut ended = state
        .auth
        .end(&Credential::Access(AccessToken::new(raw)), reason)
        .await?;
    if ended.is_none() {
        let refresh = Credential::Refresh(RefreshToken::new(raw));
        ended = state.auth.end(&refresh, reason).await?;
    }
    if let Some(e) = ended {
        let about = About::user(&e.user_id, None)
            .device(&e.device_id)
            .cause(Cause::TokenHolder);
        record(state, EventKind::DeviceRevoked, about, client).await;
    }
    Ok(())
}
