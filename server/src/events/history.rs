//! Reading an account's events back, newest first, a page at a time
//! (keyset pagination: a page starts after a [`Cursor`], so events written
//! meanwhile never shift or repeat a page).

use crate::db::Db;
use crate::Result;

/// An event as the account's owner reads it back.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredEvent {
    pub id: String,
    pub at: i64,
    /// An [`EventKind`]'s stored name.
    pub kind: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub device_id: Option<String>,
    pub detail: Option<String>,
    /// Attempts this row stands for: more than one on a lock's
    /// `sign_in_throttled` row, which counts every attempt the lock blocked.
    pub attempts: i64,
    /// The last of those attempts.
    pub last_at: Option<i64>,
}

impl StoredEvent {
    /// Where the next, older page starts: this event's place in the order.
    pub fn cursor(&self) -> Cursor {
        Cursor {
            at: self.at,
            id: self.id.clone(),
        }
    }
}

/// A place in an account's events, newest first: a page holds the events
/// after it. Written as `<at>.<id>` in URLs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: String,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.at, self.id)
    }
}

impl std::str::FromStr for Cursor {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self> {
        let invalid = || {
            crate::Error::Invalid(
                "That page of the activity list does not exist (a malformed `before`).".into(),
            )
        };
        let (at, id) = s.split_once('.').ok_or_else(invalid)?;
        let at = at.parse().map_err(|_| invalid())?;
        let well_formed = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(invalid());
        }
        Ok(Cursor {
            at,
            id: id.to_string(),
        })
    }
}

/// Up to `limit` events of the account `user_id`, newest first, older than
/// `before`: those recorded with its id, and failed or throttled attempts on
/// its name (`name_keys`: the hashes they may be stored under).
pub async fn of_account(
    db: &Db,
    user_id: &str,
    name_keys: [&str; 2],
    before: Option<&Cursor>,
    limit: u32,
) -> Result<Vec<StoredEvent>> {
    let (at, id) = match before {
        Some(c) => (c.at, c.id.as_str()),
        None => (i64::MAX, ""),
    };
    // Without a cursor every event qualifies through `at < i64::MAX`.
    Ok(sqlx::query_as::<_, StoredEvent>(
        "SELECT id, at, kind, ip, user_agent, device_id, detail, attempts, last_at \
         FROM auth_events \
         WHERE (user_id = $1 OR (user_id IS NULL AND username IN ($2, $7))) \
         AND (at < $3 OR (at = $4 AND id < $5)) \
         ORDER BY at DESC, id DESC LIMIT $6",
    )
    .bind(user_id)
    .bind(name_keys[0])
    .bind(at)
    .bind(at)
    .bind(id)
    .bind(i64::from(limit))
    .bind(name_keys[1])
    .fetch_all(db)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{record, Event, EventKind};
    use crate::random::new_id;

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn an_accounts_events_page_newest_first(pool: sqlx::SqlitePool) {
        let db = crate::db::testing::from_sqlite(pool).await;
        let ev = |at, user_id, username| Event {
            kind: EventKind::SignInOk,
            at,
            user_id,
            username,
            ip: None,
            user_agent: None,
            device_id: None,
            detail: None,
        };
        // Two events in the same second, so the id breaks the tie.
        for at in [100, 200, 200, 300] {
            record(&db, ev(at, Some("u1"), Some("alice"))).await;
        }
        record(&db, ev(250, None, Some("acct:alice"))).await;
        record(&db, ev(260, None, Some("acct:bob"))).await;
        record(&db, ev(270, Some("u2"), Some("bob"))).await;
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let page = of_account(&db, "u1", ["acct:alice", "acct:old"], before.as_ref(), 2)
                .await
                .unwrap();
            let Some(last) = page.last() else { break };
            before = Some(last.cursor());
            seen.extend(page.iter().map(|e| e.at));
        }
        assert_eq!(seen, [300, 250, 200, 200, 100]);
    }

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let c = Cursor {
            at: 1_800_000_000,
            id: new_id(),
        };
        assert_eq!(c.to_string().parse::<Cursor>().unwrap(), c);
        for junk in ["", "12", "x.abc", "12.", "12.a b", "12.a'--", "-1.é"] {
            assert!(junk.parse::<Cursor>().is_err(), "{junk}");
        }
    }

    #[test]
    fn event_ids_sort_in_the_order_they_were_made() {
        let ids: Vec<String> = (0..50)
            .map(|_| {
                std::thread::sleep(std::time::Duration::from_micros(2));
                crate::events::write::event_id()
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
