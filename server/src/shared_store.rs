//! Where state that every instance must see is kept: session records (unless
//! they live in one process's memory), sign-in throttle counters and the
//! JWT revocation set.
//!
//! The choice is made once, from the configuration: Redis when
//! `LATCHKEY_SESSION_STORE=redis`, else the SQL database. Every mechanism that
//! shares state takes the same [`SharedStore`], so an operator never ends up
//! with sessions in Redis but throttling in one place and revocations in
//! another.

use crate::config::{Config, SessionStoreKind};
use crate::db::Db;
use crate::redis_client::RedisClient;
use crate::{Error, Result};

/// The store instances share.
#[derive(Clone, Debug)]
pub enum SharedStore {
    Database(Db),
    Redis(RedisClient),
}

impl SharedStore {
    /// The configured shared store over the open database `db`.
    pub fn open(config: &Config, db: &Db) -> Result<Self> {
        match config.session_store {
            SessionStoreKind::Redis => {
                let url = config.redis_url.as_deref().ok_or_else(|| {
                    Error::Invalid("LATCHKEY_SESSION_STORE=redis needs REDIS_URL".into())
                })?;
                let redis = if config.redis_cluster {
                    RedisClient::cluster(url, &config.redis_prefix, config.store_timeout)?
                } else {
                    RedisClient::new(url, &config.redis_prefix, config.store_timeout)?
                };
                Ok(SharedStore::Redis(redis))
            }
            SessionStoreKind::Memory | SessionStoreKind::Database => {
                Ok(SharedStore::Database(db.clone()))
            }
        }
    }

    /// The Redis connection, when the shared store is Redis.
    pub fn redis(&self) -> Option<&RedisClient> {
        match self {
            SharedStore::Redis(r) => Some(r),
            SharedStore::Database(_) => None,
        }
    }
}
