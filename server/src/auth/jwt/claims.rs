//! Access tokens: what they claim, how they are signed and checked.
//!
//! Checks follow RFC 8725 and RFC 9068: the algorithm comes from our keyring,
//! never from the header; `typ` must be `at+jwt` (so no other JWT we might
//! ever sign passes as an access token); `kid` must name one of our keys that
//! still verifies ([`super::keys`]); `exp`, `nbf`, `iat`, `iss` (the
//! configured issuer URL), `aud` (Latchkey's own or a configured resource
//! server's) and `sub` are required. Time checks use the caller's
//! `now` with a small leeway, so tests drive them with a manual clock.
//! Headers such as `jku`, `x5u` and `jwk` are never followed.

use jsonwebtoken::{decode, decode_header, encode, Header, Validation};
use serde::{Deserialize, Serialize};

use std::sync::Arc;

use super::keys::{Key, Keyring};

/// The audience (`aud`) of access tokens for Latchkey's own API (and the
/// services that accept them as such). A token issued for a resource server
/// (RFC 8707 `resource`) carries that server's URI instead, and Latchkey's
/// API refuses it.
pub const AUDIENCE: &str = "latchkey";
/// The `typ` header of access tokens (RFC 9068).
pub const ACCESS_TYP: &str = "at+jwt";
/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub use crate::clock::LEEWAY;
/// Longest token looked at; anything longer is refused unread.
pub const MAX_TOKEN_LEN: usize = 4096;

/// The claims of an access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The user's id.
    pub sub: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    /// The device session (refresh family) this token belongs to.
    pub sid: String,
    pub username: String,
    /// When the user signed in (OpenID Connect `auth_time`).
    pub auth_time: i64,
    /// How they proved who they are (RFC 8176): `["pwd"]`, `["hwk"]` or
    /// `["swk"]`. Tokens issued before it was carried say nothing: a
    /// password.
    #[serde(default)]
    pub amr: Vec<crate::auth::Amr>,
    /// The key the token is bound to (RFC 9449 `cnf.jkt`): it is accepted
    /// only with a DPoP proof by that key. Absent: a bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
}

/// A token's confirmation claim (RFC 7800): the thumbprint of the key its
/// holder must prove (RFC 9449 §6.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    pub jkt: String,
}

/// Why a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token expired")]
    Expired,
    #[error("the access token is invalid")]
    Invalid,
}

/// Signs `claims` with the key that signs at their `iat`.
pub fn issue(keys: &Keyring, claims: &AccessClaims) -> crate::Result<String> {
    let key = keys.signer(claims.iat);
    let mut header = Header::new(keys.alg);
    header.typ = Some(ACCESS_TYP.into());
    header.kid = Some(key.kid.clone());
    encode(&header, claims, &key.encoding)
        .map_err(|e| crate::Error::Internal(format!("signing an access token: {e}")))
}

/// Checks `token` at time `now`; returns its claims if every check passes.
pub fn verify(keys: &Keyring, token: &str, now: i64) -> Result<AccessClaims, TokenError> {
    verify_keyed(keys, token, now).map(|(claims, _)| claims)
}

/// [`verify`], also naming the key that signed the token.
pub fn verify_keyed(
    keys: &Keyring,
    token: &str,
    now: i64,
) -> Result<(AccessClaims, Arc<Key>), TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Invalid);
    }
    let header = decode_header(token).map_err(|_| TokenError::Invalid)?;
    if header.alg != keys.alg || header.typ.as_deref() != Some(ACCESS_TYP) {
        return Err(TokenError::Invalid);
    }
    let key = header
        .kid
        .as_deref()
        .and_then(|kid| keys.verifier(kid, now))
        .ok_or(TokenError::Invalid)?;
    let mut validation = Validation::new(keys.alg);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
    validation.set_issuer(&[keys.issuer()]);
    // Any audience tokens are issued for: which one a request may use is
    // its reader's decision (Latchkey's API: its own only).
    let audiences: Vec<&str> = std::iter::once(AUDIENCE)
        .chain(keys.resources().iter().map(String::as_str))
        .collect();
    validation.set_audience(&audiences);
    // Time is checked below against the injected clock.
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.leeway = 0;
    let claims = decode::<AccessClaims>(token, &key.decoding, &validation)
        .map_err(|_| TokenError::Invalid)?
        .claims;
    check_times(&claims, now)?;
    Ok((claims, key))
}

/// The time checks of [`verify`]: not before `nbf` or `iat`, not from `exp`
/// on, each with [`LEEWAY`]. Also applied to every cached verification.
pub fn check_times(claims: &AccessClaims, now: i64) -> Result<(), TokenError> {
    // Saturating: the numbers come from the token and may be extreme.
    if claims.nbf.saturating_sub(LEEWAY) > now || claims.iat.saturating_sub(LEEWAY) > now {
        return Err(TokenError::Invalid);
    }
    if claims.exp.saturating_add(LEEWAY) <= now {
        return Err(TokenError::Expired);
    }
    Ok(())
}

/// The claims of an ordinary access token issued at `now` (tests).
#[cfg(test)]
pub(crate) fn sample(now: i64) -> AccessClaims {
    AccessClaims {
        iss: super::keys::DEFAULT_ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: "user-1".into(),
        exp: now + 1800,
        nbf: now,
        iat: now,
        jti: "jti-1".into(),
        sid: "sid-1".into(),
        username: "alice".into(),
        auth_time: now,
        amr: vec![crate::auth::Amr::Pwd],
        cnf: None,
    }
}

#[cfg(test)]
mod tests;
