//! One connection type for both deployments, so every store issues its
//! commands the same way whether Redis is one server or a cluster.
//!
//! redis-rs gives the two different types (`ConnectionManager` reconnects
//! one server; `ClusterConnection` routes each command to the master of its
//! key's slot and follows `MOVED` and failovers). Both implement
//! [`ConnectionLike`], the trait every command and pipeline is sent
//! through, so this enum forwards to whichever is configured. A cluster
//! command that fails tells the [`Renewing`] connection it came from, which
//! may replace it (see there).

use redis::aio::{ConnectionLike, ConnectionManager};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

use std::sync::Arc;

use super::renewing::Renewing;

/// A cheap handle (both kinds are multiplexed): clone one per use.
#[derive(Clone)]
pub enum RedisConnection {
    /// One server.
    Single(ConnectionManager),
    /// A Redis Cluster, and where it came from. A pipeline sent through it
    /// must keep to one slot.
    Cluster(ClusterConnection, Arc<Renewing>),
}

impl ConnectionLike for RedisConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            RedisConnection::Single(c) => c.req_packed_command(cmd),
            RedisConnection::Cluster(c, from) => Box::pin(async move {
                let answer = c.req_packed_command(cmd).await;
                if let Err(e) = &answer {
                    from.failed(e);
                }
                answer
            }),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            RedisConnection::Single(c) => c.req_packed_commands(pipeline, offset, count),
            RedisConnection::Cluster(c, from) => Box::pin(async move {
                let answer = c.req_packed_commands(pipeline, offset, count).await;
                if let Err(e) = &answer {
                    from.failed(e);
                }
                answer
            }),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            RedisConnection::Single(c) => c.get_db(),
            RedisConnection::Cluster(c, _) => c.get_db(),
        }
    }
}
