//! Throttle counters in Redis: a hash `throttle:<key>` with the count `n` and
//! the last failure `t`, counted up in one `MULTI`; its TTL is the reset
//! period, renewed by every failure, so Redis forgets quiet keys by itself.

use redis::AsyncCommands;

use super::Failures;
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

pub async fn fail(redis: &RedisClient, name: &str, now: i64, reset: i64) -> Result<()> {
    let k = key(redis, name);
    let _: () = redis::pipe()
        .atomic()
        .hincr(&k, "n", 1)
        .ignore()
        .hset(&k, "t", now)
        .ignore()
        .expire(&k, reset)
        .ignore()
        .query_async(&mut redis.conn())
        .await?;
    Ok(())
}

pub async fn clear(redis: &RedisClient, name: &str) -> Result<()> {
    let _: usize = redis.conn().del(key(redis, name)).await?;
    Ok(())
}
