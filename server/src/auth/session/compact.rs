//! The in-memory form of a session record, about a third of a
//! [`DeviceSession`]'s size (docs/PERFORMANCE.md: ≈ 200 bytes per session).
//!
//! A `DeviceSession` spends a 24-byte `String` header plus a heap block on
//! every text field, and its key is a 43-character base64 string. Here the key
//! is the raw 32-byte SHA-256, the four text fields share one heap block (ids
//! we generate are stored as their 16 raw bytes), and user agents, which few
//! distinct browsers share, are interned by the store. Unpacking gives back
//! exactly the record that was packed, whatever its fields hold.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::DeviceSession;
use crate::auth::token::TokenHash;
use crate::auth::Amr;

/// The lookup key: the 32 bytes behind a [`TokenHash`].
pub(super) type Key = [u8; 32];

/// One session as the memory store keeps it.
pub(super) struct Entry {
    pub key: Key,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
    pub user_agent: Option<Arc<str>>,
    /// A flags byte ([`PERSISTENT`], [`MEMBER_SINCE`], the `amr`), with that flag the
    /// account's creation time (8 bytes, little-endian), then `id`, `user_id`, `username` and
    /// `ip`, packed by [`put`].
    text: Box<[u8]>,
}

/// The key for `hash`. Hashes we make are base64url of 32 bytes; any other
/// text (never produced, but representable) is keyed by its own SHA-256.
pub(super) fn key(hash: &TokenHash) -> Key {
    // Room for the decoder's length estimate (33 for 43 characters).
    let mut buf = [0; 33];
    match URL_SAFE_NO_PAD.decode_slice(hash.as_str(), &mut buf) {
        Ok(32) => buf[..32].try_into().unwrap_or_default(),
        _ => Sha256::digest(hash.as_str().as_bytes()).into(),
    }
}

impl Entry {
    /// The bytes this entry asked the allocator for: its box and its packed
    /// text (the shared user agent is counted by the store, once).
    pub fn allocated(&self) -> usize {
        std::mem::size_of::<Self>() + self.text.len()
    }

    /// Packs `r` under `key`; `user_agent` is the store's interned copy.
    pub fn new(key: Key, r: &DeviceSession, user_agent: Option<Arc<str>>) -> Self {
        let fields = [
            Some(&r.id),
            Some(&r.user_id),
            Some(&r.username),
            r.ip.as_ref(),
        ];
        // Sized exactly up front: a block that grew and shrank leaves
        // fragments behind, which cost as much as the block itself.
        let len = 1
            + r.member_since.map_or(0, |_| 8)
            + fields
                .iter()
                .map(|f| packed_len(f.map(String::as_str)))
                .sum::<usize>();
        let mut text = Vec::with_capacity(len);
        let mut flags = 0;
        if r.persistent {
            flags |= PERSISTENT;
        }
        if r.member_since.is_some() {
            flags |= MEMBER_SINCE;
        }
        flags |= match r.amr {
            Amr::Pwd => 0,
            Amr::Hwk => AMR_HWK,
            Amr::Swk => AMR_SWK,
        };
        text.push(flags);
        if let Some(t) = r.member_since {
            text.extend_from_slice(&t.to_le_bytes());
        }
        for field in fields {
            put(&mut text, field.map(String::as_str));
        }
        Entry {
            key,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            idle_expires_at: r.idle_expires_at,
            absolute_expires_at: r.absolute_expires_at,
            user_agent,
            text: text.into_boxed_slice(),
        }
    }

    /// Whether the session is still valid at `now` (as [`DeviceSession::is_live`]).
    pub fn is_live(&self, now: i64) -> bool {
        now < self.idle_expires_at && now < self.absolute_expires_at
    }

    /// Whether the session belongs to `user_id`.
    pub fn is_of_user(&self, user_id: &str) -> bool {
        let mut fields = self.fields();
        fields.skip();
        fields.next().as_deref() == Some(user_id)
    }

    /// The record, as it was inserted (with later touches).
    pub fn record(&self) -> DeviceSession {
        let mut fields = self.fields();
        DeviceSession {
            id: fields.next().unwrap_or_default(),
            user_id: fields.next().unwrap_or_default(),
            username: fields.next().unwrap_or_default(),
            created_at: self.created_at,
            last_seen_at: self.last_seen_at,
            idle_expires_at: self.idle_expires_at,
            absolute_expires_at: self.absolute_expires_at,
            user_agent: self.user_agent.as_deref().map(str::to_string),
            ip: fields.next(),
            persistent: self.text[0] & PERSISTENT != 0,
            member_since: self.member_since(),
            amr: match self.text[0] & (AMR_HWK | AMR_SWK) {
                AMR_HWK => Amr::Hwk,
                AMR_SWK => Amr::Swk,
                _ => Amr::Pwd,
            },
        }
    }

    /// When the account was made, if the record said.
    fn member_since(&self) -> Option<i64> {
        if self.text[0] & MEMBER_SINCE == 0 {
            return None;
        }
        let bytes = self.text.get(1..9)?;
        Some(i64::from_le_bytes(bytes.try_into().unwrap_or_default()))
    }

    /// The packed text fields, after the flags and the creation time.
    fn fields(&self) -> Reader<'_> {
        let start = if self.text[0] & MEMBER_SINCE != 0 {
            9
        } else {
            1
        };
        Reader(&self.text[start..])
    }

    /// The record's id, without unpacking the rest.
    pub fn id(&self) -> Option<String> {
        self.fields().next()
    }
}

/// Flag: the sign-in outlives the browser ("keep me signed in").
const PERSISTENT: u8 = 1;
/// Flag: the record carries when the account was created.
const MEMBER_SINCE: u8 = 2;
/// Flags: how the sign-in was proved, when not by a password.
const AMR_HWK: u8 = 4;
const AMR_SWK: u8 = 8;

/// Tags of a packed text field.
const ABSENT: u8 = 0;
/// 16 raw bytes standing for their 22-character base64url text (our ids).
const RAW_ID: u8 = 1;
/// A little-endian `u32` length, then UTF-8.
const TEXT: u8 = 2;

/// The 16 bytes behind `s` if it is the canonical base64url text of 16 bytes.
fn raw_id(s: &str) -> Option<[u8; 16]> {
    // Room for the decoder's length estimate (18 for 22 characters).
    let mut raw = [0u8; 18];
    // Decoding refuses non-canonical text (stray trailing bits), so a
    // decoded id encodes back to the very same characters.
    (s.len() == 22 && URL_SAFE_NO_PAD.decode_slice(s, &mut raw) == Ok(16))
        .then(|| raw[..16].try_into().unwrap_or_default())
}

fn packed_len(field: Option<&str>) -> usize {
    match field {
        None => 1,
        Some(s) if raw_id(s).is_some() => 17,
        Some(s) => 5 + s.len(),
    }
}

fn put(out: &mut Vec<u8>, field: Option<&str>) {
    let Some(s) = field else {
        out.push(ABSENT);
        return;
    };
    if let Some(raw) = raw_id(s) {
        out.push(RAW_ID);
        out.extend_from_slice(&raw);
    } else {
        let len = u32::try_from(s.len()).expect("a session field shorter than 4 GiB");
        out.push(TEXT);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
}

/// Reads back what [`put`] wrote, field by field.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> &[u8] {
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }

    fn next(&mut self) -> Option<String> {
        match self.take(1)[0] {
            RAW_ID => Some(URL_SAFE_NO_PAD.encode(self.take(16))),
            TEXT => {
                let len = u32::from_le_bytes(self.take(4).try_into().ok()?) as usize;
                Some(String::from_utf8_lossy(self.take(len)).into_owned())
            }
            _ => None,
        }
    }

    fn skip(&mut self) {
        self.next();
    }
}

#[cfg(test)]
mod tests;
