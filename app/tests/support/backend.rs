//! Which backend a test app runs: its auth mode and where it keeps sessions
//! or revocations, and the configuration that says so.

use server::config::{AuthMode, Config, SessionStoreKind};
use server::redis_client;

/// Which backend a test app runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    SessionMemory,
    SessionDatabase,
    /// Sessions in Redis (`LATCHKEY_TEST_REDIS_URL`), under a fresh prefix.
    SessionRedis,
    Jwt,
    /// JWT mode with the revocation set in Redis.
    JwtRedis,
    /// Sessions in a Redis Cluster (`LATCHKEY_TEST_REDIS_CLUSTER_URL`).
    SessionRedisCluster,
    /// JWT mode with the revocation set in a Redis Cluster.
    JwtRedisCluster,
}

impl Backend {
    /// Whether the app runs in JWT mode.
    pub fn is_jwt(self) -> bool {
        matches!(
            self,
            Backend::Jwt | Backend::JwtRedis | Backend::JwtRedisCluster
        )
    }

    /// The configuration of an app on this backend (the password grant off,
    /// as by default).
    pub fn config(self) -> Config {
        let store = match self {
            Backend::SessionMemory => Config {
                session_store: SessionStoreKind::Memory,
                ..Config::defaults()
            },
            Backend::SessionDatabase | Backend::Jwt => Config {
                session_store: SessionStoreKind::Database,
                ..Config::defaults()
            },
            Backend::SessionRedis | Backend::JwtRedis => Config {
                session_store: SessionStoreKind::Redis,
                ..test_redis()
            },
            Backend::SessionRedisCluster | Backend::JwtRedisCluster => Config {
                session_store: SessionStoreKind::Redis,
                ..test_redis_cluster()
            },
        };
        match self.is_jwt() {
            true => Config {
                auth_mode: AuthMode::Jwt,
                // Same idle lifetime as session mode, so one suite fits both.
                refresh_ttl: std::time::Duration::from_secs(24 * 3600),
                ..store
            },
            false => store,
        }
    }
}

/// The names of the auth cookies a backend sets.
pub fn cookie_names(backend: Backend) -> &'static [&'static str] {
    match backend.is_jwt() {
        true => &["__Host-latchkey_access", "__Host-latchkey_refresh"],
        false => &["__Host-latchkey_session"],
    }
}

/// Whether Redis service tests can run; says so on stderr when not.
pub fn redis_available() -> bool {
    available("Redis", redis_client::TEST_ENV)
}

/// Whether Redis Cluster service tests can run; says so on stderr when not.
pub fn redis_cluster_available() -> bool {
    available("Redis Cluster", redis_client::TEST_CLUSTER_ENV)
}

fn available(service: &str, var: &str) -> bool {
    let url = std::env::var(var).unwrap_or_default();
    if url.is_empty() {
        server::testing::skip(service, var);
    }
    !url.is_empty()
}

/// Defaults with the test Redis under a fresh key prefix.
fn test_redis() -> Config {
    Config {
        redis_url: Some(std::env::var(redis_client::TEST_ENV).expect("LATCHKEY_TEST_REDIS_URL")),
        redis_prefix: fresh_prefix(),
        ..Config::defaults()
    }
}

/// Defaults with the test Redis Cluster under a fresh key prefix.
fn test_redis_cluster() -> Config {
    let urls = std::env::var(redis_client::TEST_CLUSTER_ENV);
    Config {
        redis_url: Some(urls.expect("LATCHKEY_TEST_REDIS_CLUSTER_URL")),
        redis_cluster: true,
        redis_prefix: fresh_prefix(),
        ..Config::defaults()
    }
}

fn fresh_prefix() -> String {
    format!("latchkey-test:{}:", server::auth::token::new_id())
}
