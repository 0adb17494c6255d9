//! Sessions in the SQL database (`sessions` table): they survive restarts.
//!
//! The username comes from a join with `users`, so a disabled account's
//! sessions stop resolving at once.

use super::{DeviceSession, SessionStore};
use crate::auth::device::insert_row;
use crate::auth::token::TokenHash;
use crate::db::Db;
use crate::Result;

/// A session store backed by the `sessions` table.
#[derive(Clone, Debug)]
pub struct DatabaseStore {
    db: Db,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    user_id: String,
    username: String,
    created_at: i64,
    last_seen_at: i64,
    idle_expires_at: i64,
    absolute_expires_at: i64,
    user_agent: Option<String>,
    ip: Option<String>,
}

impl From<Row> for DeviceSession {
    fn from(r: Row) -> Self {
        DeviceSession {
            id: r.id,
            user_id: r.user_id,
            username: r.username,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            idle_expires_at: r.idle_expires_at,
            absolute_expires_at: r.absolute_expires_at,
            user_agent: r.user_agent,
            ip: r.ip,
        }
    }
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
        let row = sqlx::query_as::<_, Row>(
            "SELECT s.id, s.user_id, u.username, s.created_at, s.last_seen_at, \
             s.idle_expires_at, s.absolute_expires_at, s.user_agent, s.ip \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND u.disabled_at IS NULL \
             AND s.idle_expires_at > $2 AND s.absolute_expires_at > $3",
        )
        .bind(hash.as_str())
        .bind(now)
        .bind(now)
        .fetch_optional(&self.db)
        .await?;
        Ok(row.map(Into::into))
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
