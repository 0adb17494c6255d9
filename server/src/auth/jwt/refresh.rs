//! Refresh tokens and their families, in the database.
//!
//! A family is one signed-in device: a `sessions` row. Each refresh token is
//! an opaque 256-bit value, stored only as its SHA-256 in `refresh_tokens`,
//! chained to its parent. Every use rotates it. The successor of a token is
//! derived from it with HMAC-SHA256 under a server secret, so a second request
//! that presents the same token within the grace window (several tabs
//! refreshing at once) gets the very same successor without the server ever
//! storing a raw token. A token used again after the grace window is reuse:
//! the whole family is revoked (RFC 9700 §4.14.2).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::device::{insert_row, DeviceSession};
use crate::auth::dpop::Jkt;
use crate::auth::token::{self, TokenHash};
use crate::auth::{Amr, ClientMeta, Refusal};
use crate::db::Db;
use crate::users::User;
use crate::Result;

/// Lifetimes of refresh tokens and families, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
    /// A refresh token unused this long expires (sliding with rotation).
    pub idle: i64,
    /// The same for a sign-in that ends with the browser.
    pub short_idle: i64,
    /// A family ends this long after sign-in.
    pub absolute: i64,
    /// How long after a rotation the old token still yields the same
    /// successor; 0 means never.
    pub grace: i64,
}

impl Lifetimes {
    /// The sliding idle lifetime of a sign-in kept or not kept.
    pub fn idle_for(&self, persistent: bool) -> i64 {
        if persistent {
            self.idle
        } else {
            self.short_idle.min(self.idle)
        }
    }
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    session_id: String,
    expires_at: i64,
    user_id: String,
    username: String,
    created_at: i64,
    absolute_expires_at: i64,
    user_agent: Option<String>,
    ip: Option<String>,
    revoked_at: Option<i64>,
    disabled_at: Option<i64>,
    persistent: i64,
    member_since: i64,
    amr: String,
    dpop_jkt: Option<String>,
    audience: Option<String>,
}

/// The successor of refresh token `raw`: HMAC-SHA256(secret, raw), base64url.
pub fn successor(secret: &[u8], raw: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(raw.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Starts a family for `user`, bound to the key `client` proved if any,
/// for the resource server it asked for if any; returns it and its first
/// refresh token.
pub async fn start(
    db: &Db,
    user: &User,
    client: &ClientMeta,
    life: Lifetimes,
    now: i64,
    (persistent, amr): (bool, Amr),
) -> Result<(DeviceSession, String)> {
    let raw = token::new_token();
    let hash = TokenHash::of(&raw);
    let idle = life.idle_for(persistent);
    let family = DeviceSession::start(user, client, persistent, amr, now, idle, life.absolute);
    let terms = (
        client.key.as_ref().map(Jkt::as_str),
        client.resource.as_deref(),
    );
    insert_family(db, &family, &hash, now, terms).await?;
    Ok((family, raw))
}

/// Makes `device` (a device session from session mode) a family with a
/// first refresh token, keeping its id and deadlines; returns that token.
pub async fn adopt(db: &Db, device: &DeviceSession, now: i64) -> Result<String> {
    let raw = token::new_token();
    insert_family(db, device, &TokenHash::of(&raw), now, (None, None)).await?;
    Ok(raw)
}

async fn insert_family(
    db: &Db,
    family: &DeviceSession,
    first: &TokenHash,
    now: i64,
    (key, audience): (Option<&str>, Option<&str>),
) -> Result<()> {
    // The family's `sessions.token_hash` must not be the hash of a token the
    // client holds: on a database later served in session mode, that refresh
    // token would pass as a session ID. It is the hash of a value nobody sees.
    let row_hash = TokenHash::of(&token::new_token());
    let mut tx = db.begin().await?;
    insert_row(&mut *tx, &row_hash, family).await?;
    if key.is_some() || audience.is_some() {
        sqlx::query("UPDATE sessions SET dpop_jkt = $1, audience = $2 WHERE id = $3")
            .bind(key)
            .bind(audience)
            .bind(&family.id)
            .execute(&mut *tx)
            .await?;
    }
    insert_token(
        &mut tx,
        first,
        &family.id,
        None,
        now,
        family.idle_expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_token(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    hash: &TokenHash,
    session_id: &str,
    parent: Option<&TokenHash>,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, session_id, parent_hash, issued_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash) DO NOTHING",
    )
    .bind(hash.as_str())
    .bind(session_id)
    .bind(parent.map(TokenHash::as_str))
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Uses refresh token `raw` for a client that proved `key` (or none) and
/// asks for `resource` (or none): on success returns the family, the
/// successor and the resource server the family's tokens are for. Before
/// anything is written, a family bound to a key is refused
/// ([`Refusal::WrongKey`]) unless `key` is that key, and one whose tokens
/// are for another resource than the one asked for
/// ([`Refusal::OtherResource`]): the token stays usable by its client.
pub async fn rotate(
    db: &Db,
    secret: &[u8],
    raw: &str,
    (key, resource): (Option<&Jkt>, Option<&str>),
    life: Lifetimes,
    now: i64,
) -> Result<std::result::Result<(DeviceSession, String, Option<String>), Refusal>> {
    if !token::is_well_formed(raw) {
        return Ok(Err(Refusal::Unknown));
    }
    let hash = TokenHash::of(raw);
    let Some(row) = find(db, &hash).await? else {
        return Ok(Err(Refusal::Unknown));
    };
    if row.revoked_at.is_some() || row.disabled_at.is_some() {
        return Ok(Err(Refusal::Revoked));
    }
    if row.expires_at <= now || row.absolute_expires_at <= now {
        return Ok(Err(Refusal::Expired));
    }
    if let Some(bound) = &row.dpop_jkt {
        if key.map(Jkt::as_str) != Some(bound.as_str()) {
            return Ok(Err(Refusal::WrongKey));
        }
    }
    if resource.is_some_and(|r| Some(r) != row.audience.as_deref()) {
        return Ok(Err(Refusal::OtherResource));
    }
    let child_raw = successor(secret, raw);
    let child = TokenHash::of(&child_raw);
    let persistent = row.persistent != 0;
    let idle = (now + life.idle_for(persistent)).min(row.absolute_expires_at);
    // The write comes first, so the transaction holds the write lock from its
    // first statement (no read-then-upgrade deadlock in SQLite).
    let mut tx = db.begin().await?;
    let claimed = sqlx::query(
        "UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(hash.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    let used_at = if claimed {
        now
    } else {
        let (used_at,): (Option<i64>,) =
            sqlx::query_as("SELECT used_at FROM refresh_tokens WHERE token_hash = $1")
                .bind(hash.as_str())
                .fetch_one(&mut *tx)
                .await?;
        used_at.unwrap_or(now)
    };
    // Within the grace window a second use (another tab refreshing at the
    // same moment) gets the same successor; with no grace, never.
    let in_grace = life.grace > 0 && now - used_at <= life.grace;
    if !claimed && !in_grace {
        tx.rollback().await?;
        super::families::revoke(db, &row.session_id, now, "refresh token reuse").await?;
        return Ok(Err(Refusal::Reused {
            device_id: row.session_id,
            user_id: row.user_id,
        }));
    }
    insert_token(&mut tx, &child, &row.session_id, Some(&hash), now, idle).await?;
    sqlx::query("UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2 WHERE id = $3")
        .bind(now)
        .bind(idle)
        .bind(&row.session_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let family = DeviceSession {
        id: row.session_id,
        user_id: row.user_id,
        username: row.username,
        created_at: row.created_at,
        last_seen_at: now,
        idle_expires_at: idle,
        absolute_expires_at: row.absolute_expires_at,
        user_agent: row.user_agent,
        ip: row.ip,
        persistent,
        member_since: Some(row.member_since),
        amr: Amr::from_stored(&row.amr),
    };
    Ok(Ok((family, child_raw, row.audience)))
}

async fn find(db: &Db, hash: &TokenHash) -> Result<Option<TokenRow>> {
    Ok(sqlx::query_as::<_, TokenRow>(
        "SELECT rt.session_id, rt.expires_at, s.user_id, u.username, s.created_at, \
         s.absolute_expires_at, s.user_agent, s.ip, s.revoked_at, u.disabled_at, s.persistent, \
         s.amr, s.dpop_jkt, s.audience, u.created_at AS member_since FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id \
         JOIN users u ON u.id = s.user_id WHERE rt.token_hash = $1",
    )
    .bind(hash.as_str())
    .fetch_optional(db)
    .await?)
}

/// The family a refresh token belongs to, whatever its state.
pub async fn family_id_of(db: &Db, raw: &str) -> Result<Option<String>> {
    if !token::is_well_formed(raw) {
        return Ok(None);
    }
    Ok(find(db, &TokenHash::of(raw)).await?.map(|r| r.session_id))
}
