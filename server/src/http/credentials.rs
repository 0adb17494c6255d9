//! How credentials travel over HTTP: read from an `Authorization: Bearer`
//! or `Authorization: DPoP` header (API clients; DPoP: a token bound to the
//! client's key, with a proof in the `DPoP` header, RFC 9449 §7) or from
//! the auth cookies (browsers), and, once
//! issued, written back as cookies through the one cookie policy
//! ([`super::cookies`]). The rest of the server sees only typed
//! [`Credential`]s and [`Issued`] values.

use http::HeaderMap;
use tower_cookies::Cookies;

use super::cookies::{self, ACCESS_COOKIE, REFRESH_COOKIE, SESSION_COOKIE};
use crate::auth::{AccessToken, Credential, Issued, RefreshToken, SessionId};

/// How a request carried its credentials.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Carrier {
    /// The browser's auth cookies (or nothing at all).
    #[default]
    Cookies,
    /// `Authorization: Bearer`.
    Bearer,
    /// `Authorization: DPoP`: the token must be bound to the key of the
    /// request's `DPoP` proof.
    Dpop,
}

/// The credentials a request presented, and how.
#[derive(Debug, Default)]
pub struct Presented {
    pub credentials: Vec<Credential>,
    pub carrier: Carrier,
}

impl Presented {
    /// Whether they came in cookies (the ones to clear when refused).
    pub fn in_cookies(&self) -> bool {
        self.carrier == Carrier::Cookies
    }
}

/// The token of an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    authorization(headers)
        .and_then(|(carrier, token)| (carrier == Carrier::Bearer).then_some(token))
}

/// The scheme (Bearer or DPoP) and token of the `Authorization` header.
pub fn authorization(headers: &HeaderMap) -> Option<(Carrier, &str)> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let carrier = if scheme.eq_ignore_ascii_case("bearer") {
        Carrier::Bearer
    } else if scheme.eq_ignore_ascii_case("dpop") {
        Carrier::Dpop
    } else {
        return None;
    };
    Some((carrier, token.trim())).filter(|(_, t)| !t.is_empty())
}

/// What a request presents. An `Authorization` header speaks alone: a
/// request that sends one is judged by it, with no fallback to cookies
/// (a refused token must not be rescued by an ambient cookie).
pub fn presented(headers: &HeaderMap, jar: &Cookies) -> Presented {
    if headers.contains_key(http::header::AUTHORIZATION) {
        let Some((carrier, token)) = authorization(headers) else {
            return Presented {
                credentials: Vec::new(),
                carrier: Carrier::Bearer,
            };
        };
        return Presented {
            credentials: vec![Credential::Access(AccessToken::new(token))],
            carrier,
        };
    }
    Presented {
        credentials: from_cookies(jar),
        carrier: Carrier::Cookies,
    }
}

/// The credentials in the browser's auth cookies, those that prove a
/// request first.
pub fn from_cookies(jar: &Cookies) -> Vec<Credential> {
    let mut found = Vec::new();
    if let Some(c) = jar.get(SESSION_COOKIE) {
        found.push(Credential::Session(SessionId::new(c.value())));
    }
    if let Some(c) = jar.get(ACCESS_COOKIE) {
        found.push(Credential::Access(AccessToken::new(c.value())));
    }
    if let Some(c) = jar.get(REFRESH_COOKIE) {
        found.push(Credential::Refresh(RefreshToken::new(c.value())));
    }
    found
}

/// Hands issued credentials to the browser, each cookie kept as long as
/// the credential is good, or, for a sign-in not kept ("keep me signed in"
/// unchecked), until the browser closes. The other mode's cookies go: after
/// a switch of mode they name a sign-in that was just carried over.
pub fn set_cookies(jar: &Cookies, issued: &Issued) {
    let other_mode: &[&str] = match issued {
        Issued::Session { .. } => &[ACCESS_COOKIE, REFRESH_COOKIE],
        Issued::Tokens(_) => &[SESSION_COOKIE],
    };
    for &name in other_mode {
        if jar.get(name).is_some() {
            jar.remove(cookies::removal(name));
        }
    }
    let persistent = issued
        .identity()
        .device
        .as_ref()
        .is_none_or(|d| d.persistent);
    let age = |s: i64| persistent.then(|| std::time::Duration::from_secs(s.max(0) as u64));
    match issued {
        Issued::Session { id, expires_in, .. } => {
            let value = id.expose().to_string();
            jar.add(cookies::auth_cookie(
                SESSION_COOKIE,
                value,
                age(*expires_in),
            ));
        }
        Issued::Tokens(pair) => {
            let access = pair.access_token.expose().to_string();
            let refresh = pair.refresh_token.expose().to_string();
            jar.add(cookies::auth_cookie(
                ACCESS_COOKIE,
                access,
                age(pair.expires_in),
            ));
            let refresh_age = age(pair.refresh_expires_in);
            jar.add(cookies::auth_cookie(REFRESH_COOKIE, refresh, refresh_age));
        }
    }
}

/// Tells the browser to drop every auth cookie it sent (or was just given).
pub fn clear_cookies(jar: &Cookies) {
    for name in [SESSION_COOKIE, ACCESS_COOKIE, REFRESH_COOKIE] {
        if jar.get(name).is_some() {
            jar.remove(cookies::removal(name));
        }
    }
}
