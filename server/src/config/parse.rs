//! Parsers for configuration values clap cannot check by itself; each error
//! says what is allowed.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

/// Parses a humantime duration (`2s`, `30m`, `14d`) of at least one second.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s)
        .map_err(|e| format!("{e}; use a duration such as 2s, 30m, 12h or 14d"))?;
    if d < Duration::from_secs(1) {
        return Err("must be at least 1s".into());
    }
    Ok(d)
}

/// Parses one entry of `LATCHKEY_TRUSTED_PROXIES`: an address or a CIDR block.
pub fn parse_trusted(s: &str) -> Result<IpNet, String> {
    let s = s.trim();
    s.parse::<IpNet>()
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| {
            format!("{s:?} is not an IP address or CIDR block (e.g. 10.0.0.0/8, 127.0.0.1, ::1)")
        })
}

/// Parses a resource URI (RFC 8707 §2): absolute (so never Latchkey's own
/// audience, `latchkey`), no fragment; kept as
/// given (less a trailing slash), since a token's `aud` is compared as a
/// string.
pub fn parse_resource(s: &str) -> Result<String, String> {
    let s = s.trim().trim_end_matches('/');
    let url = url::Url::parse(s).map_err(|e| {
        format!("{s:?} is not an absolute URI ({e}); e.g. https://notes.example.com")
    })?;
    if url.fragment().is_some() {
        return Err(format!(
            "{s:?} has a fragment, which a resource URI must not have"
        ));
    }
    Ok(s.to_string())
}

/// Parses the grace window: 0s (no grace) up to one minute.
pub fn parse_grace(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{e}; use a duration such as 10s"))?;
    if d > Duration::from_secs(60) {
        return Err("must be at most 60s".into());
    }
    Ok(d)
}

/// Parses the re-authentication window: 1s up to one day (a proof older
/// than a day is no proof of who is at the keyboard now).
pub fn parse_reauth_window(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d > Duration::from_secs(24 * 3600) {
        return Err("must be at most 24h".into());
    }
    Ok(d)
}

/// Parses the issuer: an `http` or `https` URL without query or fragment
/// (RFC 8414 §2), kept without a trailing slash.
pub fn parse_issuer(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or("must start with https:// (or http:// on a private network)")?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err("must name a host, e.g. https://auth.example.com".into());
    }
    if rest.contains(['?', '#']) || rest.contains(char::is_whitespace) {
        return Err("must not hold a query, a fragment or spaces".into());
    }
    Ok(s.trim_end_matches('/').to_string())
}

/// A secret from the configuration, kept out of `Debug` output (the
/// configuration is logged at startup).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A secret of at least 16 characters.
    pub fn new(s: &str) -> Result<Self, String> {
        parse_secret(s)
    }

    /// The secret itself, for comparing with what a client presents.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Parses a shared secret: at least 16 characters.
pub fn parse_secret(s: &str) -> Result<Secret, String> {
    if s.len() < 16 {
        return Err(
            "must be at least 16 characters (e.g. the output of `openssl rand -hex 32`)".into(),
        );
    }
    Ok(Secret(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issuer_is_an_http_url_without_query_or_fragment() {
        assert_eq!(
            parse_issuer("https://auth.example.com/").unwrap(),
            "https://auth.example.com"
        );
        assert_eq!(
            parse_issuer("http://127.0.0.1:3000/tenant").unwrap(),
            "http://127.0.0.1:3000/tenant"
        );
        for bad in [
            "auth.example.com",
            "https://",
            "https://a.com/?x=1",
            "https://a.com/#f",
        ] {
            assert!(parse_issuer(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_resource_is_an_absolute_uri_without_fragment() {
        assert_eq!(
            parse_resource(" https://notes.example.com/ ").unwrap(),
            "https://notes.example.com"
        );
        assert_eq!(
            parse_resource("urn:example:notes").unwrap(),
            "urn:example:notes"
        );
        for bad in [
            "latchkey",
            "notes.example.com",
            "/notes",
            "https://a.com/#f",
            "",
        ] {
            assert!(parse_resource(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_reauth_window_lies_between_a_second_and_a_day() {
        assert_eq!(
            parse_reauth_window("10m").unwrap(),
            Duration::from_secs(600)
        );
        assert_eq!(
            parse_reauth_window("24h").unwrap(),
            Duration::from_secs(86_400)
        );
        for bad in ["0s", "500ms", "25h", "soon"] {
            assert!(parse_reauth_window(bad).is_err(), "{bad}");
        }
    }
}
