//! The device session: one signed-in device, in either mode.
//!
//! Session mode keeps it as a record in the session store (memory, the
//! `sessions` table, or Redis); JWT mode keeps it as a `sessions` row that
//! heads a chain of refresh tokens (a refresh family). Both are this one
//! type, and both modes write the table through [`insert_row`].

use serde::{Deserialize, Serialize};

use super::amr::Amr;
use super::client::ClientMeta;
use super::token::{self, TokenHash};
use crate::users::User;
use crate::Result;

/// What the server remembers about one signed-in device. The Redis store
/// keeps it as JSON, the SQL stores read it as a row of [`select_device!`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceSession {
    /// Row id, shown to the user; not a secret.
    pub id: String,
    pub user_id: String,
    pub username: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub idle_expires_at: i64,
    pub absolute_expires_at: i64,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// "Keep me signed in": the cookies outlive the browser. Otherwise they
    /// end with it, and the idle deadline is the short one.
    #[serde(default = "persistent_by_default")]
    pub persistent: bool,
    /// When the account was created, copied at sign-in (it never changes)
    /// so that a page showing it needs no read of `users`. `None` in a
    /// record stored before it was kept.
    #[serde(default)]
    pub member_since: Option<i64>,
    /// How the sign-in was proved (at `created_at`): a password or a
    /// passkey. Records stored before it was kept say a password.
    #[serde(default)]
    pub amr: Amr,
}

/// Records written before the choice existed were persistent.
fn persistent_by_default() -> bool {
    true
}

// Written out rather than derived: the flag is a BIGINT 0/1 in both SQL
// dialects (one schema, no engine-specific boolean), read through `Any`.
impl<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> for DeviceSession {
    fn from_row(row: &'r sqlx::any::AnyRow) -> sqlx::Result<Self> {
        use sqlx::Row;
        Ok(DeviceSession {
            id: row.try_get("id")?,
            user_id: row.try_get("user_id")?,
            username: row.try_get("username")?,
            created_at: row.try_get("created_at")?,
            last_seen_at: row.try_get("last_seen_at")?,
            idle_expires_at: row.try_get("idle_expires_at")?,
            absolute_expires_at: row.try_get("absolute_expires_at")?,
            user_agent: row.try_get("user_agent")?,
            ip: row.try_get("ip")?,
            persistent: row.try_get::<i64, _>("persistent")? != 0,
            member_since: row.try_get("member_since")?,
            amr: Amr::from_stored(row.try_get::<&str, _>("amr")?),
        })
    }
}

impl DeviceSession {
    /// The device session `user` starts from `client` at `now` (kept past
    /// the browser or not, proved how), both modes' one way to begin one: a
    /// fresh id, idle for `idle` seconds (never past
    /// the end), ending for good `absolute` seconds after it starts.
    pub fn start(
        user: &User,
        client: &ClientMeta,
        persistent: bool,
        amr: Amr,
        now: i64,
        idle: i64,
        absolute: i64,
    ) -> Self {
        DeviceSession {
            id: token::new_id(),
            user_id: user.id.clone(),
            username: user.username.clone(),
            created_at: now,
            last_seen_at: now,
            idle_expires_at: (now + idle).min(now + absolute),
            absolute_expires_at: now + absolute,
            user_agent: client.user_agent.clone(),
            ip: client.ip.clone(),
            persistent,
            member_since: Some(user.created_at),
            amr,
        }
    }

    /// Whether the device session is still valid at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        now < self.idle_expires_at && now < self.absolute_expires_at
    }
}

/// A query reading `sessions` rows (with the user's name and creation time) as
/// [`DeviceSession`]s, followed by the given conditions: both modes read
/// device sessions through it. A macro, so the text stays a `&'static str`
/// on the per-request path.
macro_rules! select_device {
    ($conditions:literal) => {
        concat!(
            "SELECT s.id, s.user_id, u.username, s.created_at, s.last_seen_at, \
             s.idle_expires_at, s.absolute_expires_at, s.user_agent, s.ip, s.persistent, s.amr, \
             u.created_at AS member_since FROM sessions s JOIN users u ON u.id = s.user_id ",
            $conditions
        )
    };
}
pub(crate) use select_device;

/// The live `sessions` rows of a user: session-mode records in the
/// database store, or JWT refresh families (both modes list devices
/// through it).
pub(crate) async fn live_of_user(
    db: &crate::db::Db,
    user_id: &str,
    now: i64,
) -> Result<Vec<DeviceSession>> {
    Ok(sqlx::query_as::<_, DeviceSession>(select_device!(
        "WHERE s.user_id = $1 AND s.revoked_at IS NULL AND u.disabled_at IS NULL \
         AND s.idle_expires_at > $2 AND s.absolute_expires_at > $3"
    ))
    .bind(user_id)
    .bind(now)
    .bind(now)
    .fetch_all(db)
    .await?)
}

/// Inserts one `sessions` row keyed by `hash`: a session-mode record (the hash
/// of its session ID) or a JWT refresh family (the hash of a value nobody
/// holds).
pub(crate) async fn insert_row<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    hash: &TokenHash,
    d: &DeviceSession,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, \
         idle_expires_at, absolute_expires_at, user_agent, ip, persistent, amr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&d.id)
    .bind(&d.user_id)
    .bind(hash.as_str())
    .bind(d.created_at)
    .bind(d.last_seen_at)
    .bind(d.idle_expires_at)
    .bind(d.absolute_expires_at)
    .bind(&d.user_agent)
    .bind(&d.ip)
    .bind(i64::from(d.persistent))
    .bind(d.amr.as_str())
    .execute(executor)
    .await?;
    Ok(())
}
