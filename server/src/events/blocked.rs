//! Refusals by a lock, one row per lock.
//!
//! While a name or an address is locked every sign-in attempt on it is
//! refused before any password check, and each refusal is an audit event.
//! Written one row each, a script hammering a locked name would fill the
//! disk, load SQLite's single writer and bury the owner's real events; so
//! a lock's refusals are counted on the row its first one wrote
//! (`attempts`, `last_at`), and the owner reads "N attempts blocked between
//! T1 and T2".

use super::kinds::Event;
use super::write::{bind_row, COLUMNS};
use crate::db::Db;
use crate::Result;

/// The row a lock's blocked attempts are counted on: the one its first
/// blocked attempt wrote, found by what was locked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockedBy<'a> {
    /// The account name (the hash it is stored under).
    Name(&'a str),
    /// The client address.
    Address(&'a str),
}

/// Records an attempt that a lock refused (`event`, of kind
/// [`EventKind::SignInThrottled`]): counted on the row the same lock's
/// first refusal wrote (same kind, same name or address, at or after
/// `since`, when the lock began), else written as that row. A script
/// hammering a locked name so adds one row per lock. Failures are logged,
/// not returned.
///
/// The row is written only where none is (`INSERT … WHERE NOT EXISTS`), so
/// concurrent first refusals make one row on SQLite, whose writes are
/// serialised; on PostgreSQL two of them may both write one, so a lock's
/// rows are at most the attempts in flight as it began.
pub async fn record_blocked(db: &Db, event: Event<'_>, locked: LockedBy<'_>, since: i64) {
    let kind = event.kind.as_str();
    if let Err(e) = count_or_write(db, &event, locked, since).await {
        tracing::warn!(error = %e, kind, "could not count a blocked attempt");
    }
}

async fn count_or_write(
    db: &Db,
    event: &Event<'_>,
    locked: LockedBy<'_>,
    since: i64,
) -> Result<()> {
    let (column, value) = match locked {
        LockedBy::Name(name) => ("username", name),
        LockedBy::Address(ip) => ("ip", ip),
    };
    let kind = event.kind.as_str();
    // The lock's row, its parameters numbered from `first`.
    let lock_row = |first: u8| {
        format!(
            "kind = ${first} AND {column} = ${} AND at >= ${}",
            first + 1,
            first + 2
        )
    };
    let count = format!(
        "UPDATE auth_events SET attempts = attempts + 1, last_at = $1 WHERE id = \
         (SELECT id FROM auth_events WHERE {} ORDER BY at DESC, id DESC LIMIT 1)",
        lock_row(2)
    );
    let write = format!(
        "INSERT INTO auth_events ({COLUMNS}) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 \
         WHERE NOT EXISTS (SELECT 1 FROM auth_events WHERE {})",
        lock_row(10)
    );
    // The lock's row counts it; else this is the lock's first refusal; else
    // another request wrote the row meanwhile, which counts it.
    for attempt in 0..2 {
        let counted = sqlx::query(&count)
            .bind(event.at)
            .bind(kind)
            .bind(value)
            .bind(since)
            .execute(db)
            .await?;
        if counted.rows_affected() > 0 || attempt == 1 {
            return Ok(());
        }
        let written = bind_row(sqlx::query(&write), event)
            .bind(kind)
            .bind(value)
            .bind(since)
            .execute(db)
            .await?;
        if written.rows_affected() > 0 {
            return Ok(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventKind;

    /// Refusals by one lock, four of them at once: every one counted on
    /// the lock's row (one row where writes are serialised, SQLite: `exact`;
    /// at most one per refusal in flight on PostgreSQL), and a new row for
    /// the next lock.
    async fn a_lock_is_one_row(db: &Db, exact: bool) {
        /// `at`, `attempts`, `last_at`.
        type Row = (i64, i64, Option<i64>);
        fn refused(at: i64) -> Event<'static> {
            Event {
                kind: EventKind::SignInThrottled,
                at,
                user_id: None,
                username: Some("acct:hashed"),
                ip: Some("203.0.113.9"),
                user_agent: None,
                device_id: None,
                detail: Some("browser"),
            }
        }
        let name = LockedBy::Name("acct:hashed");
        let at_once: Vec<_> = (0..4)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move { record_blocked(&db, refused(100), name, 100).await })
            })
            .collect();
        for task in at_once {
            task.await.unwrap();
        }
        record_blocked(db, refused(107), name, 100).await;
        record_blocked(db, refused(200), name, 150).await;
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT at, attempts, last_at FROM auth_events WHERE kind = 'sign_in_throttled' \
             ORDER BY at, attempts DESC",
        )
        .fetch_all(db)
        .await
        .unwrap();
        let (first, next): (Vec<&Row>, Vec<_>) = rows.iter().partition(|r| r.0 == 100);
        assert_eq!(first.iter().map(|r| r.1).sum::<i64>(), 5, "{rows:?}");
        // The later refusal is counted on one of the lock's rows (where
        // PostgreSQL wrote two, on the newest).
        let last = first.iter().filter_map(|r| r.2).max();
        assert_eq!(last, Some(107), "{rows:?}");
        if exact {
            assert_eq!(first.len(), 1, "{rows:?}");
        }
        assert_eq!(next, [&(200, 1, None)]);
    }

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn a_lock_is_one_row_in_sqlite(pool: sqlx::SqlitePool) {
        a_lock_is_one_row(&crate::db::testing::from_sqlite(pool).await, true).await;
    }

    #[tokio::test]
    async fn a_lock_is_one_row_in_postgres() {
        let Some(pg) = crate::db::testing::PgTestDb::create().await else {
            return crate::testing::skip("PostgreSQL", crate::db::testing::POSTGRES_ENV);
        };
        a_lock_is_one_row(&pg.db, false).await;
        pg.drop().await;
    }
}
