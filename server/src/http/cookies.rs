//! The one place that builds authentication cookies.
//!
//! Policy: `__Host-` prefix (so the browser insists on `Secure`, `Path=/` and
//! no `Domain`: a sibling subdomain cannot plant or read it), `HttpOnly` (no
//! script can read it), `SameSite=Lax` (not sent on cross-site sub-requests or
//! POSTs). Browsers treat `http://localhost` and `127.0.0.1` as secure, so the
//! same policy works in local development.

use std::time::Duration;

use tower_cookies::cookie::{time, Cookie, SameSite};

/// Name of the session-mode cookie.
pub const SESSION_COOKIE: &str = "__Host-latchkey_session";
/// Name of the JWT-mode access-token cookie.
pub const ACCESS_COOKIE: &str = "__Host-latchkey_access";
/// Name of the JWT-mode refresh-token cookie.
pub const REFRESH_COOKIE: &str = "__Host-latchkey_refresh";

/// Name of the cookie naming a WebAuthn ceremony in progress.
pub const CEREMONY_COOKIE: &str = "__Host-latchkey_ceremony";

/// The cookie naming ceremony `id`: as the auth cookies, but
/// `SameSite=Strict` (only this site's own pages answer a ceremony) and
/// kept as long as the ceremony ([`crate::methods::ceremony::TTL_SECS`]).
pub fn ceremony_cookie(id: String) -> Cookie<'static> {
    let mut c = base(CEREMONY_COOKIE, id);
    c.set_same_site(SameSite::Strict);
    c.set_max_age(time::Duration::seconds(crate::methods::ceremony::TTL_SECS));
    c
}

/// An auth cookie holding `value`, kept by the browser for `max_age`, or,
/// with `None`, until the browser closes (a sign-in not kept: no
/// `Max-Age`, no `Expires`).
pub fn auth_cookie(
    name: &'static str,
    value: String,
    max_age: Option<Duration>,
) -> Cookie<'static> {
    let mut c = base(name, value);
    if let Some(age) = max_age {
        c.set_max_age(time::Duration::seconds(age.as_secs() as i64));
    }
    c
}

/// The cookie that tells the browser to drop `name` (same attributes, so the
/// browser accepts it for the `__Host-` name).
pub fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = base(name, String::new());
    c.make_removal();
    c
}

fn base(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Lax)
        .path("/")
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cookie_follows_the_policy() {
        let c = auth_cookie(SESSION_COOKIE, "v".into(), Some(Duration::from_secs(3600)));
        let s = c.to_string();
        assert!(s.starts_with("__Host-latchkey_session=v"), "{s}");
        for attr in [
            "HttpOnly",
            "Secure",
            "SameSite=Lax",
            "Path=/",
            "Max-Age=3600",
        ] {
            assert!(s.contains(attr), "{attr} missing in {s}");
        }
        assert!(!s.contains("Domain"), "{s}");
    }

    #[test]
    fn a_browser_session_cookie_has_no_lifetime() {
        let s = auth_cookie(SESSION_COOKIE, "v".into(), None).to_string();
        assert!(!s.contains("Max-Age") && !s.contains("Expires"), "{s}");
        assert!(s.contains("HttpOnly") && s.contains("Secure"), "{s}");
    }

    #[test]
    fn removal_keeps_the_attributes_and_expires() {
        let s = removal(SESSION_COOKIE).to_string();
        for attr in ["HttpOnly", "Secure", "Path=/", "Max-Age=0"] {
            assert!(s.contains(attr), "{attr} missing in {s}");
        }
        assert!(s.starts_with("__Host-latchkey_session=;"), "{s}");
    }
}
