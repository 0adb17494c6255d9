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
//! The two keys hash to different slots, so on a Redis Cluster they cannot
//! change in one `MULTI`; they change in an order that is safe to stop
//! halfway instead. A sign-in writes the index entry first, then the record:
//! stopped between, an entry points at nothing and is pruned. A sign-out
//! deletes the record first, then the entry: stopped between, the same. So
//! "sign out everywhere" always finds every live record. On a cluster, a
//! sign-in and a sign-out are answered once a replica holds them
//! ([`RedisClient::replicate`]), so a failover does not bring back a
//! session its user ended.

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

    /// Deletes the record of `hash`, answering once it would survive a
    /// failover; whether it was there.
    async fn delete_record(&self, hash: &str) -> Result<bool> {
        let key = self.redis.key(format_args!("sess:{hash}"));
        let deleted: u64 = self.redis.conn().del(&key).await?;
        self.redis.replicate(&key).await?;
        Ok(deleted > 0)
    }

    /// The records of a user's index, each with its hash (`None` where the
    /// record is gone): one `SMEMBERS` and one `MGET` (which the cluster
    /// client splits by slot and puts back in order).
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
        let record_key = self.record_key(hash);
        let user_ttl = (r.absolute_expires_at - r.last_seen_at).max(1) + TTL_SLACK;
        let mut conn = self.redis.conn();
        // One key, so one transaction even on a cluster.
        let _: () = self
            .redis
            .transaction(
                &user_key,
                redis::pipe()
                    .atomic()
                    .sadd(&user_key, hash.as_str())
                    .ignore()
                    // The index lives as long as the longest session in it.
                    .cmd("EXPIRE")
                    .arg(&user_key)
                    .arg(user_ttl)
                    .arg("GT")
                    .ignore()
                    .cmd("EXPIRE")
                    .arg(&user_key)
                    .arg(user_ttl)
                    .arg("NX")
                    .ignore(),
            )
            .await?;
        let _: () = conn
            .set_ex(&record_key, Self::encode(r)?, Self::ttl(r) as u64)
            .await?;
        futures_util::try_join!(
            self.redis.replicate(&user_key),
            self.redis.replicate(&record_key)
        )?;
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
        let deleted = self.delete_record(hash.as_str()).await?;
        let _: u64 = self
            .redis
            .conn()
            .srem(self.user_key(&r.user_id), hash.as_str())
            .await?;
        Ok(deleted)
    }

    async fn remove_user(&self, user_id: &str) -> Result<u64> {
        let user_key = self.user_key(user_id);
        let hashes: Vec<String> = self.redis.conn().smembers(&user_key).await?;
        let deleted =
            futures_util::future::try_join_all(hashes.iter().map(|h| self.delete_record(h)))
                .await?;
        if !hashes.is_empty() {
            // Only the entries read: one a sign-in added meanwhile stays,
            // with its record.
            let _: u64 = self.redis.conn().srem(&user_key, &hashes).await?;
        }
        Ok(deleted.into_iter().filter(|d| *d).count() as u64)
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
    // `SCAN` (on each master of a cluster), so it never blocks Redis.
    async fn purge_expired(&self, now: i64) -> Result<u64> {
        let mut conn = self.redis.conn();
        let mut purged = 0;
        for user_key in self.redis.scan("user_sess:*").await? {
            let hashes: Vec<String> = conn.smembers(&user_key).await?;
            for h in hashes {
                let hash = TokenHash::from_stored(h.clone());
                match self.get(&hash).await? {
                    Some(r) if r.is_live(now) => {}
                    found => {
                        let deleted = self.delete_record(&h).await?;
                        let _: u64 = conn.srem(&user_key, &h).await?;
                        if found.is_some() && deleted {
                            purged += 1;
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
