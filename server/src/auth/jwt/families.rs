//! Refresh families as rows of the `sessions` table: one signed-in device in
//! JWT mode, read as a [`DeviceSession`], revoked (the durable record every
//! instance reads revocations from) and purged once past its deadlines.

use crate::auth::device::{select_device, DeviceSession};
use crate::db::Db;
use crate::Result;

/// A live family by id, of an account that is not disabled.
pub async fn family(db: &Db, id: &str, now: i64) -> Result<Option<DeviceSession>> {
    Ok(sqlx::query_as::<_, DeviceSession>(select_device!(
        "WHERE s.id = $1 AND s.revoked_at IS NULL AND s.idle_expires_at > $2 \
         AND s.absolute_expires_at > $3 AND u.disabled_at IS NULL"
    ))
    .bind(id)
    .bind(now)
    .bind(now)
    .fetch_optional(db)
    .await?)
}

/// What the families of `user_id` that carry terms were issued under, by
/// family id: bound to a DPoP key, and the service their tokens are for
/// (RFC 8707). Families with neither are left out. For the device list,
/// not for checking a request (the tokens carry both).
pub async fn terms_of_user(
    db: &Db,
    user_id: &str,
) -> Result<std::collections::HashMap<String, (bool, Option<String>)>> {
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, dpop_jkt, audience FROM sessions WHERE user_id = $1 \
         AND (dpop_jkt IS NOT NULL OR audience IS NOT NULL)",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, key, audience)| (id, (key.is_some(), audience)))
        .collect())
}

/// Revokes the live family `family_id` if it belongs to `user_id`; whether
/// it did.
pub async fn revoke_of_user(
    db: &Db,
    user_id: &str,
    family_id: &str,
    now: i64,
    reason: &str,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = $1, revoke_reason = $2 \
         WHERE id = $3 AND user_id = $4 AND revoked_at IS NULL \
         AND idle_expires_at > $5 AND absolute_expires_at > $6",
    )
    .bind(now)
    .bind(reason)
    .bind(family_id)
    .bind(user_id)
    .bind(now)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
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

/// Revokes a family; its user's id if it was not revoked until now.
pub async fn revoke(db: &Db, family_id: &str, now: i64, reason: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "UPDATE sessions SET revoked_at = $1, revoke_reason = $2 \
         WHERE id = $3 AND revoked_at IS NULL RETURNING user_id",
    )
    .bind(now)
    .bind(reason)
    .bind(family_id)
    .fetch_optional(db)
    .await?)
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
