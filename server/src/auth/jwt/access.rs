//! Checking an access token: by signature and claims alone (once per
//! token, [`super::verified`]), then, on every call, its times, its
//! lifetime, the revocation set, and for Latchkey's own API its audience.
//! No store is asked.

use std::sync::Arc;

use super::claims::{self, AccessClaims, TokenError};
use super::JwtBackend;
use crate::auth::dpop::Jkt;
use crate::auth::Identity;

impl JwtBackend {
    /// Checks an access token for Latchkey's own API: signature and claims
    /// (once per token, see [`super::verified`]), its times, the revocation set
    /// (on every call), and that it is not for another service (`aud`).
    pub fn verify_access(&self, token: &str) -> std::result::Result<Identity, TokenError> {
        let claims = self.valid_claims(token)?;
        if claims.aud != claims::AUDIENCE {
            return Err(TokenError::Invalid);
        }
        Ok(identity(&claims))
    }

    /// The claims of an access token that passes every check of
    /// [`Self::verify_access`] but the audience: it may be for a resource
    /// server (token introspection reports them to it).
    pub fn valid_claims(&self, token: &str) -> std::result::Result<Arc<AccessClaims>, TokenError> {
        let claims = self.verified.verify(token, self.clock.now())?;
        // No token we issue lives longer than the access lifetime; a longer one
        // was minted elsewhere with our key, or under an older, longer setting.
        if claims.exp.saturating_sub(claims.iat) > self.access_ttl + claims::LEEWAY {
            return Err(TokenError::Invalid);
        }
        if self.revocations.contains(&claims.sid) {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
    }

    /// The `sid` of an access token that passes every check but the
    /// revocation set: the only `sid` worth looking up there (the inspector
    /// explains a refusal with it). An unverified token's claims name
    /// nothing: anyone can write any `sid` into one.
    pub fn signed_sid(&self, token: &str) -> Option<String> {
        let claims = self.verified.verify(token, self.clock.now()).ok()?;
        Some(claims.sid.clone())
    }
}

fn identity(claims: &AccessClaims) -> Identity {
    Identity {
        user_id: claims.sub.clone(),
        username: claims.username.clone(),
        device_id: claims.sid.clone(),
        signed_in_at: claims.auth_time,
        amr: claims.amr.first().copied().unwrap_or_default(),
        access_expires_at: Some(claims.exp),
        bound_to: claims.cnf.as_ref().map(|c| Jkt::from_stored(c.jkt.clone())),
        device: None,
    }
}
