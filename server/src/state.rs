//! The application state: built once in `main` (or a test), cheap to clone,
//! handed to axum routes as `State` and to server functions as context.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::session::{DatabaseStore, MemoryStore, SessionBackend, SessionStore};
use crate::auth::{password::Hasher, Auth};
use crate::clock::Clock;
use crate::config::{AuthMode, Config, SessionStoreKind};
use crate::db::{self, Db};
use crate::{Error, Result};

/// How often expired sessions are deleted.
const PURGE_EVERY: Duration = Duration::from_secs(600);

/// Everything a request handler needs.
#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub auth: Auth,
    pub hasher: Hasher,
    pub clock: Clock,
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
        let db = db::connect(&config.database_url()).await?;
        Self::new(config, db, Hasher::new(), Clock::System)
    }

    /// Builds the state over an open, migrated database.
    pub fn new(config: Config, db: Db, hasher: Hasher, clock: Clock) -> Result<Self> {
        config.validate().map_err(Error::Invalid)?;
        let auth = match config.auth_mode {
            AuthMode::Session => {
                let store = match config.session_store {
                    SessionStoreKind::Memory => SessionStore::Memory(MemoryStore::new()),
                    SessionStoreKind::Database => {
                        SessionStore::Database(DatabaseStore::new(db.clone()))
                    }
                };
                Auth::Session(SessionBackend::new(
                    store,
                    config.session_idle_ttl,
                    config.session_absolute_ttl,
                    clock.clone(),
                ))
            }
            AuthMode::Jwt => unreachable!("validate() refuses jwt mode"),
        };
        Ok(AppState {
            db,
            config: Arc::new(config),
            auth,
            hasher,
            clock,
        })
    }

    /// Starts the background task that deletes expired sessions.
    pub fn spawn_maintenance(&self) -> tokio::task::JoinHandle<()> {
        let auth = self.auth.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PURGE_EVERY);
            loop {
                tick.tick().await;
                match auth.purge_expired().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(purged = n, "deleted expired sessions"),
                    Err(e) => tracing::warn!(error = %e, "could not purge expired sessions"),
                }
            }
        })
    }
}
