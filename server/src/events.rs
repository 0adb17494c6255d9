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

mod blocked;
mod history;
pub use blocked::{record_blocked, LockedBy};
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
