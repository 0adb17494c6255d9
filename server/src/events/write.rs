//! Writing the audit trail: appending an event, deleting expired ones.

use std::time::{SystemTime, UNIX_EPOCH};

use super::kinds::Event;
use crate::db::Db;
use crate::random::new_id;
use crate::Result;

/// The columns an event is written to, in the order [`bind_row`] binds
/// them.
pub(super) const COLUMNS: &str =
    "id, at, kind, user_id, username, ip, user_agent, device_id, detail";

/// A new event id that sorts after the ids written before it: the wall
/// clock in microseconds (14 hex digits), then 64 random bits. `at` has
/// one-second resolution, so the id orders the events of one second (a
/// sign-up and its sign-in) as they happened, on every instance whose clock
/// is right.
pub(super) fn event_id() -> String {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    format!("{micros:014x}{}", &new_id()[..11])
}

/// `query` with `event`'s values bound as its first nine parameters, in the
/// order of [`COLUMNS`] (a new id first).
pub(super) fn bind_row<'q>(
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
    use crate::events::EventKind;

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
}
