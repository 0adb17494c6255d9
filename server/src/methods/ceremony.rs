//! Ceremonies in progress: what a multi-step sign-in method must remember
//! between its first request and the answer (a WebAuthn challenge and the
//! checks webauthn-rs runs on the response).
//!
//! The state stays on the server, in the shared store, so any instance can
//! finish a ceremony another began, and a client never sees (or edits)
//! what will check its answer. The client holds only a random id (256
//! bits; the store keeps its SHA-256, as for session IDs), in a short-lived
//! cookie. A ceremony is taken once: read and deleted in one step, so a
//! replayed answer finds nothing; it expires after [`TTL_SECS`].

use redis::AsyncCommands;
use serde::{Deserialize, Serialize};

use crate::auth::token::TokenHash;
use crate::clock::Clock;
use crate::db::Db;
use crate::random::new_token;
use crate::redis_client::RedisClient;
use crate::shared_store::SharedStore;
use crate::Result;

/// How long a ceremony may take, from its options to its answer: WebAuthn's
/// own timeout (webauthn-rs asks the browser for five minutes) plus nothing.
pub const TTL_SECS: i64 = 300;

/// Which ceremony: the answer must be to the same kind of question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Adding a passkey to a signed-in account.
    Registration,
    /// Signing in with a passkey.
    Authentication,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Registration => "registration",
            Kind::Authentication => "authentication",
        }
    }
}

/// A ceremony's server-side state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ceremony {
    pub kind: Kind,
    /// The account a registration is for; `None` for a sign-in.
    pub user_id: Option<String>,
    /// The method's own state (webauthn-rs's, as JSON).
    pub state: String,
}

/// The ceremonies in progress, in the shared store.
#[derive(Clone, Debug)]
pub struct Ceremonies {
    store: SharedStore,
    clock: Clock,
}

impl Ceremonies {
    pub fn new(store: &SharedStore, clock: Clock) -> Self {
        Ceremonies {
            store: store.clone(),
            clock,
        }
    }

    /// Keeps `ceremony` for [`TTL_SECS`]; the id to hand the client.
    pub async fn begin(&self, ceremony: &Ceremony) -> Result<String> {
        let id = new_token();
        let key = TokenHash::of(&id);
        match &self.store {
            SharedStore::Database(db) => {
                let expires = self.clock.now() + TTL_SECS;
                sqlx::query(
                    "INSERT INTO ceremonies (id, kind, user_id, state, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(key.as_str())
                .bind(ceremony.kind.as_str())
                .bind(ceremony.user_id.as_deref())
                .bind(&ceremony.state)
                .bind(expires)
                .execute(db)
                .await?;
            }
            SharedStore::Redis(redis) => {
                let value = serde_json::to_string(ceremony)
                    .map_err(|e| crate::Error::Internal(e.to_string()))?;
                let _: () = redis
                    .conn()
                    .set_ex(redis_key(redis, &key), value, TTL_SECS as u64)
                    .await?;
            }
        }
        Ok(id)
    }

    /// The ceremony `id` names if it is of `kind` and has not expired;
    /// either way it is gone afterwards.
    pub async fn take(&self, id: &str, kind: Kind) -> Result<Option<Ceremony>> {
        if !crate::auth::token::is_well_formed(id) {
            return Ok(None);
        }
        let key = TokenHash::of(id);
        let found = match &self.store {
            SharedStore::Database(db) => take_row(db, &key, self.clock.now()).await?,
            SharedStore::Redis(redis) => {
                let stored = redis_key(redis, &key);
                let value: Option<String> = redis.conn().get_del(&stored).await?;
                // A ceremony taken must stay taken through a failover.
                redis.replicate(&stored).await?;
                value.and_then(|v| serde_json::from_str(&v).ok())
            }
        };
        Ok(found.filter(|c| c.kind == kind))
    }

    /// Deletes the expired ceremonies of the database (Redis expires its
    /// own); how many.
    pub async fn purge(&self) -> Result<u64> {
        match &self.store {
            SharedStore::Database(db) => {
                let done = sqlx::query("DELETE FROM ceremonies WHERE expires_at <= $1")
                    .bind(self.clock.now())
                    .execute(db)
                    .await?;
                Ok(done.rows_affected())
            }
            SharedStore::Redis(_) => Ok(0),
        }
    }
}

fn redis_key(redis: &RedisClient, key: &TokenHash) -> String {
    redis.key(format_args!("ceremony:{}", key.as_str()))
}

/// Deletes the row and returns what it held, in one statement: two
/// instances answering the same ceremony cannot both get it.
async fn take_row(db: &Db, key: &TokenHash, now: i64) -> Result<Option<Ceremony>> {
    let row: Option<(String, Option<String>, String, i64)> = sqlx::query_as(
        "DELETE FROM ceremonies WHERE id = $1 RETURNING kind, user_id, state, expires_at",
    )
    .bind(key.as_str())
    .fetch_optional(db)
    .await?;
    Ok(row.and_then(|(kind, user_id, state, expires_at)| {
        let kind = match kind.as_str() {
            "registration" => Kind::Registration,
            "authentication" => Kind::Authentication,
            _ => return None,
        };
        (expires_at > now).then_some(Ceremony {
            kind,
            user_id,
            state,
        })
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    fn ceremony(kind: Kind) -> Ceremony {
        Ceremony {
            kind,
            user_id: Some("u1".into()),
            state: r#"{"challenge":"abc"}"#.into(),
        }
    }

    async fn taken_once_and_only_by_its_kind(store: SharedStore, clock: Clock) {
        let ceremonies = Ceremonies::new(&store, clock.clone());
        let id = ceremonies
            .begin(&ceremony(Kind::Registration))
            .await
            .unwrap();
        assert_eq!(
            ceremonies.take(&id, Kind::Registration).await.unwrap(),
            Some(ceremony(Kind::Registration))
        );
        assert_eq!(
            ceremonies.take(&id, Kind::Registration).await.unwrap(),
            None
        );

        // An answer to the other kind of question finds nothing, and the
        // ceremony is spent all the same.
        let id = ceremonies
            .begin(&ceremony(Kind::Registration))
            .await
            .unwrap();
        assert_eq!(
            ceremonies.take(&id, Kind::Authentication).await.unwrap(),
            None
        );
        assert_eq!(
            ceremonies.take(&id, Kind::Registration).await.unwrap(),
            None
        );

        for junk in ["", "nope", &"a".repeat(43)] {
            assert_eq!(
                ceremonies.take(junk, Kind::Authentication).await.unwrap(),
                None
            );
        }
    }

    #[sqlx::test(migrator = "crate::db::MIGRATOR")]
    async fn a_database_ceremony_is_taken_once_and_expires(pool: sqlx::SqlitePool) {
        let db = crate::db::testing::from_sqlite(pool).await;
        let clock = Clock::manual(NOW);
        let store = SharedStore::Database(db);
        taken_once_and_only_by_its_kind(store.clone(), clock.clone()).await;

        let ceremonies = Ceremonies::new(&store, clock.clone());
        let id = ceremonies
            .begin(&ceremony(Kind::Authentication))
            .await
            .unwrap();
        let late = ceremonies
            .begin(&ceremony(Kind::Authentication))
            .await
            .unwrap();
        clock.advance(TTL_SECS - 1);
        assert!(ceremonies
            .take(&id, Kind::Authentication)
            .await
            .unwrap()
            .is_some());
        clock.advance(1);
        assert_eq!(ceremonies.purge().await.unwrap(), 1);
        assert_eq!(
            ceremonies.take(&late, Kind::Authentication).await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn a_postgres_ceremony_is_taken_once() {
        let Some(pg) = crate::db::testing::PgTestDb::create().await else {
            return crate::testing::skip("PostgreSQL", crate::db::testing::POSTGRES_ENV);
        };
        let store = SharedStore::Database(pg.db.clone());
        taken_once_and_only_by_its_kind(store, Clock::manual(NOW)).await;
        pg.drop().await;
    }

    #[tokio::test]
    async fn a_redis_ceremony_is_taken_once() {
        let Some(redis) = RedisClient::for_tests() else {
            return crate::testing::skip("Redis", crate::redis_client::TEST_ENV);
        };
        taken_once_and_only_by_its_kind(SharedStore::Redis(redis.clone()), Clock::manual(NOW))
            .await;
        redis.delete_all().await.unwrap();
    }

    #[tokio::test]
    async fn a_redis_cluster_ceremony_is_taken_once() {
        let Some(redis) = crate::testing::redis_cluster() else {
            return;
        };
        taken_once_and_only_by_its_kind(SharedStore::Redis(redis.clone()), Clock::manual(NOW))
            .await;
        redis.delete_all().await.unwrap();
    }
}
