//! Property tests over the HTTP parsers every request runs untrusted input
//! through: the `Authorization` header, `next=` and `X-Forwarded-For`. The
//! credential checks' properties are in `auth::fuzz`; the same bounded
//! number of cases, and the same way to run more.
//! Each property says what must hold for every input, not just "no panic".

use std::net::IpAddr;

use proptest::prelude::*;

use super::{client_ip, credentials, redirect};

proptest! {
    /// Any header value: a bearer token, when found, is non-empty and has no
    /// surrounding spaces; other schemes are not bearer tokens.
    #[test]
    fn authorization_headers(value in "[ -~]{0,200}") {
        let mut headers = http::HeaderMap::new();
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            headers.insert(http::header::AUTHORIZATION, v);
        }
        if let Some(t) = credentials::bearer(&headers) {
            prop_assert!(!t.is_empty());
            prop_assert_eq!(t, t.trim());
            prop_assert!(value.to_ascii_lowercase().starts_with("bearer "));
        }
    }

    /// `next=`: whatever comes in, what goes out is a same-site path that
    /// no browser reads as another origin, and it fits in a header.
    #[test]
    fn next_is_always_a_same_site_path(
        prefix in proptest::sample::select(vec![
            "", "/", "//", "/\\", "\\", "https:", "https://", "/\t/", "/\r\n", "javascript:", " /",
        ]),
        rest in "\\PC{0,40}",
    ) {
        let s = format!("{prefix}{rest}");
        let out = redirect::safe_next(Some(&s));
        prop_assert!(out.starts_with('/'));
        prop_assert!(!out.starts_with("//"));
        prop_assert!(!out.contains('\\'));
        prop_assert!(!out.chars().any(|c| c.is_control() || c.is_whitespace()));
        prop_assert!(http::HeaderValue::from_str(&out).is_ok());
    }

    /// `X-Forwarded-For`: an untrusted peer is always the client; behind a
    /// trusted proxy the answer is the one the documented walk gives (from
    /// the right, skipping trusted hops, stopping at the first untrusted or
    /// unreadable one), computed here independently.
    #[test]
    fn forwarded_for(
        hops in proptest::collection::vec(hop(), 0..5),
        trusted_peer in any::<bool>(),
    ) {
        let xff = hops.join(", ");
        let mut headers = http::HeaderMap::new();
        if let Ok(v) = http::HeaderValue::from_str(&xff) {
            headers.insert("x-forwarded-for", v);
        }
        let trusted = [crate::config::parse_trusted("10.0.0.0/8").unwrap()];
        let peer: IpAddr = if trusted_peer { "10.0.0.1" } else { "192.0.2.1" }.parse().unwrap();
        let ip = client_ip::client_ip(Some(peer), &headers, &trusted).unwrap();
        let expected = if trusted_peer { walk(peer, &xff, &trusted) } else { peer };
        prop_assert_eq!(ip, expected, "{}", xff);
    }
}

/// One `X-Forwarded-For` entry: a trusted or untrusted address, or junk.
fn hop() -> impl Strategy<Value = String> {
    prop_oneof![
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| format!("10.0.{a}.{b}")),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| format!("198.51.{a}.{b}")),
        any::<u16>().prop_map(|a| format!("2001:db8::{a:x}")),
        "[0-9a-f.:]{0,12}",
    ]
}

/// The client address by the documented rule, written apart from the code.
fn walk(peer: IpAddr, xff: &str, trusted: &[ipnet::IpNet]) -> IpAddr {
    let mut client = peer;
    for hop in xff.rsplit(',').map(str::trim) {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip;
        if !trusted.iter().any(|net| net.contains(&ip)) {
            break;
        }
    }
    client
}
