use super::*;
use crate::auth::token;

fn record(id: &str, user_id: &str, ip: Option<&str>) -> DeviceSession {
    DeviceSession {
        id: id.into(),
        user_id: user_id.into(),
        username: "Ünïcödé user".into(),
        created_at: i64::MIN,
        last_seen_at: -1,
        idle_expires_at: i64::MAX,
        absolute_expires_at: 1_800_000_000,
        user_agent: Some("agent".into()),
        ip: ip.map(Into::into),
        persistent: ip.is_some(),
        member_since: ip.map(|_| 0),
        amr: crate::auth::Amr::Pwd,
    }
}

#[test]
fn every_record_comes_back_unchanged() {
    let id = token::new_id();
    for r in [
        record(&id, &token::new_id(), Some("203.0.113.7")),
        record(&id, "", None),
        // 22 characters that are not canonical base64url (trailing bits).
        record("AAAAAAAAAAAAAAAAAAAAAB", "AAAAAAAAAAAAAAAAAAAAA=", Some("")),
        record(&"x".repeat(300), "user-1", Some("::1")),
    ] {
        let e = Entry::new([0; 32], &r, r.user_agent.as_deref().map(Arc::from));
        assert_eq!(e.record(), r);
        assert_eq!(e.id().as_deref(), Some(r.id.as_str()));
        assert!(e.is_of_user(&r.user_id));
        assert!(!e.is_of_user("somebody else"));
    }
}

#[test]
fn generated_ids_pack_into_raw_bytes() {
    let r = record(&token::new_id(), &token::new_id(), None);
    let e = Entry::new([0; 32], &r, None);
    // Flags, two raw ids, a text username, no ip.
    assert_eq!(e.text.len(), 1 + 2 * 17 + 5 + r.username.len() + 1);
}

#[test]
fn keys_are_the_hash_bytes() {
    let raw = token::new_token();
    let hash = TokenHash::of(&raw);
    let expected: [u8; 32] = Sha256::digest(raw.as_bytes()).into();
    assert_eq!(key(&hash), expected);
    let odd = TokenHash::from_stored("not base64!".into());
    assert_ne!(key(&odd), [0; 32]);
    assert_ne!(key(&odd), key(&TokenHash::from_stored("other".into())));
}

#[test]
fn an_entry_is_small() {
    assert!(std::mem::size_of::<Entry>() <= 96);
}
