//! Device authorization requests as rows of `device_grants`, when the
//! shared store is the database. Every change of state is one conditional
//! statement, so concurrent requests on any instance see one winner.

use super::records::{DeviceRequest, Record, State, UserCode};
use crate::auth::token::TokenHash;
use crate::auth::Amr;
use crate::db::Db;
use crate::Result;

/// The columns [`from_row`] reads, in order.
const COLUMNS: &str = "id, client_id, resource, dpop_jkt, ip, user_agent, created_at, \
                       expires_at, interval_secs, polled_at, decision, user_id, amr";

type Row = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
);

fn from_row(row: Row) -> (String, Record) {
    let (id, client_id, resource, key, ip, user_agent, created_at, expires_at) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
    let (interval, polled_at, decision, user_id, amr) = (row.8, row.9, row.10, row.11, row.12);
    let state = match (decision.as_str(), user_id) {
        ("approved", Some(user_id)) => State::Approved {
            user_id,
            amr: Amr::from_stored(amr.as_deref().unwrap_or_default()),
        },
        ("denied", _) => State::Denied,
        ("issued", _) => State::Issued,
        _ => State::Pending,
    };
    let request = DeviceRequest {
        client_id,
        resource,
        key,
        ip,
        user_agent,
        created_at,
        expires_at,
    };
    let record = Record {
        request,
        interval,
        polled_at,
        state,
    };
    (id, record)
}

/// Keeps a new request; `false` if its user code is taken.
pub(super) async fn insert(
    db: &Db,
    id: &TokenHash,
    user_code: &UserCode,
    record: &Record,
) -> Result<bool> {
    let r = &record.request;
    let done = sqlx::query(
        "INSERT INTO device_grants (id, user_code, client_id, resource, dpop_jkt, ip, \
         user_agent, created_at, expires_at, interval_secs, polled_at, decision) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending') \
         ON CONFLICT (user_code) DO NOTHING",
    )
    .bind(id.as_str())
    .bind(user_code.as_str())
    .bind(&r.client_id)
    .bind(r.resource.as_deref())
    .bind(r.key.as_deref())
    .bind(r.ip.as_deref())
    .bind(r.user_agent.as_deref())
    .bind(r.created_at)
    .bind(r.expires_at)
    .bind(record.interval)
    .bind(record.polled_at)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn by_id(db: &Db, id: &TokenHash) -> Result<Option<Record>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM device_grants WHERE id = $1"
    ))
    .bind(id.as_str())
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| from_row(row).1))
}

pub(super) async fn by_user_code(db: &Db, code: &UserCode) -> Result<Option<(String, Record)>> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM device_grants WHERE user_code = $1"
    ))
    .bind(code.as_str())
    .fetch_optional(db)
    .await?;
    Ok(row.map(from_row))
}

/// Records a decision on an undecided, unexpired request.
pub(super) async fn decide(db: &Db, code: &UserCode, state: &State, now: i64) -> Result<bool> {
    let (decision, user_id, amr) = match state {
        State::Approved { user_id, amr } => {
            ("approved", Some(user_id.as_str()), Some(amr.as_str()))
        }
        _ => ("denied", None, None),
    };
    let done = sqlx::query(
        "UPDATE device_grants SET decision = $1, user_id = $2, amr = $3 \
         WHERE user_code = $4 AND decision = 'pending' AND expires_at > $5",
    )
    .bind(decision)
    .bind(user_id)
    .bind(amr)
    .bind(code.as_str())
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn polled(db: &Db, id: &TokenHash, at: i64, interval: i64) -> Result<()> {
    sqlx::query("UPDATE device_grants SET polled_at = $1, interval_secs = $2 WHERE id = $3")
        .bind(at)
        .bind(interval)
        .bind(id.as_str())
        .execute(db)
        .await?;
    Ok(())
}

/// Marks an approved request's tokens handed out; `false` if another poll
/// did first.
pub(super) async fn take(db: &Db, id: &TokenHash) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE device_grants SET decision = 'issued' WHERE id = $1 AND decision = 'approved'",
    )
    .bind(id.as_str())
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn purge(db: &Db, expired_before: i64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM device_grants WHERE expires_at <= $1")
        .bind(expired_before)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
