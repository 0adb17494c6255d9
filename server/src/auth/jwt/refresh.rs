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

use crate::auth::session::{insert_row, SessionRecord};
use crate::auth::token::{self, TokenHash};
use crate::auth::ClientMeta;
use crate::db::Db;
use crate::users::User;
use crate::Result;

/// One signed-in device in JWT mode.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Family {
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub created_at: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
}

/// Why a refresh token was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Not a token we issued.
    Unknown,
    /// Past its idle or absolute lifetime.
    Expired,
    /// Its family was revoked (sign-out, reuse, account change).
    Revoked,
    /// Used again after the grace window: the family (this id) is now revoked.
    Reused(String),
}

/// Lifetimes of refresh tokens and families, in seconds.
#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
    /// A refresh token unused this long expires (sliding with rotation).
    pub idle: i64,
    /// A family ends this long after sign-in.
    pub absolute: i64,
    /// How long after a rotation the old token still yields the same successor.
    pub grace: i64,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    session_id: String,
    expires_at: i64,
    user_id: String,
    username: String,
    created_at: i64,
    absolute_expires_at: i64,
    revoked_at: Option<i64>,
    disabled_at: Option<i64>,
}

/// The successor of refresh token `raw`: HMAC-SHA256(secret, raw), base64url.
pub fn successor(secret: &[u8], raw: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(raw.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Starts a family for `user`; returns it and its first refresh token.
pub async fn start(
    db: &Db,
    user: &User,
    client: &ClientMeta,
    life: Lifetimes,
    now: i64,
) -> Result<(Family, String)> {
    let raw = token::new_token();
    let hash = TokenHash::of(&raw);
    let family = Family {
        id: token::new_id(),
        user_id: user.id.clone(),
        username: user.username.clone(),
        created_at: now,
        idle_expires_at: (now + life.idle).min(now + life.absolute),
        absolute_expires_at: now + life.absolute,
    };
    let row = SessionRecord {
        id: family.id.clone(),
        user_id: family.user_id.clone(),
        username: family.username.clone(),
        created_at: now,
        last_seen_at: now,
        idle_expires_at: family.idle_expires_at,
        absolute_expires_at: family.absolute_expires_at,
        user_agent: client.user_agent.clone(),
        ip: client.ip.clone(),
    };
    // The family's `sessions.token_hash` must not be the hash of a token the
    // client holds: on a database later served in session mode, that refresh
    // token would pass as a session ID. It is the hash of a value nobody sees.
    let row_hash = TokenHash::of(&token::new_token());
    let mut tx = db.begin().await?;
    insert_row(&mut *tx, &row_hash, &row).await?;
    insert_token(
        &mut tx,
        &hash,
        &family.id,
        None,
        now,
        family.idle_expires_at,
    )
    .await?;
    tx.commit().await?;
    Ok((family, raw))
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

/// Uses refresh token `raw`: on success returns the family and the successor.
pub async fn rotate(
    db: &Db,
    secret: &[u8],
    raw: &str,
    life: Lifetimes,
    now: i64,
) -> Result<std::result::Result<(Family, String), Refusal>> {
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
    let child_raw = successor(secret, raw);
    let child = TokenHash::of(&child_raw);
    let idle = (now + life.idle).min(row.absolute_expires_at);
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
    if now - used_at > life.grace {
        tx.rollback().await?;
        revoke(db, &row.session_id, now, "refresh token reuse").await?;
        return Ok(Err(Refusal::Reused(row.session_id)));
    }
    insert_token(&mut tx, &child, &row.session_id, Some(&hash), now, idle).await?;
    sqlx::query("UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2 WHERE id = $3")
        .bind(now)
        .bind(idle)
        .bind(&row.session_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let family = Family {
        id: row.session_id,
        user_id: row.user_id,
        username: row.username,
        created_at: row.created_at,
        idle_expires_at: idle,
        absolute_expires_at: row.absolute_expires_at,
    };
    Ok(Ok((family, child_raw)))
}

async fn find(db: &Db, hash: &TokenHash) -> Result<Option<TokenRow>> {
    Ok(sqlx::query_as::<_, TokenRow>(
        "SELECT rt.session_id, rt.expires_at, s.user_id, u.username, s.created_at, \
         s.absolute_expires_at, s.revoked_at, u.disabled_at \
         FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id \
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

/// A live family by id.
pub async fn family(db: &Db, id: &str, now: i64) -> Result<Option<Family>> {
    Ok(sqlx::query_as::<_, Family>(
        "SELECT s.id, s.user_id, u.username, s.created_at, s.idle_expires_at, s.absolute_expires_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id = $1 AND s.revoked_at IS NULL AND s.idle_expires_at > $2 \
         AND s.absolute_expires_at > $3",
    )
    .bind(id)
    .bind(now)
    .bind(now)
    .fetch_optional(db)
    .await?)
}

/// Deletes families that can no longer be used (past a deadline) together
/// with their refresh tokens. Revoked families are kept until `revoked_before`,
/// so other instances still read the revocation while it matters.
pub async fn purge(db: &Db, now: i64, revoked_before: i64) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM sessions WHERE (idle_expires_at <= $1 OR absolute_expires_at <= $2) \
         AND (revoked_at IS NULL OR revoked_at <= $3)",
    )
    .bind(now)
    .bind(now)
    .bind(revoked_before)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes a family; `true` if it was live until now.
pub async fn revoke(db: &Db, family_id: &str, now: i64, reason: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1, revoke_reason = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(reason)
    .bind(family_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Revokes every live family of a user; returns their ids.
pub async fn revoke_user(db: &Db, user_id: &str, now: i64, reason: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "UPDATE sessions SET revoked_at = $1, revoke_reason = $2 \
         WHERE user_id = $3 AND revoked_at IS NULL RETURNING id",
    )
    .bind(now)
    .bind(reason)
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
