//! Throttle counters in Redis: a hash `throttle:<key>` with the count `n` and
//! the last failure `t`, counted up in one `MULTI`; its TTL is the reset
//! period, renewed by every failure, so Redis forgets quiet keys by itself.
//! One key per change, so the `MULTI` holds on a cluster too. Counters are
//! not waited on for replication: one lost in a failover forgets a few
//! failures, which the throttle's limits absorb.

use redis::AsyncCommands;

use super::policy::Failures;
use crate::redis_client::RedisClient;
use crate::Result;

fn key(redis: &RedisClient, name: &str) -> String {
    redis.key(format_args!("throttle:{name}"))
}

pub async fn get(redis: &RedisClient, name: &str) -> Result<Option<Failures>> {
    let (count, last_at): (Option<i64>, Option<i64>) = redis::cmd("HMGET")
        .arg(key(redis, name))
        .arg("n")
        .arg("t")
        .query_async(&mut redis.conn())
        .await?;
    Ok(count
        .zip(last_at)
        .map(|(count, last_at)| Failures { count, last_at }))
}

/// Every key Redis still holds (it expires quiet ones itself), found with
/// `SCAN` (never `KEYS`, which blocks the server) and each read on its own:
/// on a cluster, keys of different slots may not share a pipeline.
pub async fn all(redis: &RedisClient) -> Result<Vec<(String, Failures)>> {
    let prefix = key(redis, "");
    let names = redis.scan("throttle:*").await?;
    let read = names.iter().map(|k| async move {
        let (count, last_at): (Option<i64>, Option<i64>) = redis::cmd("HMGET")
            .arg(k)
            .arg("n")
            .arg("t")
            .query_async(&mut redis.conn())
            .await?;
        Ok::<_, crate::Error>((count, last_at))
    });
    let values = futures_util::future::try_join_all(read).await?;
    Ok(names
        .into_iter()
        .zip(values)
        .filter_map(|(k, (count, last_at))| {
            let failures = Failures {
                count: count?,
                last_at: last_at?,
            };
            Some((k[prefix.len()..].to_string(), failures))
        })
        .collect())
}

pub async fn fail(redis: &RedisClient, name: &str, now: i64, reset: i64) -> Result<()> {
    let k = key(redis, name);
    let _: () = redis
        .transaction(
            &k,
            redis::pipe()
                .atomic()
                .hincr(&k, "n", 1)
                .ignore()
                .hset(&k, "t", now)
                .ignore()
                .expire(&k, reset)
                .ignore(),
        )
        .await?;
    Ok(())
}

pub async fn clear(redis: &RedisClient, name: &str) -> Result<()> {
    let _: usize = redis.conn().del(key(redis, name)).await?;
    Ok(())
}
