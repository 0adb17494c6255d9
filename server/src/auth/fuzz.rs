//! Property tests over the parsers every request runs through untrusted
//! input: the `Authorization` header, the credential cookie's shape check,
//! the access-token verifier, `next=` and `X-Forwarded-For`.
//!
//! The test command runs a bounded number of cases (proptest's default 256
//! per property, a few seconds); a longer run is
//! `PROPTEST_CASES=200000 cargo test -p server -p app -p latchkey --features
//! app/ssr,latchkey/ssr -- fuzz`.
//! Each property says what must hold for every input, not just "no panic".

use std::net::IpAddr;

use proptest::prelude::*;

use super::jwt::claims::{self, AccessClaims};
use super::jwt::keys::Keyring;
use super::{client_ip, jwt, redirect, token};

const NOW: i64 = 1_800_000_000;

fn keys() -> Keyring {
    Keyring::hs256([42; 32], [7; 32])
}

fn claims() -> AccessClaims {
    claims::sample(NOW)
}

/// Characters a token is made of, plus the ones attackers add.
fn token_char() -> impl Strategy<Value = char> {
    prop_oneof![
        proptest::char::ranges(vec!['A'..='Z', 'a'..='z', '0'..='9'].into()),
        Just('-'),
        Just('_'),
        Just('.'),
        Just('='),
        Just('+'),
        Just('/'),
        any::<char>(),
    ]
}

/// One edit of a token.
#[derive(Clone, Debug)]
enum Edit {
    Replace(usize, char),
    Insert(usize, char),
    Delete(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), token_char()).prop_map(|(i, c)| Edit::Replace(i, c)),
        (any::<usize>(), token_char()).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<usize>().prop_map(Edit::Delete),
    ]
}

fn apply(token: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    for e in edits {
        match *e {
            Edit::Replace(i, c) if !chars.is_empty() => {
                let i = i % chars.len();
                chars[i] = c;
            }
            Edit::Insert(i, c) => chars.insert(i % (chars.len() + 1), c),
            Edit::Delete(i) if !chars.is_empty() => {
                let i = i % chars.len();
                chars.remove(i);
            }
            _ => {}
        }
    }
    chars.into_iter().collect()
}

proptest! {
    /// Random strings are never accepted as access tokens, and never panic.
    #[test]
    fn random_strings_are_not_tokens(s in proptest::collection::vec(token_char(), 0..600)) {
        let s: String = s.into_iter().collect();
        prop_assert!(claims::verify(&keys(), &s, NOW).is_err());
    }

    /// An edited token is refused, unless the edit left a token that means
    /// exactly the same (the verifier never accepts changed claims).
    #[test]
    fn edited_tokens_are_refused_or_unchanged(edits in proptest::collection::vec(edit(), 1..6)) {
        let k = keys();
        let original = claims::issue(&k, &claims()).unwrap();
        let edited = apply(&original, &edits);
        if let Ok(c) = claims::verify(&k, &edited, NOW) {
            prop_assert_eq!(c, claims());
        }
    }

    /// The same for EdDSA signatures.
    #[test]
    fn edited_eddsa_tokens_are_refused_or_unchanged(edits in proptest::collection::vec(edit(), 1..4)) {
        let k = Keyring::ed25519([9; 32], [7; 32]).unwrap();
        let original = claims::issue(&k, &claims()).unwrap();
        if let Ok(c) = claims::verify(&k, &apply(&original, &edits), NOW) {
            prop_assert_eq!(c, claims());
        }
    }

    /// Any header value: a bearer token, when found, is non-empty and has no
    /// surrounding spaces; other schemes are not bearer tokens.
    #[test]
    fn authorization_headers(value in "[ -~]{0,200}") {
        let mut headers = http::HeaderMap::new();
        if let Ok(v) = http::HeaderValue::from_str(&value) {
            headers.insert(http::header::AUTHORIZATION, v);
        }
        if let Some(t) = jwt::bearer(&headers) {
            prop_assert!(!t.is_empty());
            prop_assert_eq!(t, t.trim());
            prop_assert!(value.to_ascii_lowercase().starts_with("bearer "));
        }
    }

    /// Only strings of our exact token shape pass the cookie check, which
    /// runs before any store lookup; hashing any of them is fine.
    #[test]
    fn cookie_values(s in "\\PC{0,100}") {
        if token::is_well_formed(&s) {
            prop_assert_eq!(s.len(), token::TOKEN_CHARS);
            prop_assert!(s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        }
        let _ = token::TokenHash::of(&s);
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
    /// trusted proxy the answer is the peer or an address from the header.
    #[test]
    fn forwarded_for(xff in "[0-9a-f.:, ]{0,80}", trusted_peer in any::<bool>()) {
        let mut headers = http::HeaderMap::new();
        if let Ok(v) = http::HeaderValue::from_str(&xff) {
            headers.insert("x-forwarded-for", v);
        }
        let trusted = [client_ip::parse_trusted("10.0.0.0/8").unwrap()];
        let peer: IpAddr = if trusted_peer { "10.0.0.1" } else { "192.0.2.1" }.parse().unwrap();
        let ip = client_ip::client_ip(Some(peer), &headers, &trusted).unwrap();
        if trusted_peer {
            prop_assert!(ip == peer || xff.contains(&ip.to_string()) || xff.contains(':'));
        } else {
            prop_assert_eq!(ip, peer);
        }
    }
}
