//! Property tests over the credential checks every request runs untrusted
//! input through: the credential cookie's shape check and the access-token
//! verifier. The HTTP parsers' properties are in `http::fuzz`.
//!
//! The test command runs a bounded number of cases (proptest's default 256
//! per property, a few seconds); a longer run is
//! `PROPTEST_CASES=200000 cargo test -p server -p app -p latchkey --features
//! app/ssr,latchkey/ssr -- fuzz`.
//! Each property says what must hold for every input, not just "no panic".

use proptest::prelude::*;

use super::jwt::claims::{self, AccessClaims};
use super::jwt::keys::Keyring;
use super::token;

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

    /// Exactly the strings of our token shape pass the credential check that
    /// runs before any store lookup: 43 base64url characters that decode to
    /// 32 bytes (so the last character carries no stray bits). Half the cases
    /// are drawn from the token alphabet at the token length, so the
    /// accepting branch is exercised, not just the refusals.
    #[test]
    fn cookie_values(s in prop_oneof![
        proptest::collection::vec(base64url_char(), token::TOKEN_CHARS)
            .prop_map(|v| v.into_iter().collect::<String>()),
        "\\PC{0,100}",
    ]) {
        let alphabet = s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let last_bits_clear = s
            .bytes()
            .last()
            .and_then(|b| BASE64URL.iter().position(|&a| a == b))
            .is_some_and(|i| i % 4 == 0);
        let expected = s.len() == token::TOKEN_CHARS && alphabet && last_bits_clear;
        prop_assert_eq!(token::is_well_formed(&s), expected, "{:?}", s);
    }

}

const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_char() -> impl Strategy<Value = char> {
    proptest::sample::select(BASE64URL.to_vec()).prop_map(char::from)
}
