//! The application state and the composition root: the one place outside
//! `auth` that reads the configured mode and stores and builds the matching
//! backend. Built once in `main` (or a test), cheap to clone, handed to axum
//! routes as `State` and to server functions as context. Its background
//! tasks are in [`crate::maintenance`].

use std::sync::Arc;

use crate::auth::dpop::{nonce::Nonces, Dpop};
use crate::auth::jwt::{keys::Keyring, JwtBackend, JwtSettings};
use crate::auth::migration::Former;
use crate::auth::session::SessionLifetimes;
use crate::auth::session::{ConfiguredStore, DatabaseStore, MemoryStore, RedisStore};
use crate::auth::{throttle::Throttle, Auth, ReauthWindow, SessionBackend};
use crate::clock::Clock;
use crate::config::{AuthMode, Config, SessionStoreKind};
use crate::db::{self, Db};
use crate::methods::ceremony::Ceremonies;
use crate::methods::device_code::DeviceCodes;
use crate::methods::passkey::RelyingParty;
use crate::methods::password::Hasher;
use crate::metrics::{Metrics, Resolved};
use crate::names::NameKey;
use crate::redis_client::RedisClient;
use crate::shared_store::SharedStore;
use crate::{Error, Result};

/// Everything a request handler needs, behind one `Arc`: every middleware
/// and handler that takes the state clones it, so a clone must cost one
/// reference count, not a copy of every pool handle, Redis client and
/// string in [`Services`].
#[derive(Clone, Debug)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The services every request handler may use, built once.
#[derive(Debug)]
pub struct Services {
    pub db: Db,
    pub config: Arc<Config>,
    pub auth: Auth,
    pub hasher: Hasher,
    pub clock: Clock,
    /// How recent a proof of who the user is sensitive actions need.
    pub reauth: ReauthWindow,
    /// The Redis connection, when a store lives there.
    pub redis: Option<RedisClient>,
    /// Failed sign-in counters, in the shared store.
    pub throttle: Throttle,
    /// This server as a WebAuthn relying party (passkeys).
    pub passkeys: RelyingParty,
    /// Sign-in ceremonies in progress (WebAuthn challenges), in the shared
    /// store.
    pub ceremonies: Ceremonies,
    /// Device authorization requests (RFC 8628) waiting for a person's
    /// answer, in the shared store.
    pub device_codes: DeviceCodes,
    /// The DPoP proof checker, with the proofs seen lately in the shared
    /// store.
    pub dpop: Dpop,
    /// The key names typed into sign-in forms are kept under.
    pub names: NameKey,
    /// What the app records for operators (a no-op unless
    /// `LATCHKEY_METRICS` is on).
    pub metrics: Metrics,
    /// The counters of resolved callers, registered once.
    pub resolved: Resolved,
    /// What resolving signed-in callers cost on this instance so far, for
    /// `/tradeoffs`; kept whatever the metrics setting.
    pub resolving: crate::probe::Totals,
    /// Where the other mode kept its sign-ins, to carry them over after a
    /// switch of mode; `None` when `LATCHKEY_MODE_MIGRATION` is off.
    pub former: Option<Former>,
}

impl AppState {
    /// Opens the configured database and builds the state.
    pub async fn connect(config: Config) -> Result<Self> {
        config.validate().map_err(Error::Invalid)?;
        crate::data_dir::prepare(&config.data_dir)?;
        if let Some(file) = db::sqlite_file(&config.database_url()) {
            crate::data_dir::create_private_file(&file)?;
        }
        let db = db::connect(&config.database_url(), config.store_timeout).await?;
        let shared_stores = db::Engine::of(&config.database_url()) == Ok(db::Engine::Postgres)
            || config.session_store == SessionStoreKind::Redis;
        if config.auth_mode == AuthMode::Jwt
            && shared_stores
            && config.issuer.is_none()
            && config.public_origin.is_none()
        {
            // Each instance would name itself by its own address, and
            // refuse the others' tokens.
            tracing::warn!(
                issuer = %config.issuer(),
                "LATCHKEY_ISSUER is not set: instances sharing these stores must all set it \
                 (or LATCHKEY_PUBLIC_ORIGIN) to the one URL clients use"
            );
        }
        let keys = match config.auth_mode {
            AuthMode::Jwt => Some(Keyring::load_or_create(&config.data_dir, config.jwt_alg)?),
            AuthMode::Session => None,
        };
        let names = NameKey::load_or_create(&config.data_dir)?;
        let state = Self::assemble(config, db, Hasher::new(), Clock::System, keys, names)?;
        // A first read of the revocation set; if a store is down the instance
        // still starts, serves what it can and catches up on the next sync.
        if let Err(e) = state.auth.sync().await {
            tracing::warn!(error = %e, "could not read revocations at startup");
        }
        Ok(state)
    }

    /// Builds the state over an open, migrated database. JWT mode needs `keys`;
    /// typed names are kept under `names`.
    pub fn new(
        config: Config,
        db: Db,
        hasher: Hasher,
        clock: Clock,
        keys: Option<Keyring>,
        names: NameKey,
    ) -> Result<Self> {
        config.validate().map_err(Error::Invalid)?;
        Self::assemble(config, db, hasher, clock, keys, names)
    }

    /// [`AppState::new`] over a configuration already validated.
    fn assemble(
        config: Config,
        db: Db,
        hasher: Hasher,
        clock: Clock,
        keys: Option<Keyring>,
        names: NameKey,
    ) -> Result<Self> {
        let shared = SharedStore::open(&config, &db)?;
        let metrics = Metrics::new(config.metrics);
        let auth = match config.auth_mode {
            AuthMode::Session => {
                let store = match (config.session_store, &shared) {
                    (SessionStoreKind::Memory, _) => ConfiguredStore::Memory(MemoryStore::new()),
                    (_, SharedStore::Database(db)) => {
                        ConfiguredStore::Database(DatabaseStore::new(db.clone()))
                    }
                    (_, SharedStore::Redis(r)) => {
                        ConfiguredStore::Redis(RedisStore::new(r.clone()))
                    }
                };
                let life = SessionLifetimes {
                    idle: config.session_idle_ttl,
                    short_idle: config.short_idle_ttl,
                    absolute: config.session_absolute_ttl,
                };
                let backend = SessionBackend::new(store, life, clock.clone());
                Auth::Session(backend.with_metrics(metrics.clone()))
            }
            AuthMode::Jwt => {
                let keys = keys
                    .ok_or_else(|| Error::Internal("JWT mode needs a keyring".into()))?
                    .with_issuer(config.issuer())
                    .with_resources(&config.resources);
                let settings = JwtSettings {
                    access_ttl: config.access_ttl,
                    refresh_ttl: config.refresh_ttl,
                    short_refresh_ttl: config.short_idle_ttl,
                    absolute_ttl: config.session_absolute_ttl,
                    grace: config.refresh_grace,
                };
                let backend = JwtBackend::new(keys, db.clone(), &shared, settings, clock.clone());
                Auth::Jwt(backend.with_metrics(metrics.clone()))
            }
        };
        let redis = shared.redis().cloned();
        let former = Former::for_config(&config, &db, &shared);
        let mode = config.auth_mode.as_str();
        let reauth = ReauthWindow::new(clock.clone(), config.reauth_window);
        let passkeys = RelyingParty::from_config(&config).map_err(Error::Invalid)?;
        let ceremonies = Ceremonies::new(&shared, clock.clone());
        let interval = config.device_interval.as_secs() as i64;
        let device_codes = DeviceCodes::new(&shared, clock.clone(), interval);
        let mut dpop = Dpop::new(&config.origin(), &shared, clock.clone());
        if let (true, Some(jwt)) = (config.dpop_nonces, auth.tokens()) {
            dpop = dpop.with_nonces(Nonces::new(&jwt.keys().refresh_secret));
        }
        Ok(AppState(Arc::new(Services {
            throttle: Throttle::new(&shared),
            passkeys,
            ceremonies,
            device_codes,
            dpop,
            names,
            db,
            config: Arc::new(config),
            auth,
            hasher,
            reauth,
            clock,
            redis,
            resolved: metrics.resolved(mode),
            resolving: crate::probe::Totals::default(),
            former,
            metrics,
        })))
    }
}
