//! The passkeys table and each account's WebAuthn user handle, in the SQL
//! database (both engines): what a passkey sign-in looks up, and what the
//! security page lists.

use webauthn_rs::prelude::{Passkey, Uuid};

use super::{Facts, NewPasskey};
use crate::db::Db;
use crate::{Error, Result};

/// A stored passkey.
#[derive(Clone, Debug)]
pub struct StoredPasskey {
    pub id: String,
    pub user_id: String,
    pub credential_id: String,
    pub passkey: Passkey,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub backed_up: bool,
    pub discoverable: Option<bool>,
    pub sign_count: i64,
    /// When a sign count that did not go up stopped it (see
    /// [`suspend`]).
    pub suspended_at: Option<i64>,
}

type Row = (
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
);

const COLUMNS: &str = "id, user_id, credential_id, passkey, name, created_at, last_used_at, \
                       backed_up, discoverable, sign_count, suspended_at";

fn stored(row: Row) -> Result<StoredPasskey> {
    let (id, user_id, credential_id, passkey, name, created_at, last_used_at, backed_up, rk, n, s) =
        row;
    let passkey = serde_json::from_str(&passkey)
        .map_err(|e| Error::Internal(format!("stored passkey {id} is unreadable: {e}")))?;
    Ok(StoredPasskey {
        id,
        user_id,
        credential_id,
        passkey,
        name,
        created_at,
        last_used_at,
        backed_up: backed_up != 0,
        discoverable: rk.map(|v| v != 0),
        sign_count: n,
        suspended_at: s,
    })
}

/// The account's WebAuthn user handle, made (a random UUID) on first use.
pub async fn handle_of(db: &Db, user_id: &str) -> Result<Uuid> {
    let fresh = Uuid::new_v4();
    // Two first registrations at once: one insert wins, both read it.
    sqlx::query(
        "INSERT INTO webauthn_users (user_id, handle) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(fresh.to_string())
    .execute(db)
    .await?;
    let (handle,): (String,) =
        sqlx::query_as("SELECT handle FROM webauthn_users WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(db)
            .await?;
    Uuid::parse_str(&handle).map_err(|e| Error::Internal(format!("stored user handle: {e}")))
}

/// The account a user handle belongs to.
pub async fn user_of_handle(db: &Db, handle: Uuid) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT user_id FROM webauthn_users WHERE handle = $1")
            .bind(handle.to_string())
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(id,)| id))
}

/// Stores a new passkey named `name` for `user_id`; `false` when its
/// credential id is registered already (to any account).
pub async fn insert(
    db: &Db,
    id: &str,
    user_id: &str,
    new: &NewPasskey,
    name: &str,
    now: i64,
) -> Result<bool> {
    let passkey =
        serde_json::to_string(&new.passkey).map_err(|e| Error::Internal(e.to_string()))?;
    let done = sqlx::query(
        "INSERT INTO passkeys (id, user_id, credential_id, passkey, name, created_at, \
         last_used_at, backed_up, discoverable, sign_count) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9) \
         ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(id)
    .bind(user_id)
    .bind(&new.credential_id)
    .bind(passkey)
    .bind(name)
    .bind(now)
    .bind(i64::from(new.facts.backed_up))
    .bind(new.discoverable.map(i64::from))
    .bind(i64::from(new.facts.sign_count))
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The passkey with credential id `credential_id` (base64url).
pub async fn by_credential(db: &Db, credential_id: &str) -> Result<Option<StoredPasskey>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1"
    ))
    .bind(credential_id)
    .fetch_optional(db)
    .await?;
    row.map(stored).transpose()
}

/// The account's passkeys, oldest first.
pub async fn of_user(db: &Db, user_id: &str) -> Result<Vec<StoredPasskey>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY created_at, id"
    ))
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.into_iter().map(stored).collect()
}

/// Records a use of passkey `id`: its updated credential (counter) and
/// what the authenticator reported. A count that is not above the stored
/// one is written only where both are zero (a synced passkey keeps none),
/// so two sign-ins racing with one key cannot move it back; `false` when
/// the row was not written (the other one won, or the key was removed).
pub async fn record_use(
    db: &Db,
    id: &str,
    passkey: &Passkey,
    facts: Facts,
    now: i64,
) -> Result<bool> {
    let json = serde_json::to_string(passkey).map_err(|e| Error::Internal(e.to_string()))?;
    let count = i64::from(facts.sign_count);
    let done = sqlx::query(
        "UPDATE passkeys SET passkey = $1, sign_count = $2, backed_up = $3, last_used_at = $4 \
         WHERE id = $5 AND (sign_count < $6 OR (sign_count = 0 AND $7 = 0))",
    )
    .bind(json)
    .bind(count)
    .bind(i64::from(facts.backed_up))
    .bind(now)
    .bind(id)
    .bind(count)
    .bind(count)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Stops passkey `id` from signing in: its sign count did not go up, so a
/// copy of the key may exist, and the copy cannot be told from the
/// original. Refusing only the one assertion would let the copy in on its
/// next try, its count moved on; the owner removes the key instead.
pub async fn suspend(db: &Db, id: &str, now: i64) -> Result<()> {
    sqlx::query("UPDATE passkeys SET suspended_at = $1 WHERE id = $2 AND suspended_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Renames the caller's passkey `id`; `false` if it has none by that id.
pub async fn rename(db: &Db, user_id: &str, id: &str, name: &str) -> Result<bool> {
    let done = sqlx::query("UPDATE passkeys SET name = $1 WHERE id = $2 AND user_id = $3")
        .bind(name)
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the caller's passkey `id`; its name, if there was one.
pub async fn remove(db: &Db, user_id: &str, id: &str) -> Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING name")
            .bind(id)
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(name,)| name))
}
