//! Throttle counters in the SQL database (SQLite or PostgreSQL): one row per
//! key, counted up in a single upsert so concurrent failures on several
//! instances are all counted.

use super::policy::Failures;
use crate::db::Db;
use crate::Result;

pub async fn get(db: &Db, key: &str) -> Result<Option<Failures>> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT failures, last_failure_at FROM sign_in_failures WHERE key = $1")
            .bind(key)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(count, last_at)| Failures { count, last_at }))
}

/// Every key with a failure after `since`.
pub async fn recent(db: &Db, since: i64) -> Result<Vec<(String, Failures)>> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT key, failures, last_failure_at FROM sign_in_failures WHERE last_failure_at > $1",
    )
    .bind(since)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(key, count, last_at)| (key, Failures { count, last_at }))
        .collect())
}

pub async fn fail(db: &Db, key: &str, now: i64, reset: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_failures (key, failures, last_failure_at) VALUES ($1, 1, $2) \
         ON CONFLICT (key) DO UPDATE SET \
         failures = CASE WHEN sign_in_failures.last_failure_at <= $3 THEN 1 \
                    ELSE sign_in_failures.failures + 1 END, \
         last_failure_at = $4",
    )
    .bind(key)
    .bind(now)
    .bind(now - reset)
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn clear(db: &Db, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM sign_in_failures WHERE key = $1")
        .bind(key)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn purge(db: &Db, quiet_since: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM sign_in_failures WHERE last_failure_at <= $1")
        .bind(quiet_since)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
