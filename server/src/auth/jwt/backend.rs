//! [`JwtBackend`] behind the transport-free [`AuthBackend`] interface.

use super::{families, refresh, JwtBackend};
use crate::auth::{Amr, AuthBackend, ClientMeta, Credential, DeviceSession, Ended};
use crate::auth::{Identity, Issued, RefreshToken, Refusal};
use crate::users::User;
use crate::Result;

impl AuthBackend for JwtBackend {
    async fn authenticate(&self, credential: &Credential) -> Result<Option<Identity>> {
        Ok(match credential {
            Credential::Access(token) => self.verify_access(token.expose()).ok(),
            _ => None,
        })
    }

    async fn start(
        &self,
        user: &User,
        client: &ClientMeta,
        persistent: bool,
        amr: Amr,
    ) -> Result<Issued> {
        Ok(Issued::Tokens(
            self.issue(user, client, persistent, amr).await?,
        ))
    }

    async fn renew(
        &self,
        refresh: &RefreshToken,
        client: &ClientMeta,
    ) -> Result<std::result::Result<Issued, Refusal>> {
        let (key, resource) = (client.key.as_ref(), client.resource.as_deref());
        let renewed = self.refresh(refresh.expose(), key, resource).await?;
        Ok(renewed.map(Issued::Tokens))
    }

    /// An access token names its device session by `sid` (checked by
    /// signature); a refresh token by its row, whatever its state.
    async fn end(&self, credential: &Credential, reason: &str) -> Result<Option<Ended>> {
        let device_id = match credential {
            Credential::Access(token) => {
                // Any audience: a resource server's token names its device
                // session as well.
                self.valid_claims(token.expose())
                    .ok()
                    .map(|c| c.sid.clone())
            }
            Credential::Refresh(token) => refresh::family_id_of(&self.db, token.expose()).await?,
            Credential::Session(_) => None,
        };
        match device_id {
            Some(id) => self.revoke(&id, reason).await,
            None => Ok(None),
        }
    }

    /// Their refresh tokens stop at once, their access tokens on the next
    /// request.
    async fn end_user(&self, user_id: &str, reason: &str) -> Result<u64> {
        let now = self.clock.now();
        let ids = families::revoke_user(&self.db, user_id, now, reason).await?;
        for id in &ids {
            self.revocations.publish(id, now).await?;
        }
        Ok(ids.len() as u64)
    }

    async fn devices(&self, user_id: &str) -> Result<Vec<DeviceSession>> {
        crate::auth::device::live_of_user(&self.db, user_id, self.clock.now()).await
    }

    /// Its refresh tokens stop at once; its access token on its next request,
    /// here at once and on other instances within the revocation bound.
    async fn end_device(
        &self,
        user_id: &str,
        device_id: &str,
        reason: &str,
    ) -> Result<Option<Ended>> {
        let now = self.clock.now();
        if !families::revoke_of_user(&self.db, user_id, device_id, now, reason).await? {
            return Ok(None);
        }
        self.revocations.publish(device_id, now).await?;
        Ok(Some(Ended {
            device_id: device_id.to_string(),
            user_id: user_id.to_string(),
        }))
    }

    /// Read once per access token: see [`super::seen_families`].
    async fn device(&self, identity: &Identity) -> Result<Option<DeviceSession>> {
        if let Some(device) = &identity.device {
            return Ok(Some(device.clone()));
        }
        let now = self.clock.now();
        let exp = identity.access_expires_at;
        if let Some(seen) = exp.and_then(|exp| self.seen.get(&identity.device_id, exp, now)) {
            return Ok(Some(seen));
        }
        let family = families::family(&self.db, &identity.device_id, now).await?;
        if let (Some(family), Some(exp)) = (&family, exp) {
            self.seen.keep(family, exp, now);
        }
        Ok(family)
    }
}
