//! JWT mode in the browser: the access and refresh tokens travel in
//! `__Host-` cookies; the resolver accepts a valid access token by its
//! signature and renews an expired one from the refresh cookie.

use std::time::Duration;

use http::HeaderMap;
use tower_cookies::Cookies;

use super::{refresh, JwtBackend, TokenPair};
use crate::auth::cookies::{self, ACCESS_COOKIE, REFRESH_COOKIE};
use crate::auth::{AuthBackend, ClientMeta, Identity};
use crate::users::User;
use crate::Result;

impl JwtBackend {
    /// Rotates the refresh cookie, setting both cookies; clears them if the
    /// refresh token is refused.
    pub async fn refresh_cookies(&self, jar: &Cookies) -> Result<Option<Identity>> {
        let Some(raw) = jar.get(REFRESH_COOKIE).map(|c| c.value().to_string()) else {
            return Ok(None);
        };
        match self.refresh(&raw).await? {
            Ok(pair) => {
                self.set_cookies(jar, &pair);
                Ok(Some(pair.identity))
            }
            Err(_) => {
                clear_cookies(jar);
                Ok(None)
            }
        }
    }

    fn set_cookies(&self, jar: &Cookies, pair: &TokenPair) {
        jar.add(cookies::auth_cookie(
            ACCESS_COOKIE,
            pair.access_token.clone(),
            Duration::from_secs(self.access_ttl as u64),
        ));
        jar.add(cookies::auth_cookie(
            REFRESH_COOKIE,
            pair.refresh_token.clone(),
            Duration::from_secs(self.life.idle as u64),
        ));
    }

    /// The device session named by the browser's cookies, if any.
    async fn cookie_family(&self, jar: &Cookies) -> Result<Option<String>> {
        if let Some(c) = jar.get(ACCESS_COOKIE) {
            if let Ok(identity) = self.verify_access(c.value()) {
                return Ok(Some(identity.session_id));
            }
        }
        match jar.get(REFRESH_COOKIE) {
            Some(c) => refresh::family_id_of(&self.db, c.value()).await,
            None => Ok(None),
        }
    }
}

fn clear_cookies(jar: &Cookies) {
    jar.remove(cookies::removal(ACCESS_COOKIE));
    jar.remove(cookies::removal(REFRESH_COOKIE));
}

/// The token of an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl AuthBackend for JwtBackend {
    async fn sign_in(&self, user: &User, client: &ClientMeta, jar: &Cookies) -> Result<Identity> {
        // Signing in on a device that already had a session replaces it.
        if let Some(old) = self.cookie_family(jar).await? {
            self.revoke_family(&old, "replaced by a new sign-in")
                .await?;
        }
        let pair = self.issue(user, client).await?;
        self.set_cookies(jar, &pair);
        Ok(pair.identity)
    }

    async fn resolve(&self, headers: &HeaderMap, jar: &Cookies) -> Result<Option<Identity>> {
        // An Authorization header speaks alone: no fallback to cookies.
        if headers.contains_key(http::header::AUTHORIZATION) {
            return Ok(bearer(headers).and_then(|t| self.verify_access(t).ok()));
        }
        if let Some(c) = jar.get(ACCESS_COOKIE) {
            if let Ok(identity) = self.verify_access(c.value()) {
                return Ok(Some(identity));
            }
        }
        if jar.get(REFRESH_COOKIE).is_some() {
            return self.refresh_cookies(jar).await;
        }
        if jar.get(ACCESS_COOKIE).is_some() {
            clear_cookies(jar);
        }
        Ok(None)
    }

    async fn sign_out(&self, jar: &Cookies) -> Result<()> {
        if let Some(family_id) = self.cookie_family(jar).await? {
            self.revoke_family(&family_id, "signed out").await?;
        }
        clear_cookies(jar);
        Ok(())
    }
}
