//! JWT mode: a short-lived signed access token, checked by signature alone,
//! and a long-lived opaque refresh token, rotated on every use.
//!
//! Browsers hold both in `__Host-` cookies; API clients send the access token
//! as `Authorization: Bearer` and refresh through `/auth/token`. A valid access
//! token costs no store lookup: only an in-memory check that its device
//! session (`sid`) was not revoked ([`revocation`]). When the access token has
//! expired and a refresh cookie is present, [`JwtBackend::resolve`] rotates the
//! refresh token and sets both cookies on the same response, before anything
//! renders.

mod browser;

pub use browser::bearer;
pub mod claims;
pub mod keys;
pub mod refresh;
pub mod revocation;
pub mod verified;

use std::sync::Arc;
use std::time::Duration;

use self::claims::{AccessClaims, TokenError};
use self::keys::Keyring;
use self::refresh::{Family, Lifetimes, Refusal};
use self::revocation::Revocations;
use self::verified::VerifiedTokens;
use super::counters::AuthCounters;
use super::{token, ClientMeta, Identity};
use crate::clock::Clock;
use crate::db::Db;
use crate::redis_client::RedisClient;
use crate::users::User;
use crate::Result;

/// Tokens handed to a client.
#[derive(Clone)]
pub struct TokenPair {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
    pub identity: Identity,
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenPair")
            .field("expires_in", &self.expires_in)
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

/// The JWT-mode authentication backend.
#[derive(Clone, Debug)]
pub struct JwtBackend {
    keys: Arc<Keyring>,
    db: Db,
    access_ttl: i64,
    life: Lifetimes,
    clock: Clock,
    revocations: Revocations,
    verified: VerifiedTokens,
    pub(crate) counters: Arc<AuthCounters>,
}

/// Settings of a [`JwtBackend`].
#[derive(Clone, Copy, Debug)]
pub struct JwtSettings {
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub absolute_ttl: Duration,
    pub grace: Duration,
}

impl JwtBackend {
    /// A backend signing with `keys`, keeping families in `db`.
    /// Revocations are shared through `redis` when given, else the database.
    pub fn new(
        keys: Keyring,
        db: Db,
        redis: Option<RedisClient>,
        settings: JwtSettings,
        clock: Clock,
    ) -> Self {
        let access_ttl = settings.access_ttl.as_secs() as i64;
        let keys = Arc::new(keys);
        JwtBackend {
            verified: VerifiedTokens::new(keys.clone()),
            counters: Arc::default(),
            keys,
            db,
            access_ttl,
            life: Lifetimes {
                idle: settings.refresh_ttl.as_secs() as i64,
                absolute: settings.absolute_ttl.as_secs() as i64,
                grace: settings.grace.as_secs() as i64,
            },
            clock,
            revocations: Revocations::new(access_ttl + claims::LEEWAY, redis),
        }
    }

    /// The access-token lifetime in seconds.
    pub fn access_ttl(&self) -> i64 {
        self.access_ttl
    }

    fn mint(&self, family: &Family, now: i64) -> Result<TokenPairParts> {
        let claims = AccessClaims {
            iss: claims::ISSUER.into(),
            aud: claims::AUDIENCE.into(),
            sub: family.user_id.clone(),
            exp: now + self.access_ttl,
            nbf: now,
            iat: now,
            jti: token::new_id(),
            sid: family.id.clone(),
            username: family.username.clone(),
            auth_time: family.created_at,
        };
        let token = claims::issue(&self.keys, &claims)?;
        let mut identity = identity(&claims);
        identity.idle_expires_at = Some(family.idle_expires_at);
        identity.absolute_expires_at = Some(family.absolute_expires_at);
        Ok(TokenPairParts { token, identity })
    }

    fn pair(&self, family: &Family, refresh_token: String, now: i64) -> Result<TokenPair> {
        let parts = self.mint(family, now)?;
        Ok(TokenPair {
            access_token: parts.token,
            expires_in: self.access_ttl,
            refresh_token,
            identity: parts.identity,
        })
    }

    /// Checks an access token: signature and claims (once per token, see
    /// [`verified`]), its times and the revocation set (on every call).
    pub fn verify_access(&self, token: &str) -> std::result::Result<Identity, TokenError> {
        let claims = self.verified.verify(token, self.clock.now())?;
        // No token we issue lives longer than the access lifetime; a longer one
        // was minted elsewhere with our key, or under an older, longer setting.
        if claims.exp.saturating_sub(claims.iat) > self.access_ttl + claims::LEEWAY {
            return Err(TokenError::Invalid);
        }
        if self.revocations.contains(&claims.sid) {
            return Err(TokenError::Invalid);
        }
        Ok(identity(&claims))
    }

    /// Starts a device session for `user` and returns its first tokens.
    pub async fn issue(&self, user: &User, client: &ClientMeta) -> Result<TokenPair> {
        let now = self.clock.now();
        let (family, refresh_token) =
            refresh::start(&self.db, user, client, self.life, now).await?;
        self.pair(&family, refresh_token, now)
    }

    /// Rotates a refresh token into new tokens.
    pub async fn refresh(&self, raw: &str) -> Result<std::result::Result<TokenPair, Refusal>> {
        let now = self.clock.now();
        self.counters.refresh();
        match refresh::rotate(&self.db, &self.keys.refresh_secret, raw, self.life, now).await? {
            Ok((family, successor)) => Ok(Ok(self.pair(&family, successor, now)?)),
            Err(Refusal::Reused(family_id)) => {
                tracing::warn!(family = %family_id, "refresh token reuse: family revoked");
                self.revocations.publish(&family_id, now).await?;
                Ok(Err(Refusal::Reused(family_id)))
            }
            Err(other) => Ok(Err(other)),
        }
    }

    /// Revokes the device session a token belongs to (RFC 7009 semantics:
    /// unknown or invalid tokens are not an error).
    pub async fn revoke_token(&self, token: &str) -> Result<Option<String>> {
        let family_id = match self.verify_access(token) {
            Ok(identity) => Some(identity.session_id),
            Err(_) => refresh::family_id_of(&self.db, token).await?,
        };
        if let Some(id) = &family_id {
            self.revoke_family(id, "revoked").await?;
        }
        Ok(family_id)
    }

    async fn revoke_family(&self, family_id: &str, reason: &str) -> Result<()> {
        let now = self.clock.now();
        refresh::revoke(&self.db, family_id, now, reason).await?;
        self.revocations.publish(family_id, now).await?;
        Ok(())
    }

    /// Revokes every device session of a user (password change, disabled
    /// account): their refresh tokens stop at once, their access tokens on
    /// the next request. Returns how many were live.
    pub async fn revoke_user(&self, user_id: &str, reason: &str) -> Result<u64> {
        let now = self.clock.now();
        let ids = refresh::revoke_user(&self.db, user_id, now, reason).await?;
        for id in &ids {
            self.revocations.publish(id, now).await?;
        }
        Ok(ids.len() as u64)
    }

    /// A live device session by id (for the account page).
    pub async fn family(&self, id: &str) -> Result<Option<Family>> {
        refresh::family(&self.db, id, self.clock.now()).await
    }

    /// Deletes families past their deadlines (and their refresh tokens).
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = self.clock.now();
        refresh::purge(&self.db, now, now - self.access_ttl - claims::LEEWAY).await
    }

    /// Applies revocations published by other instances as they come
    /// (Redis); returns at once when they are only read by [`Self::sync_revocations`].
    pub async fn listen_revocations(&self) {
        self.revocations
            .listen(self.db.clone(), self.clock.clone())
            .await
    }

    /// Reads revocations made by other instances.
    pub async fn sync_revocations(&self) -> Result<()> {
        self.revocations.sync(&self.db, self.clock.now()).await
    }
}

struct TokenPairParts {
    token: String,
    identity: Identity,
}

fn identity(claims: &AccessClaims) -> Identity {
    Identity {
        user_id: claims.sub.clone(),
        username: claims.username.clone(),
        session_id: claims.sid.clone(),
        signed_in_at: claims.auth_time,
        idle_expires_at: None,
        absolute_expires_at: None,
        access_expires_at: Some(claims.exp),
    }
}

#[cfg(test)]
#[path = "jwt/backend_tests.rs"]
mod tests;
