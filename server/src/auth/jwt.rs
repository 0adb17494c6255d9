//! JWT mode: a short-lived signed access token, checked by signature alone,
//! and a long-lived opaque refresh token, rotated on every use.
//!
//! A valid access token costs no store lookup: only an in-memory check that
//! its device session (`sid`) was not revoked ([`revocation`]). An access
//! token never outlives its device session: its `exp` is capped at the
//! session's absolute deadline. How the tokens travel (cookies, a Bearer
//! header, a JSON body) is the adapters' business.

mod access;
mod backend;
pub mod claims;
pub mod families;
pub mod keys;
pub mod refresh;
pub mod revocation;
pub mod seen_families;
pub mod verified;

use std::sync::Arc;
use std::time::Duration;

use self::claims::AccessClaims;
use self::keys::Keyring;
use self::refresh::Lifetimes;
use self::revocation::Revocations;
use self::seen_families::SeenFamilies;
use self::verified::VerifiedTokens;
use super::dpop::Jkt;
use super::{token, AccessToken, Amr, ClientMeta, DeviceSession, Ended};
use super::{Identity, RefreshToken, Refusal, TokenPair};
use crate::clock::Clock;
use crate::db::Db;
use crate::metrics::{Metrics, StoreOp};
use crate::shared_store::SharedStore;
use crate::users::User;
use crate::Result;

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
    /// Device sessions as of the tokens in use, for pages that show them.
    seen: SeenFamilies,
    pub(crate) metrics: Metrics,
    /// Refresh-token rotations, registered once.
    rotation: StoreOp,
}

/// Settings of a [`JwtBackend`].
#[derive(Clone, Copy, Debug)]
pub struct JwtSettings {
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Refresh idle lifetime of a sign-in that ends with the browser.
    pub short_refresh_ttl: Duration,
    pub absolute_ttl: Duration,
    pub grace: Duration,
}

impl JwtBackend {
    /// A backend signing with `keys`, keeping families in `db`, sharing
    /// revocations through `shared`.
    pub fn new(
        keys: Keyring,
        db: Db,
        shared: &SharedStore,
        settings: JwtSettings,
        clock: Clock,
    ) -> Self {
        let access_ttl = settings.access_ttl.as_secs() as i64;
        let mut keys = keys;
        // A superseded key verifies as long as a token it signed can live.
        keys.set_overlap(access_ttl + claims::LEEWAY);
        let keys = Arc::new(keys);
        JwtBackend {
            verified: VerifiedTokens::new(keys.clone()),
            seen: SeenFamilies::default(),
            metrics: Metrics::default(),
            rotation: StoreOp::default(),
            keys,
            db,
            access_ttl,
            life: Lifetimes {
                idle: settings.refresh_ttl.as_secs() as i64,
                short_idle: settings.short_refresh_ttl.as_secs() as i64,
                absolute: settings.absolute_ttl.as_secs() as i64,
                grace: settings.grace.as_secs() as i64,
            },
            clock,
            revocations: Revocations::new(access_ttl + claims::LEEWAY, shared.redis().cloned()),
        }
    }

    /// Records what the backend does into `metrics`.
    pub fn with_metrics(self, metrics: Metrics) -> Self {
        JwtBackend {
            revocations: self.revocations.with_metrics(metrics.clone()),
            rotation: metrics.resolving_op("jwt", "database", crate::probe::REFRESH_ROTATION),
            metrics,
            ..self
        }
    }

    /// The revocation set: what refuses a device's tokens before they expire.
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// How long an access token lives, in seconds.
    pub fn access_ttl(&self) -> i64 {
        self.access_ttl
    }

    /// The grace window in which a just-used refresh token is still
    /// accepted (concurrent tabs), in seconds.
    pub fn refresh_grace(&self) -> i64 {
        self.life.grace
    }

    /// How many revoked device sessions this instance holds in its set.
    pub fn revocation_set_size(&self) -> usize {
        self.revocations.len()
    }

    /// The tokens of `device`, minted at `now`, with `refresh_token`, the
    /// access token bound to `key` if the client proved one, for `audience`
    /// (a resource server; `None`: Latchkey's API). The access
    /// token expires after the access lifetime or at the device session's
    /// absolute deadline, whichever comes first.
    fn pair(
        &self,
        device: DeviceSession,
        refresh_token: String,
        now: i64,
        (key, audience): (Option<&Jkt>, Option<&str>),
    ) -> Result<TokenPair> {
        let claims = AccessClaims {
            iss: self.keys.issuer().into(),
            aud: audience.unwrap_or(claims::AUDIENCE).into(),
            sub: device.user_id.clone(),
            exp: (now + self.access_ttl).min(device.absolute_expires_at),
            nbf: now,
            iat: now,
            jti: token::new_id(),
            sid: device.id.clone(),
            username: device.username.clone(),
            auth_time: device.created_at,
            amr: vec![device.amr],
            cnf: key.map(|k| claims::Confirmation {
                jkt: k.as_str().to_string(),
            }),
        };
        let access_token = AccessToken::new(claims::issue(&self.keys, &claims)?);
        let refresh_expires_in = device.idle_expires_at - now;
        self.seen.keep(&device, claims.exp, now);
        let mut identity = Identity::from(device);
        identity.access_expires_at = Some(claims.exp);
        identity.bound_to = key.cloned();
        Ok(TokenPair {
            access_token,
            expires_in: claims.exp - now,
            refresh_token: RefreshToken::new(refresh_token),
            refresh_expires_in,
            identity,
        })
    }

    /// Starts a device session for `user` and returns its first tokens,
    /// bound to the key `client` proved, if any: the access token and the
    /// whole refresh family.
    pub async fn issue(
        &self,
        user: &User,
        client: &ClientMeta,
        persistent: bool,
        amr: Amr,
    ) -> Result<TokenPair> {
        let now = self.clock.now();
        let how = (persistent, amr);
        let (device, refresh_token) =
            refresh::start(&self.db, user, client, self.life, now, how).await?;
        let terms = (client.key.as_ref(), client.resource.as_deref());
        self.pair(device, refresh_token, now, terms)
    }

    /// Makes `device` (a session from session mode) a family and returns
    /// its first tokens ([`super::migration`]).
    pub(crate) async fn adopt(&self, device: DeviceSession) -> Result<TokenPair> {
        let now = self.clock.now();
        let refresh_token = refresh::adopt(&self.db, &device, now).await?;
        self.pair(device, refresh_token, now, (None, None))
    }

    /// Rotates a refresh token into new tokens, for a client that proved
    /// `key` (or none), asking for `resource` (or whatever the family's
    /// tokens are for). A family bound to a key is refused without a proof
    /// by it, one for another resource is refused, and nothing is used up.
    /// The new access token is bound to the key proved, if any, and is for
    /// the family's resource.
    pub async fn refresh(
        &self,
        raw: &str,
        key: Option<&Jkt>,
        resource: Option<&str>,
    ) -> Result<std::result::Result<TokenPair, Refusal>> {
        let now = self.clock.now();
        let secret = &self.keys.refresh_secret;
        let rotate = refresh::rotate(&self.db, secret, raw, (key, resource), self.life, now);
        match self.rotation.run(rotate).await? {
            Ok((device, successor, audience)) => {
                let terms = (key, audience.as_deref());
                Ok(Ok(self.pair(device, successor, now, terms)?))
            }
            Err(refusal @ Refusal::Reused { .. }) => {
                if let Refusal::Reused { device_id, .. } = &refusal {
                    tracing::warn!(device = %device_id, "refresh token reuse: device session revoked");
                    self.revocations.publish(device_id, now).await?;
                }
                Ok(Err(refusal))
            }
            Err(other) => Ok(Err(other)),
        }
    }

    async fn revoke(&self, device_id: &str, reason: &str) -> Result<Option<Ended>> {
        let now = self.clock.now();
        let user_id = families::revoke(&self.db, device_id, now, reason).await?;
        self.revocations.publish(device_id, now).await?;
        Ok(user_id.map(|user_id| Ended {
            device_id: device_id.to_string(),
            user_id,
        }))
    }

    /// Deletes families past their deadlines (and their refresh tokens).
    pub async fn purge_expired(&self) -> Result<u64> {
        let now = self.clock.now();
        families::purge(&self.db, now, now - self.access_ttl - claims::LEEWAY).await
    }

    /// Applies revocations published by other instances as they come
    /// (Redis); returns at once when they are only read by [`Self::sync_revocations`].
    pub async fn listen_revocations(&self) {
        self.revocations
            .listen(self.db.clone(), self.clock.clone())
            .await
    }

    /// Whether revocations published here get confirmed.
    pub fn listening(&self) -> bool {
        self.revocations.listening()
    }

    /// Reads revocations made by other instances, and the key set if
    /// `latchkey keys rotate` changed it.
    pub async fn sync_revocations(&self) -> Result<()> {
        if let Err(e) = self.keys.reload() {
            tracing::warn!(error = %e, "could not read the key set");
        }
        self.revocations.sync(&self.db, self.clock.now()).await
    }

    /// The keys tokens are signed and verified with.
    pub fn keys(&self) -> &Keyring {
        &self.keys
    }
}

#[cfg(test)]
mod tests;
