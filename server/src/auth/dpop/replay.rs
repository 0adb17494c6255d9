//! The DPoP proofs seen lately, so each is accepted once (RFC 9449 §11.1).
//!
//! A proof is remembered by its key's thumbprint and its `jti` until it
//! could no longer pass the time check anyway, in the shared store every
//! instance reads: a proof replayed at another instance behind the same load
//! balancer finds it there. The record is written first and the answer is
//! whether it was new, in one step (Redis `SET NX`; a row whose primary key
//! a second insert finds taken), so two requests racing with one proof
//! cannot both pass. The store keeps only a SHA-256 of the pair.

use redis::AsyncCommands;

use crate::auth::token::TokenHash;
use crate::redis_client::RedisClient;
use crate::shared_store::SharedStore;
use crate::Result;
use dpop_proof::Jkt;

/// The proofs seen, in the shared store.
#[derive(Clone, Debug)]
pub struct SeenProofs {
    store: SharedStore,
}

impl SeenProofs {
    pub fn new(store: &SharedStore) -> Self {
        SeenProofs {
            store: store.clone(),
        }
    }

    /// Records the proof `jti` of key `jkt`, kept until `until`; whether it
    /// was not seen before.
    pub async fn first_use(&self, jkt: &Jkt, jti: &str, now: i64, until: i64) -> Result<bool> {
        let id = TokenHash::of(&format!("{}.{jti}", jkt.as_str()));
        match &self.store {
            SharedStore::Database(db) => {
                let inserted = sqlx::query(
                    "INSERT INTO dpop_proofs (id, expires_at) VALUES ($1, $2) \
                     ON CONFLICT (id) DO NOTHING",
                )
                .bind(id.as_str())
                .bind(until)
                .execute(db)
                .await?
                .rows_affected();
                Ok(inserted == 1)
            }
            SharedStore::Redis(redis) => {
                let ttl = (until - now).max(1) as u64;
                let options = redis::SetOptions::default()
                    .conditional_set(redis::ExistenceCheck::NX)
                    .with_expiration(redis::SetExpiry::EX(ttl));
                let key = redis_key(redis, &id);
                let set: Option<String> = redis.conn().set_options(&key, 1, options).await?;
                // A proof accepted must stay used through a failover.
                redis.replicate(&key).await?;
                Ok(set.is_some())
            }
        }
    }

    /// Deletes the database's records past their time; how many.
    pub async fn purge(&self, now: i64) -> Result<u64> {
        match &self.store {
            SharedStore::Database(db) => {
                let done = sqlx::query("DELETE FROM dpop_proofs WHERE expires_at <= $1")
                    .bind(now)
                    .execute(db)
                    .await?;
                Ok(done.rows_affected())
            }
            SharedStore::Redis(_) => Ok(0),
        }
    }
}

fn redis_key(redis: &RedisClient, id: &TokenHash) -> String {
    redis.key(format_args!("dpop:{}", id.as_str()))
}
