//! Sessions in Redis: shared by every instance, and expired by Redis itself.
//!
//! Keys (all under the deployment's prefix):
//! - `sess:<hash>`: the record as JSON, with a TTL reaching the earlier of its
//!   idle and absolute deadline, plus [`TTL_SLACK`] so instances whose clocks
//!   differ slightly agree. Deadlines are checked on every read; the TTL only
//!   frees memory.
//! - `user_sess:<user id>`: the set of that user's session hashes, for
//!   "sign out everywhere". Members whose record is gone are pruned lazily.
//!
//! Multi-key changes go in `MULTI` transactions so a crash between two writes
//! cannot leave a record without its index entry.

use redis::AsyncCommands;

use super::{DeviceSession, SessionStore};
use crate::auth::token::TokenHash;
use crate::redis_client::RedisClient;
use crate::{Error, Result};

/// Extra TTL beyond the deadlines (clock skew between instances).
const TTL_SLACK: i64 = 60;

/// A session store in Redis.
#[derive(Clone, Debug)]
pub struct RedisStore {
    redis: RedisClient,
}

impl RedisStore {
    /// A store over `redis`.
    pub fn new(redis: RedisClient) -> Self {
        RedisStore { redis }
    }

    fn record_key(&self, hash: &TokenHash) -> String {
        self.redis.key(format_args!("sess:{}", hash.as_str()))
    }

    fn user_key(&self, user_id: &str) -> String {
        self.redis.key(format_args!("user_sess:{user_id}"))
    }

    /// Seconds the record must stay in Redis.
    fn ttl(r: &DeviceSession) -> i64 {
        (r.idle_expires_at.min(r.absolute_expires_at) - r.last_seen_at).max(1) + TTL_SLACK
    }

    fn encode(r: &DeviceSession) -> Result<String> {
        serde_json::to_string(r).map_err(|e| Error::Internal(format!("encode session: {e}")))
    }

    fn decode(json: &str) -> Result<DeviceSession> {
        serde_json::from_str(json).map_err(|e| Error::Internal(format!("decode session: {e}")))
    }

    async fn get(&self, hash: &TokenHash) -> Result<Option<DeviceSession>> {
        let json: Option<String> = self.redis.conn().get(self.record_key(hash)).await?;
        json.as_deref().map(Self::decode).transpose()
    }

    /// The records of a user's index, each with its hash (`None` where the
    /// record is gone): one `SMEMBERS` and one `MGET`.
    async fn user_records(&self, user_id: &str) -> Result<Vec<(String, Option<DeviceSession>)>> {
        let mut conn = self.redis.conn();
        let hashes: Vec<String> = conn.smembers(self.user_key(user_id)).await?;
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = hashes
            .iter()
            .map(|h| self.redis.key(format_args!("sess:{h}")))
            .collect();
        let found: Vec<Option<String>> =
            redis::cmd("MGET").arg(&keys).query_async(&mut conn).await?;
        hashes
            .into_iter()
            .zip(found)
            .map(|(h, json)| Ok((h, json.as_deref().map(Self::decode).transpose()?)))
            .collect()
    }
}

impl SessionStore for RedisStore {
    async fn insert(&self, hash: &TokenHash, r: &DeviceSession) -> Result<()> {
        let user_key = self.user_key(&r.user_id);
        let user_ttl = (r.absolute_expires_at - r.last_seen_at).max(1) + TTL_SLACK;
        let _: () = redis::pipe()
            .atomic()
            .set_ex(self.record_key(hash), Self::encode(r)?, Self::ttl(r) as u64)
            .sadd(&user_key, hash.as_str())
            // The index lives as long as the longest session in it.
            .cmd("EXPIRE")
            .arg(&user_key)
            .arg(user_ttl)
            .arg("GT")
            .cmd("EXPIRE")
            .arg(&user_key)
            .arg(user_ttl)
            .arg("NX")
            .query_async(&mut self.redis.conn())
            .await?;
        Ok(())
    }

    async fn find(&self, hash: &TokenHash, now: i64) -> Result<Option<DeviceSession>> {
        Ok(self.get(hash).await?.filter(|r| r.is_live(now)))
    }

    async fn touch(&self, hash: &TokenHash, now: i64, idle_expires_at: i64) -> Result<()> {
        let Some(mut r) = self.get(hash).await? else {
            return Ok(());
        };
        r.last_seen_at = now;
        r.idle_expires_at = idle_expires_at;
        // `XX`: a session removed meanwhile (sign-out on another instance)
        // is not brought back.
        let _: Option<String> = redis::cmd("SET")
            .arg(self.record_key(hash))
            .arg(Self::encode(&r)?)
            .arg("EX")
            .arg(Self::ttl(&r))
            .arg("XX")
            .query_async(&mut self.redis.conn())
            .await?;
        Ok(())
    }

    async fn remove(&self, hash: &TokenHash) -> Result<bool> {
        let Some(r) = self.get(hash).await? else {
            return Ok(false);
        };
        let (deleted, _): (u64, u64) = redis::pipe()
            .atomic()
            .del(self.record_key(hash))
            .srem(self.user_key(&r.user_id), hash.as_str())
            .query_async(&mut self.redis.conn())
            .await?;
        Ok(deleted > 0)
    }

    async fn remove_user(&self, user_id: &str) -> Result<u64> {
        let user_key = self.user_key(user_id);
        let mut conn = self.redis.conn();
        let hashes: Vec<String> = conn.smembers(&user_key).await?;
        let mut pipe = redis::pipe();
        pipe.atomic();
        for h in &hashes {
            pipe.del(self.redis.key(format_args!("sess:{h}")));
        }
        pipe.del(&user_key).ignore();
        let deleted: Vec<u64> = pipe.query_async(&mut conn).await?;
        Ok(deleted.iter().sum())
    }

    async fn list_user(&self, user_id: &str, now: i64) -> Result<Vec<DeviceSession>> {
        Ok(self
            .user_records(user_id)
            .await?
            .into_iter()
            .filter_map(|(_, r)| r.filter(|r| r.is_live(now) && r.user_id == user_id))
            .collect())
    }

    async fn remove_device(&self, user_id: &str, device_id: &str) -> Result<bool> {
        let found = self
            .user_records(user_id)
            .await?
            .into_iter()
            .find(|(_, r)| {
                r.as_ref()
                    .is_some_and(|r| r.id == device_id && r.user_id == user_id)
            });
        match found {
            Some((hash, _)) => self.remove(&TokenHash::from_stored(hash)).await,
            None => Ok(false),
        }
    }

    // Redis expires records by their TTL; this removes records whose
    // deadline passed earlier than their TTL (a record's TTL carries slack)
    // and index entries whose record is gone. Walks the user indexes with
    // `SCAN`, so it never blocks Redis.
    async fn purge_expired(&self, now: i64) -> Result<u64> {
        let mut conn = self.redis.conn();
        let pattern = self.redis.key("user_sess:*");
        let mut user_keys = Vec::new();
        {
            let mut iter: redis::AsyncIter<String> = conn.scan_match(&pattern).await?;
            while let Some(key) = iter.next_item().await {
                user_keys.push(key?);
            }
        }
        let mut purged = 0;
        for user_key in user_keys {
            let hashes: Vec<String> = conn.smembers(&user_key).await?;
            for h in hashes {
                let hash = TokenHash::from_stored(h.clone());
                match self.get(&hash).await? {
                    Some(r) if r.is_live(now) => {}
                    found => {
                        let (deleted, _): (u64, u64) = redis::pipe()
                            .atomic()
                            .del(self.record_key(&hash))
                            .srem(&user_key, &h)
                            .query_async(&mut conn)
                            .await?;
                        if found.is_some() {
                            purged += deleted;
                        }
                    }
                }
            }
        }
        Ok(purged)
    }

    async fn ping(&self) -> bool {
        self.redis.ping().await
    }
}
