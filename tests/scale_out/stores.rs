//! The shared stores of a scenario: a throwaway PostgreSQL database and a
//! Redis key prefix, each reached through a [`FaultProxy`] relay; or the
//! database and a key prefix on the test Redis Cluster, which is reached
//! directly (its nodes tell clients each other's addresses, which a relay
//! in front of one would not change).

use std::net::SocketAddr;

use server::db::testing::{PgTestDb, POSTGRES_ENV};
use server::redis_client::{self, RedisClient};

use super::instance::{Settings, TempDir};
use super::proxy::FaultProxy;

/// Which Redis the instances of a scenario share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shared {
    /// One server (`LATCHKEY_TEST_REDIS_URL`), behind a fault relay.
    Redis,
    /// The test Redis Cluster (`LATCHKEY_TEST_REDIS_CLUSTER_URL`).
    Cluster,
}

/// The shared stores of one scenario.
pub struct Stores {
    pg: PgTestDb,
    redis: RedisClient,
    /// The nodes (several for a cluster) the instances are given.
    redis_url: String,
    shared: Shared,
    pub pg_proxy: FaultProxy,
    /// The relay in front of one Redis server (none for a cluster).
    pub redis_proxy: Option<FaultProxy>,
    dir: TempDir,
}

impl Stores {
    /// The stores over one Redis server; `None` (and a "skipped" line)
    /// without the service variables.
    pub async fn start() -> Option<Self> {
        Self::start_with(Shared::Redis).await
    }

    /// The stores over `shared`; `None` (and a "skipped" line) without the
    /// service variables.
    pub async fn start_with(shared: Shared) -> Option<Self> {
        let (var, what) = match shared {
            Shared::Redis => (redis_client::TEST_ENV, "Redis"),
            Shared::Cluster => (redis_client::TEST_CLUSTER_ENV, "Redis Cluster"),
        };
        let Some(redis_url) = std::env::var(var).ok().filter(|u| !u.is_empty()) else {
            server::testing::skip(what, var);
            return None;
        };
        Self::open(shared, redis_url).await
    }

    /// The stores over a cluster of the test's own, whose nodes `urls`
    /// lists; `None` (and a "skipped" line) without PostgreSQL.
    pub async fn start_over_cluster(urls: String) -> Option<Self> {
        Self::open(Shared::Cluster, urls).await
    }

    async fn open(shared: Shared, redis_url: String) -> Option<Self> {
        let Some(pg) = PgTestDb::create().await else {
            server::testing::skip("PostgreSQL", POSTGRES_ENV);
            return None;
        };
        let pg_proxy = FaultProxy::start(authority(&pg.url).await).await;
        let (redis, redis_proxy, redis_url) = match shared {
            Shared::Redis => {
                let proxy = FaultProxy::start(authority(&redis_url).await).await;
                let relayed = with_authority(&redis_url, proxy.addr);
                let redis = RedisClient::for_tests().expect("test Redis");
                (redis, Some(proxy), relayed)
            }
            Shared::Cluster => {
                let prefix = format!("latchkey-test:{}:", server::random::new_id());
                let timeout = std::time::Duration::from_secs(2);
                let redis =
                    RedisClient::cluster(&redis_url, &prefix, timeout).expect("cluster URLs");
                (redis, None, redis_url)
            }
        };
        Some(Stores {
            pg,
            redis,
            redis_url,
            shared,
            pg_proxy,
            redis_proxy,
            dir: TempDir::new("scale-out"),
        })
    }

    /// Instance settings reaching the stores (through the relays, where
    /// there are).
    pub fn settings(&self, mode: &'static str) -> Settings {
        Settings {
            mode,
            database_url: with_authority(&self.pg.url, self.pg_proxy.addr),
            redis_url: self.redis_url.clone(),
            redis_prefix: self.redis.key(""),
            redis_cluster: self.shared == Shared::Cluster,
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
