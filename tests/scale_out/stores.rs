//! The shared stores of a scenario: a throwaway PostgreSQL database and a
//! Redis key prefix, each reached through a [`FaultProxy`] relay.

use std::net::SocketAddr;

use server::db::testing::{PgTestDb, POSTGRES_ENV};
use server::redis_client::{self, RedisClient};

use super::instance::{Settings, TempDir};
use super::proxy::FaultProxy;

/// The shared stores of one scenario, each behind a fault relay.
pub struct Stores {
    pg: PgTestDb,
    redis: RedisClient,
    pub pg_proxy: FaultProxy,
    pub redis_proxy: FaultProxy,
    dir: TempDir,
}

impl Stores {
    /// `None` (and a "skipped" line) without the service variables.
    pub async fn start() -> Option<Self> {
        let Some(redis_url) = std::env::var(redis_client::TEST_ENV)
            .ok()
            .filter(|u| !u.is_empty())
        else {
            server::testing::skip("Redis", redis_client::TEST_ENV);
            return None;
        };
        let Some(pg) = PgTestDb::create().await else {
            server::testing::skip("PostgreSQL", POSTGRES_ENV);
            return None;
        };
        let pg_proxy = FaultProxy::start(authority(&pg.url).await).await;
        let redis_proxy = FaultProxy::start(authority(&redis_url).await).await;
        let redis = RedisClient::for_tests().expect("test Redis");
        Some(Stores {
            pg,
            redis,
            pg_proxy,
            redis_proxy,
            dir: TempDir::new("scale-out"),
        })
    }

    /// Instance settings reaching the stores through the relays.
    pub fn settings(&self, mode: &'static str) -> Settings {
        let redis_url = std::env::var(redis_client::TEST_ENV).unwrap();
        Settings {
            mode,
            database_url: with_authority(&self.pg.url, self.pg_proxy.addr),
            redis_url: with_authority(&redis_url, self.redis_proxy.addr),
            redis_prefix: self.redis.key(""),
            session_store: "redis",
            data_dir: self.dir.path().to_path_buf(),
            jwt_alg: "HS256",
            json_log: None,
        }
    }

    pub async fn stop(self) {
        self.redis.delete_all().await.ok();
        self.pg.drop().await;
    }
}

/// The `host:port` of a URL, resolved.
async fn authority(url: &str) -> SocketAddr {
    let rest = &url[url.find("://").unwrap() + 3..];
    let hostport = rest.split(['/', '?']).next().unwrap();
    let hostport = hostport.rsplit('@').next().unwrap();
    tokio::net::lookup_host(hostport)
        .await
        .unwrap()
        .next()
        .unwrap()
}

/// `url` pointed at `addr`, keeping scheme, user and path.
fn with_authority(url: &str, addr: SocketAddr) -> String {
    let start = url.find("://").unwrap() + 3;
    let rest = &url[start..];
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let user = rest[..end].rsplit_once('@').map(|(u, _)| format!("{u}@"));
    format!(
        "{}{}{addr}{}",
        &url[..start],
        user.unwrap_or_default(),
        &rest[end..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_repointed_at_the_relay() {
        let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        assert_eq!(
            with_authority(
                "postgres://postgres@127.0.0.1:5432/db_x?sslmode=disable",
                addr
            ),
            "postgres://postgres@127.0.0.1:4000/db_x?sslmode=disable"
        );
        assert_eq!(
            with_authority("redis://127.0.0.1:6379", addr),
            "redis://127.0.0.1:4000"
        );
    }
}
