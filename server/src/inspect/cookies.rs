//! The auth cookies a request carried, as the inspector describes them.
//!
//! A browser sends only `name=value` pairs; the attributes a cookie was set
//! with stay in the browser. They are described here from the one cookie
//! policy ([`crate::http::cookies`]), by building a cookie with it, so the
//! page cannot tell a different story from the `Set-Cookie` the server sends.

use http::{header, HeaderMap};
use tower_cookies::cookie::Cookie;

use crate::http::cookies::{auth_cookie, ACCESS_COOKIE, REFRESH_COOKIE, SESSION_COOKIE};

/// What the server keeps of each auth cookie's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// Session mode: the store's key is the SHA-256 of the session ID.
    SessionKey,
    /// JWT mode: nothing; the token proves itself by its signature.
    Nothing,
    /// JWT mode: the SHA-256 of each refresh token, chained in its family.
    RefreshChain,
}

/// One auth cookie the request carried. `Debug` leaves the value out.
#[derive(Clone, PartialEq, Eq)]
pub struct SeenCookie {
    pub name: &'static str,
    /// Bytes of `name=value` in the `Cookie` header.
    pub bytes: usize,
    /// Characters of the value alone.
    pub value_chars: usize,
    /// The start of the value's SHA-256 (see [`super::chain::hash_prefix`]).
    pub hash_prefix: String,
    pub kept: Kept,
    /// The value itself, for the server's own checks; never shown.
    value: String,
}

impl std::fmt::Debug for SeenCookie {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SeenCookie")
            .field("name", &self.name)
            .field("bytes", &self.bytes)
            .field("hash_prefix", &self.hash_prefix)
            .finish_non_exhaustive()
    }
}

impl SeenCookie {
    /// The raw value, for the server to verify; never put it on a page.
    pub fn value(&self) -> &str {
        &self.value
    }
}

/// The auth cookies of a request, and the size of its whole `Cookie` header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeenCookies {
    pub cookies: Vec<SeenCookie>,
    /// Bytes of every `Cookie` header value, auth or not.
    pub header_bytes: usize,
}

impl SeenCookies {
    /// The cookie named `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&SeenCookie> {
        self.cookies.iter().find(|c| c.name == name)
    }
}

/// Reads the auth cookies from the request's `Cookie` headers.
pub fn seen(headers: &HeaderMap) -> SeenCookies {
    let mut out = SeenCookies::default();
    for value in headers.get_all(header::COOKIE) {
        out.header_bytes += value.len();
        let Ok(text) = value.to_str() else { continue };
        for pair in Cookie::split_parse(text).flatten() {
            let (name, kept) = match pair.name() {
                SESSION_COOKIE => (SESSION_COOKIE, Kept::SessionKey),
                ACCESS_COOKIE => (ACCESS_COOKIE, Kept::Nothing),
                REFRESH_COOKIE => (REFRESH_COOKIE, Kept::RefreshChain),
                _ => continue,
            };
            if out.get(name).is_some() {
                continue;
            }
            out.cookies.push(SeenCookie {
                name,
                bytes: name.len() + 1 + pair.value().len(),
                value_chars: pair.value().chars().count(),
                hash_prefix: super::chain::hash_prefix(pair.value()),
                kept,
                value: pair.value().to_string(),
            });
        }
    }
    out
}

/// The attributes every auth cookie is set with (`HttpOnly`, `Secure`,
/// `SameSite=Lax`, `Path=/`), in `Set-Cookie` order; a kept sign-in adds
/// `Max-Age`.
pub fn policy_attributes() -> Vec<String> {
    let sample = auth_cookie(SESSION_COOKIE, String::new(), None).to_string();
    sample.split("; ").skip(1).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn auth_cookies_are_measured_and_others_only_counted() {
        let mut headers = HeaderMap::new();
        let line = format!("theme=dark; {SESSION_COOKIE}=abc123");
        headers.insert(header::COOKIE, HeaderValue::from_str(&line).unwrap());
        let seen = seen(&headers);
        assert_eq!(seen.header_bytes, line.len());
        assert_eq!(seen.cookies.len(), 1);
        let c = &seen.cookies[0];
        assert_eq!(c.bytes, format!("{SESSION_COOKIE}=abc123").len());
        assert_eq!(c.value_chars, 6);
        assert_eq!(c.value(), "abc123");
        assert_eq!(c.hash_prefix, super::super::chain::hash_prefix("abc123"));
        assert_eq!(c.kept, Kept::SessionKey);
    }

    #[test]
    fn the_policy_is_read_from_the_cookie_the_server_sets() {
        let attributes = policy_attributes();
        for a in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
            assert!(attributes.iter().any(|x| x == a), "{a} in {attributes:?}");
        }
        assert!(!attributes.iter().any(|a| a.starts_with("Max-Age")));
    }
}
