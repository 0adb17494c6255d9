//! What the inspector (`/inspect`) shows: what the browser sent on this
//! request, what the server did with it, what it keeps, and, in JWT mode,
//! the access token opened. No raw credential is ever in these shapes:
//! lengths, hash prefixes and decoded claims only.

use serde::{Deserialize, Serialize};

use crate::Mode;

/// One auth cookie the browser sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CookieView {
    pub name: String,
    /// Bytes of `name=value` in the `Cookie` header.
    pub bytes: usize,
    pub value_chars: usize,
    /// The start of the SHA-256 of the value.
    pub hash_prefix: String,
    /// What the server keeps of the value, in a sentence.
    pub kept: String,
    /// How long the browser keeps it, from the attributes it was set with.
    pub lifetime: String,
}

/// The device session as its store holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    /// The store's key: the start of the hash of the session ID (session
    /// mode) or of the current refresh token (JWT mode).
    pub key_prefix: Option<String>,
    pub device_id: String,
    pub username: String,
    pub user_id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
    pub persistent: bool,
    /// How the sign-in was proved, as RFC 8176 names it: `pwd`, `hwk` (a
    /// passkey bound to one device) or `swk` (a synced passkey).
    pub amr: String,
}

/// One refresh token of the device's family.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub hash_prefix: String,
    pub parent_prefix: Option<String>,
    pub issued_at: i64,
    pub used_at: Option<i64>,
    pub expires_at: i64,
}

/// The refresh family behind a JWT device session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainView {
    /// Newest first.
    pub links: Vec<LinkView>,
    pub grace_secs: i64,
    /// Whether a used token was presented again outside the grace window
    /// (the family is then revoked and no longer signs anybody in).
    pub reuse_detected: bool,
}

/// The memory store's contents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryView {
    pub sessions: usize,
    pub bytes_per_session: usize,
}

/// The access token, opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    /// The header and payload as indented JSON.
    pub header: String,
    pub payload: String,
    /// Characters of the header, payload and signature parts.
    pub part_chars: [usize; 3],
    pub signature_bytes: usize,
    /// Whether the server accepts it now.
    pub valid: bool,
    /// In words: valid and by which key, or why it is refused.
    pub status: String,
    pub exp: Option<i64>,
}

/// The access token with one payload character changed, as the server
/// judged it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TamperView {
    /// 0-based position of the character in the payload part.
    pub position: usize,
    pub was: char,
    pub now: char,
    /// The payload as it decodes after the change.
    pub payload: String,
    pub accepted: bool,
    pub verdict: String,
}

/// Credentials the request carried that the server refused, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalView {
    pub reason: String,
    /// JWT mode: the revocation-set entry that refused the token.
    pub revoked_sid: Option<String>,
    pub revoked_at: Option<i64>,
}

/// Everything `/inspect` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspection {
    pub now: i64,
    pub mode: Mode,
    /// Where device sessions live: `memory`, `database` or `redis`.
    pub store: String,
    pub instance: String,
    pub username: Option<String>,
    pub cookies: Vec<CookieView>,
    /// Bytes of the whole `Cookie` header, auth cookies or not.
    pub cookie_header_bytes: usize,
    /// Whether an `Authorization` header carried the credential instead.
    pub bearer: bool,
    /// The attributes every auth cookie is set with.
    pub policy: Vec<String>,
    /// Store operations made while resolving this request, in order.
    pub store_ops: Vec<String>,
    pub resolve_micros: u64,
    pub record: Option<RecordView>,
    pub chain: Option<ChainView>,
    pub memory: Option<MemoryView>,
    pub token: Option<TokenView>,
    pub tamper: Option<TamperView>,
    pub refusal: Option<RefusalView>,
    /// How fast other instances learn of a sign-out, in words.
    pub revocation_bound: String,
}

/// What the live revocation did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedView {
    /// The same credentials, checked again right after: refused or not.
    pub refused: bool,
    pub detail: String,
}
