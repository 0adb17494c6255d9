//! Tests of `tokens.json`: round trip, file modes, errors, expiry.

use super::*;
use crate::base::ensure_dir;
use crate::tests::scratch_dir;
use std::os::unix::fs::PermissionsExt as _;

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn tokens() -> Tokens {
    Tokens {
        server: "http://localhost:3000".into(),
        resource: Some("http://127.0.0.1:4000".into()),
        token_type: "DPoP".into(),
        access_token: "at-1".into(),
        refresh_token: Some("rt-1".into()),
        expires_at: Some(1_700_000_900),
    }
}

#[test]
fn tokens_round_trip_in_a_0600_file_in_a_0700_dir() {
    let dir = scratch_dir("store-round-trip");
    assert_eq!(load(&dir).unwrap(), None);
    save(&dir, &tokens()).unwrap();
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(TOKENS_FILE)), 0o600);
    assert_eq!(load(&dir).unwrap(), Some(tokens()));

    // Replacing keeps the mode, even over a file someone loosened, and
    // leaves no temporary file behind.
    fs::set_permissions(dir.join(TOKENS_FILE), fs::Permissions::from_mode(0o644)).unwrap();
    let next = Tokens {
        access_token: "at-2".into(),
        resource: None,
        expires_at: None,
        ..tokens()
    };
    save(&dir, &next).unwrap();
    assert_eq!(mode(&dir.join(TOKENS_FILE)), 0o600);
    assert_eq!(load(&dir).unwrap(), Some(next));
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);

    delete(&dir).unwrap();
    assert_eq!(load(&dir).unwrap(), None);
    delete(&dir).unwrap();
    let Err(Fail(msg)) = require(&dir) else {
        panic!("signed in with no tokens")
    };
    assert!(msg.contains("Not signed in"), "{msg}");
}

#[test]
fn a_corrupt_tokens_file_is_a_clear_error() {
    let dir = scratch_dir("store-corrupt");
    ensure_dir(&dir).unwrap();
    for text in ["", "{", r#"{"server":"x"}"#] {
        fs::write(dir.join(TOKENS_FILE), text).unwrap();
        let Err(Fail(msg)) = load(&dir) else {
            panic!("{text:?} accepted")
        };
        assert!(msg.contains(TOKENS_FILE) && msg.contains("login"), "{msg}");
    }
}

#[test]
fn expiry_counts_a_margin() {
    let t = tokens();
    assert!(!t.expired(1_700_000_000));
    assert!(t.expired(1_700_000_895));
    assert!(t.expired(1_700_001_000));
    assert!(!Tokens {
        expires_at: None,
        ..t
    }
    .expired(i64::MAX));
}

#[test]
fn a_refresh_keeps_the_refresh_token_unless_rotated() {
    let answer = |rt: Option<&str>| TokenResponse {
        access_token: "at-new".into(),
        token_type: "DPoP".into(),
        expires_in: Some(300),
        refresh_token: rt.map(Into::into),
    };
    let mut t = tokens();
    t.refreshed(answer(None), 1_000);
    assert_eq!(t.access_token, "at-new");
    assert_eq!(t.refresh_token.as_deref(), Some("rt-1"));
    assert_eq!(t.expires_at, Some(1_300));
    t.refreshed(answer(Some("rt-2")), 2_000);
    assert_eq!(t.refresh_token.as_deref(), Some("rt-2"));
    assert_eq!(t.expires_at, Some(2_300));
    assert_eq!(t.server, "http://localhost:3000");
}

#[test]
fn the_default_dir_follows_xdg_then_home() {
    let dir = |x: Option<&str>, h: Option<&str>| default_dir(x.map(Into::into), h.map(Into::into));
    let home = Path::new("/h/.config/latchkey-cli");
    assert_eq!(
        dir(Some("/x"), Some("/h")).unwrap(),
        Path::new("/x/latchkey-cli")
    );
    assert_eq!(dir(Some("rel"), Some("/h")).unwrap(), home);
    assert_eq!(dir(None, Some("/h")).unwrap(), home);
    assert!(dir(Some(""), Some("")).is_err());
    assert!(dir(None, None).is_err());
}

#[test]
fn utc_formats_unix_seconds() {
    assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
    assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
    assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
}

#[test]
fn expiry_is_told_in_words() {
    let t = tokens();
    assert_eq!(
        t.expiry(1_700_000_000),
        "The access token expires at 2023-11-14 22:28:20 UTC (in 15 min)."
    );
    assert_eq!(
        t.expiry(1_700_001_000),
        "The access token expired at 2023-11-14 22:28:20 UTC; the next call refreshes it."
    );
}
