//! The application state: built once in `main` (or a test), cheap to clone,
//! handed to axum routes as `State` and to server functions as context.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::jwt::{keys::Keyring, JwtBackend, JwtSettings};
use crate::auth::session::{DatabaseStore, MemoryStore, RedisStore, SessionBackend, SessionStore};
use crate::auth::{password::Hasher, throttle::Throttle, Auth};
use crate::clock::Clock;
use crate::config::{AuthMode, Config, SessionStoreKind};
use crate::db::{self, Db};
use crate::redis_client::RedisClient;
use crate::{Error, Result};

/// How often expired sessions are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(600);
/// How often revocations made by other instances are read.
const REVOCATION_SYNC: Duration = crate::auth::jwt::revocation::SYNC_EVERY;

/// Everything a request handler needs, behind one `Arc`: every middleware
/// and handler that takes the state clones it, so a clone must cost one
/// reference count, not a copy of every pool handle, Redis client and
/// string in [`Shared`].
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
#[derive(Debug)]
pub struct Shared {
    pub db: Db,
    pub config: Arc<Config>,
    pub auth: Auth,
    pub hasher: Hasher,
    pub clock: Clock,
    /// The Redis connection, when a store lives there.
    pub redis: Option<RedisClient>,
    /// The cross-site request check.
    pub cross_site: crate::http::CrossSiteGuard,
    /// Failed sign-in counters (Redis when configured, else the database).
    pub throttle: Throttle,
}

impl AppState {
    /// Opens the configured database and builds the state.
    pub async fn connect(config: Config) -> Result<Self> {
        config.validate().map_err(Error::Invalid)?;
        if config.database_url.is_none() {
            std::fs::create_dir_all(&config.data_dir).map_err(|e| {
                Error::Internal(format!(
                    "cannot create the data directory {}: {e}",
                    config.data_dir.display()
                ))
            })?;
        }
        let db = db::connect(&config.database_url(), config.store_timeout).await?;
        let keys = match config.auth_mode {
            AuthMode::Jwt => Some(Keyring::load_or_create(&config.data_dir, config.jwt_alg)?),
            AuthMode::Session => None,
        };
        let state = Self::new(config, db, Hasher::new(), Clock::System, keys)?;
        // A first read of the revocation set; if a store is down the instance
        // still starts, serves what it can and catches up on the next sync.
        if let Err(e) = state.auth.sync().await {
            tracing::warn!(error = %e, "could not read revocations at startup");
        }
        Ok(state)
    }

    /// Builds the state over an open, migrated database. JWT mode needs `keys`.
    pub fn new(
        config: Config,
        db: Db,
        hasher: Hasher,
        clock: Clock,
        keys: Option<Keyring>,
    ) -> Result<Self> {
        config.validate().map_err(Error::Invalid)?;
        let redis = match (&config.session_store, &config.redis_url) {
            (SessionStoreKind::Redis, Some(url)) => Some(RedisClient::new(
                url,
                &config.redis_prefix,
                config.store_timeout,
            )?),
            _ => None,
        };
        let auth = match config.auth_mode {
            AuthMode::Session => {
                let store = match config.session_store {
                    SessionStoreKind::Memory => SessionStore::Memory(MemoryStore::new()),
                    SessionStoreKind::Database => {
                        SessionStore::Database(DatabaseStore::new(db.clone()))
                    }
                    SessionStoreKind::Redis => SessionStore::Redis(RedisStore::new(
                        redis
                            .clone()
                            .ok_or_else(|| Error::Invalid("REDIS_URL is required".into()))?,
                    )),
                };
                Auth::Session(SessionBackend::new(
                    store,
                    config.session_idle_ttl,
                    config.session_absolute_ttl,
                    clock.clone(),
                ))
            }
            AuthMode::Jwt => {
                let keys =
                    keys.ok_or_else(|| Error::Internal("JWT mode needs a keyring".into()))?;
                let settings = JwtSettings {
                    access_ttl: config.access_ttl,
                    refresh_ttl: config.refresh_ttl,
                    absolute_ttl: config.session_absolute_ttl,
                    grace: config.refresh_grace,
                };
                Auth::Jwt(JwtBackend::new(
                    keys,
                    db.clone(),
                    redis.clone(),
                    settings,
                    clock.clone(),
                ))
            }
        };
        let config_origin = config.public_origin.clone();
        Ok(AppState(Arc::new(Shared {
            throttle: Throttle::new(db.clone(), redis.clone()),
            db,
            config: Arc::new(config),
            auth,
            hasher,
            clock,
            redis,
            cross_site: crate::http::cross_site_guard(config_origin.as_deref())
                .map_err(Error::Invalid)?,
        })))
    }

    /// Starts the background tasks: deleting expired sessions, and (JWT mode)
    /// reading revocations made by other instances.
    pub fn spawn_maintenance(&self) -> tokio::task::JoinHandle<()> {
        let auth = self.auth.clone();
        let throttle = self.throttle.clone();
        let clock = self.clock.clone();
        if let Auth::Jwt(backend) = &auth {
            let backend = backend.clone();
            tokio::spawn(async move { backend.listen_revocations().await });
            let auth = auth.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(REVOCATION_SYNC);
                loop {
                    tick.tick().await;
                    if let Err(e) = auth.sync().await {
                        tracing::warn!(error = %e, "could not read revocations");
                    }
                }
            });
        }
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PURGE_EVERY);
            loop {
                tick.tick().await;
                match auth.purge_expired().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(purged = n, "deleted expired sessions"),
                    Err(e) => tracing::warn!(error = %e, "could not purge expired sessions"),
                }
                if let Err(e) = throttle.purge(clock.now()).await {
                    tracing::warn!(error = %e, "could not purge sign-in counters");
                }
            }
        })
    }
}
