//! The append-only audit trail (`auth_events`).
//!
//! The accounts service writes one event per security-relevant outcome, for
//! every transport alike. Writing an event never fails the request that caused
//! it: a failed insert is logged and the request goes on. Events older than
//! the retention period (`LATCHKEY_AUDIT_RETENTION`) are purged by the
//! maintenance task.
//!
//! A failed sign-in stores the name that was typed only as a keyed hash
//! (the throttle's account key, [`crate::names`]): people type passwords
//! into the username field, and the audit trail must not become a list of
//! them. The account's owner still sees them: [`of_account`] finds them by
//! the hash of the account's own name.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::db::Db;
use crate::random::new_id;
use crate::Result;

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    SignUp,
    SignInOk,
    SignInFailed,
    SignInThrottled,
    /// The right password for a disabled account: answered like a wrong one.
    SignInDisabled,
    SignOut,
    /// A device session ended by a request naming it (`/auth/revoke`).
    DeviceRevoked,
    /// A used refresh token came back after the grace window; its device
    /// session was revoked.
    RefreshReuse,
    PasswordChanged,
    AccountDisabled,
    /// An operator let a disabled account sign in again.
    AccountEnabled,
    /// A sign-in of the other mode carried over after a switch of
    /// `LATCHKEY_AUTH_MODE` (detail: the mode it came from).
    DeviceMigrated,
}

impl EventKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::SignUp => "sign_up",
            EventKind::SignInOk => "sign_in_ok",
            EventKind::SignInFailed => "sign_in_failed",
            EventKind::SignInThrottled => "sign_in_throttled",
            EventKind::SignInDisabled => "sign_in_disabled",
            EventKind::SignOut => "sign_out",
            EventKind::DeviceRevoked => "device_revoked",
            EventKind::RefreshReuse => "refresh_reuse_detected",
            EventKind::PasswordChanged => "password_changed",
            EventKind::AccountDisabled => "account_disabled",
            EventKind::AccountEnabled => "account_enabled",
            EventKind::DeviceMigrated => "device_migrated",
        }
    }
}

/// One audit record.
#[derive(Debug)]
pub struct Event<'a> {
    pub kind: EventKind,
    pub at: i64,
    pub user_id: Option<&'a str>,
    /// The account's name, or for a failed attempt the hash of what was typed.
    pub username: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    /// The device session the event is about.
    pub device_id: Option<&'a str>,
    /// What caused it, where that varies ([`Cause`]).
    pub detail: Option<&'a str>,
}

/// Who or what ended a device session: the `detail` of a
/// [`EventKind::DeviceRevoked`] event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The account's owner, from the devices page or API.
    Owner,
    /// The owner, signing out every device at once.
    Everywhere,
    /// A password change signed every other device out.
    PasswordChange,
    /// The holder of a token revoked it (RFC 7009).
    TokenHolder,
    /// An operator disabled the account.
    AccountDisabled,
}

impl Cause {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Owner => "owner",
            Cause::Everywhere => "everywhere",
            Cause::PasswordChange => "password_changed",
            Cause::TokenHolder => "token_holder",
            Cause::AccountDisabled => "account_disabled",
        }
    }
}

/// Where a sign-in came from: the `detail` of a [`EventKind::SignInOk`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// A browser form or page (cookies).
    Browser,
    /// The token endpoint (an API client with bearer tokens).
    Api,
}

impl Channel {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Browser => "browser",
            Channel::Api => "api",
        }
    }
}

/// A new event id that sorts after the ids written before it: the wall
/// clock in microseconds (14 hex digits), then 64 random bits. `at` has
/// one-second resolution, so the id orders the events of one second (a
/// sign-up and its sign-in) as they happened, on every instance whose clock
/// is right.
fn event_id() -> String {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    format!("{micros:014x}{}", &new_id()[..11])
}

mod history;
pub use history::{of_account, Cursor, StoredEvent};

/// The columns an event is written to, in the order [`bind_row`] binds
/// them.
const COLUMNS: &str = "id, at, kind, user_id, username, ip, user_agent, device_id, detail";

/// `query` with `event`'s values bound as its first nine parameters, in the
/// order of [`COLUMNS`] (a new id first).
fn bind_row<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    event: &Event<'q>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(event_id())
        .bind(event.at)
        .bind(event.kind.as_str())
        .bind(event.user_id)
        .bind(event.username)
        .bind(event.ip)
        .bind(event.user_agent)
        .bind(event.device_id)
        .bind(event.detail)
}

/// Appends `event`; failures are logged, not returned.
pub async fn record(db: &Db, event: Event<'_>) {
    let sql =
        format!("INSERT INTO auth_events ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
    let result = bind_row(sqlx::query(&sql), &event).execute(db).await;
    if let Err(e) = result {
        tracing::warn!(error = %e, kind = event.kind.as_str(), "could not record auth event");
    }
}

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

/// Deletes events that happened before `before`; returns how many.
pub async fn purge(db: &Db, before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM auth_events WHERE at < $1")
        .bind(before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn kinds(db: &Db) -> Vec<String> {
        sqlx::query_scalar("SELECT kind FROM auth_events ORDER BY at")
            .fetch_all(db)
            .await
            .unwrap()
    }

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn purge_drops_only_events_older_than_the_cutoff(pool: sqlx::SqlitePool) {
        let db = crate::db::testing::from_sqlite(pool).await;
        for (kind, at) in [(EventKind::SignUp, 100), (EventKind::SignOut, 200)] {
            let event = Event {
                kind,
                at,
                user_id: Some("u1"),
                username: Some("alice"),
                ip: None,
                user_agent: None,
                device_id: None,
                detail: None,
            };
            record(&db, event).await;
        }
        assert_eq!(purge(&db, 150).await.unwrap(), 1);
        assert_eq!(kinds(&db).await, ["sign_out"]);
        assert_eq!(
            purge(&db, 200).await.unwrap(),
            0,
            "the cutoff itself is kept"
        );
    }

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
        assert_eq!(first[0].2, Some(107), "{rows:?}");
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

    #[test]
    fn event_ids_sort_in_the_order_they_were_made() {
        let ids: Vec<String> = (0..50)
            .map(|_| {
                std::thread::sleep(std::time::Duration::from_micros(2));
                event_id()
            })
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert!(
            ids[0].parse::<Cursor>().is_err(),
            "an id alone is no cursor"
        );
        assert!(format!("1.{}", ids[0]).parse::<Cursor>().is_ok());
    }
}
