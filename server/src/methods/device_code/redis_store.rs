//! Device authorization requests in Redis: one hash per request under
//! `device:<sha256 of the device code>` (the request as JSON, its polling
//! interval and last poll, the decision, whether its tokens were taken),
//! and `device-user:<user code>` naming it. Each operation touches one key,
//! so the layout works on a Redis Cluster; the changes of state are
//! `HSETNX`, which only the first writer wins. Both keys expire by
//! themselves: the user code with the request, the hash
//! [`KEPT_AFTER_SECS`] later, so a late poll still hears `expired_token`.

use std::collections::HashMap;

use redis::AsyncCommands;

use super::records::{Record, State, UserCode, KEPT_AFTER_SECS, SLOW_DOWN_SECS};
use crate::auth::token::TokenHash;
use crate::auth::Amr;
use crate::redis_client::RedisClient;
use crate::{Error, Result};

fn request_key(redis: &RedisClient, id: &str) -> String {
    redis.key(format_args!("device:{id}"))
}

fn user_code_key(redis: &RedisClient, code: &UserCode) -> String {
    redis.key(format_args!("device-user:{}", code.as_str()))
}

/// Keeps a new request; `false` if its user code is taken.
pub(super) async fn insert(
    redis: &RedisClient,
    id: &TokenHash,
    user_code: &UserCode,
    record: &Record,
) -> Result<bool> {
    let mut conn = redis.conn();
    let lives = (record.request.expires_at - record.request.created_at).max(1) as u64;
    let claimed: Option<String> = redis::cmd("SET")
        .arg(user_code_key(redis, user_code))
        .arg(id.as_str())
        .arg("NX")
        .arg("EX")
        .arg(lives)
        .query_async(&mut conn)
        .await?;
    if claimed.is_none() {
        return Ok(false);
    }
    let request =
        serde_json::to_string(&record.request).map_err(|e| Error::Internal(e.to_string()))?;
    let key = request_key(redis, id.as_str());
    // One key, so MULTI is allowed on a cluster: the hash never exists
    // without its expiry.
    let _: () = redis
        .transaction(
            &key,
            redis::pipe()
                .atomic()
                .hset_multiple(
                    &key,
                    &[
                        ("request", request),
                        ("interval", record.interval.to_string()),
                        ("polled_at", record.polled_at.to_string()),
                    ],
                )
                .expire(&key, (lives + KEPT_AFTER_SECS as u64) as i64),
        )
        .await?;
    Ok(true)
}

pub(super) async fn by_id(redis: &RedisClient, id: &TokenHash) -> Result<Option<Record>> {
    load(redis, id.as_str()).await
}

pub(super) async fn by_user_code(
    redis: &RedisClient,
    code: &UserCode,
) -> Result<Option<(String, Record)>> {
    let id: Option<String> = redis.conn().get(user_code_key(redis, code)).await?;
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(load(redis, &id).await?.map(|record| (id, record)))
}

async fn load(redis: &RedisClient, id: &str) -> Result<Option<Record>> {
    let fields: HashMap<String, String> = redis.conn().hgetall(request_key(redis, id)).await?;
    let Some(request) = fields.get("request") else {
        return Ok(None);
    };
    let request = serde_json::from_str(request).map_err(|e| Error::Internal(e.to_string()))?;
    let number = |name: &str| fields.get(name).and_then(|v| v.parse::<i64>().ok());
    let state = match (
        fields.get("decision").map(String::as_str),
        fields.get("taken"),
    ) {
        (Some("denied"), _) => State::Denied,
        (Some(_), Some(_)) => State::Issued,
        (Some(approved), None) => match approved.split_once(' ') {
            Some((amr, user_id)) => State::Approved {
                user_id: user_id.to_string(),
                amr: Amr::from_stored(amr),
            },
            None => State::Denied,
        },
        (None, _) => State::Pending,
    };
    Ok(Some(Record {
        request,
        interval: number("interval").unwrap_or(SLOW_DOWN_SECS),
        polled_at: number("polled_at").unwrap_or_default(),
        state,
    }))
}

/// Records a decision unless one was recorded. `keep`: the seconds the
/// hash has left, set again with the write so that a hash that expired
/// meanwhile is not made anew without an expiry.
pub(super) async fn decide(
    redis: &RedisClient,
    id: &str,
    state: &State,
    keep: i64,
) -> Result<bool> {
    let value = match state {
        State::Approved { user_id, amr } => format!("{} {user_id}", amr.as_str()),
        _ => "denied".to_string(),
    };
    let key = request_key(redis, id);
    let (set,): (bool,) = redis
        .transaction(
            &key,
            redis::pipe()
                .atomic()
                .hset_nx(&key, "decision", value)
                .expire(&key, keep.max(1))
                .ignore(),
        )
        .await?;
    Ok(set)
}

pub(super) async fn polled(
    redis: &RedisClient,
    id: &TokenHash,
    (at, interval): (i64, i64),
    keep: i64,
) -> Result<()> {
    let key = request_key(redis, id.as_str());
    let _: () = redis
        .transaction(
            &key,
            redis::pipe()
                .atomic()
                .hset_multiple(&key, &[("polled_at", at), ("interval", interval)])
                .ignore()
                .expire(&key, keep.max(1))
                .ignore(),
        )
        .await?;
    Ok(())
}

/// Marks an approved request's tokens taken; `false` if another poll did
/// first.
pub(super) async fn take(redis: &RedisClient, id: &TokenHash, keep: i64) -> Result<bool> {
    let key = request_key(redis, id.as_str());
    let (set,): (bool,) = redis
        .transaction(
            &key,
            redis::pipe()
                .atomic()
                .hset_nx(&key, "taken", 1)
                .expire(&key, keep.max(1))
                .ignore(),
        )
        .await?;
    // Tokens handed out once must stay handed out through a failover.
    redis.replicate(&key).await?;
    Ok(set)
}
