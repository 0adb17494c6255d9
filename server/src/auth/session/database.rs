//! Sessions in the SQL database (`sessions` table): they survive restarts.
//!
//! The username comes from a join with `users`, so a disabled account's
//! sessions stop resolving at once.

use super::{DeviceSession, SessionStore};
use crate::auth::device::{insert_row, live_of_user, select_device};
use crate::auth::token::TokenHash;
use crate::db::Db;
use crate::Result;

/// A session store backed by the `sessions` table.
#[derive(Clone, Debug)]
pub struct DatabaseStore {
    db: Db,
}

impl DatabaseStore {
    /// A store over `db`.
    pub fn new(db: Db) -> Self {
        DatabaseStore { db }
    }
}

impl SessionStore for DatabaseStore {
    async fn insert(&self, hash: &TokenHash, r: &DeviceSession) -> Result<()> {
        insert_row(&self.db, hash, r).await
    }

    async fn find(&self, hash: &TokenHash, now: i64) -> Result<Option<DeviceSession>> {
        let row = sqlx::query_as::<_, DeviceSession>(select_device!(
            "WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND u.disabled_at IS NULL \
             AND s.idle_expires_at > $2 AND s.absolute_expires_at > $3"
        ))
        .bind(hash.as_str())
        .bind(now)
        .bind(now)
        .fetch_optional(&self.db)
        .await?;
        Ok(row)
    }

    async fn touch(&self, hash: &TokenHash, now: i64, idle_expires_at: i64) -> Result<()> {
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2 WHERE token_hash = $3",
        )
        .bind(now)
        .bind(idle_expires_at)
        .bind(hash.as_str())
        .execute(&self.db)
        .await?;
        Ok(())
    }

    async fn remove(&self, hash: &TokenHash) -> Result<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash.as_str())
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn remove_user(&self, user_id: &str) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected())
    }

    async fn list_user(&self, user_id: &str, now: i64) -> Result<Vec<DeviceSession>> {
        live_of_user(&self.db, user_id, now).await
    }

    async fn remove_device(&self, user_id: &str, device_id: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(device_id)
            .bind(user_id)
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn purge_expired(&self, now: i64) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM sessions WHERE idle_expires_at <= $1 OR absolute_expires_at <= $2",
        )
        .bind(now)
        .bind(now)
        .execute(&self.db)
        .await?;
        Ok(done.rows_affected())
    }

    async fn ping(&self) -> bool {
        crate::db::ping(&self.db).await
    }
}
