//! What a Redis Cluster needs beyond sending each command to the master of
//! its key's slot, which redis-rs's cluster client does by itself.
//!
//! - **Seeds.** `REDIS_URL` lists one or more nodes; the client learns the
//!   layout (which master holds which slots, and their replicas) from the
//!   first that answers, and learns it again after `MOVED` or a failover.
//! - **Scans.** `SCAN` walks one node's keys, so a walk over every key of a
//!   prefix asks each master in turn ([`scan`]).
//! - **Replication.** A master acknowledges a write before its replicas have
//!   it; were it killed then, the promoted replica would not have the write.
//!   [`replicate`] sends `WAIT 1` to the master that took the write, which
//!   answers once a replica holds it, so a sign-in, a sign-out or a
//!   revocation answered to a user survives a failover.
//! - **Pub/sub.** Revocations travel on sharded channels (`SSUBSCRIBE`,
//!   `SPUBLISH`): a message stays within the shard that owns its channel's
//!   slot, every instance listens on that shard's master, and the client
//!   subscribes again wherever the slot moves after a failover. The listening
//!   connection speaks RESP3, which carries pushes beside replies.

use std::time::Duration;

use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, SlotAddr};
use redis::{ProtocolVersion, PushInfo, Value};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::{Error, Result};

/// Keys asked for per `SCAN` step: a bound on each step's work in Redis.
const SCAN_COUNT: usize = 500;

/// The cluster client for commands and the one for listening, both over
/// the seed nodes in `urls` (comma-separated).
pub(super) fn clients(urls: &str, timeout: Duration) -> Result<(ClusterClient, ClusterClient)> {
    let seeds: Vec<&str> = urls
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect();
    if seeds.is_empty() {
        return Err(Error::Invalid(
            "REDIS_URL names no node of the Redis Cluster".into(),
        ));
    }
    let build = |protocol| {
        ClusterClient::builder(seeds.iter().copied())
            .connection_timeout(timeout)
            // Also the bound of a whole request, retries and redirections
            // included: during a failover a request answers 503 after this
            // long instead of waiting for the election.
            .response_timeout(timeout)
            .use_protocol(protocol)
            .build()
            .map_err(|e| Error::Invalid(format!("REDIS_URL is not a list of Redis URLs: {e}")))
    };
    Ok((
        build(ProtocolVersion::RESP2)?,
        build(ProtocolVersion::RESP3)?,
    ))
}

/// A connection made in the background: an instance starts while the
/// cluster is down and reports it on `/readyz`.
pub(super) fn connect(client: &ClusterClient, timeout: Duration) -> ClusterConnection {
    let config = ClusterConfig::new()
        .set_connection_timeout(timeout)
        .set_response_timeout(timeout);
    client.get_pending_async_connection_with_config(config)
}

/// A connection subscribed to the sharded `channels`, and the pushes it
/// receives (messages, and a confirmation each time it subscribes again).
pub(super) async fn subscribe(
    client: &ClusterClient,
    timeout: Duration,
    channels: Vec<String>,
) -> Result<(ClusterConnection, UnboundedReceiver<PushInfo>)> {
    let (pushes, received) = tokio::sync::mpsc::unbounded_channel();
    let config = ClusterConfig::new()
        .set_connection_timeout(timeout)
        .set_response_timeout(timeout)
        .set_push_sender(pushes);
    let mut conn = client.get_async_connection_with_config(config).await?;
    conn.ssubscribe(channels).await?;
    Ok((conn, received))
}

/// Waits until a replica of the master holding `key` has every write sent
/// to it so far, for at most `wait`; returns how many replicas did.
pub(super) async fn replicate(
    conn: &mut ClusterConnection,
    key: &str,
    wait: Duration,
) -> redis::RedisResult<u64> {
    let mut cmd = redis::cmd("WAIT");
    cmd.arg(1).arg(wait.as_millis() as u64);
    let route = Route::with_key(key.as_bytes(), SlotAddr::Master);
    let acked = conn
        .route_command(
            cmd,
            RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(route)),
        )
        .await?;
    Ok(redis::from_redis_value(acked)?)
}

/// Whether `e` is a transaction refused because its slot moved (the
/// master was replaced, or the slot migrated).
pub(super) fn moved_away(e: &redis::RedisError) -> bool {
    use redis::ServerErrorKind::{Ask, ExecAbort, Moved};
    if e.kind() != redis::ErrorKind::Server(ExecAbort) {
        return false;
    }
    let errors = e.clone().into_server_errors().unwrap_or_default();
    errors
        .iter()
        .any(|(_, err)| matches!(err.kind(), Some(Moved | Ask)))
}

/// Every key matching `pattern`, from each master in turn.
pub(super) async fn scan(
    conn: &mut ClusterConnection,
    pattern: &str,
) -> redis::RedisResult<Vec<String>> {
    let mut keys = Vec::new();
    for (host, port) in masters(conn).await? {
        let mut cursor = 0u64;
        loop {
            let mut cmd = redis::cmd("SCAN");
            cmd.arg(cursor)
                .arg("MATCH")
                .arg(pattern)
                .arg("COUNT")
                .arg(SCAN_COUNT);
            let node = SingleNodeRoutingInfo::ByAddress {
                host: host.clone(),
                port,
            };
            let step = conn
                .route_command(cmd, RoutingInfo::SingleNode(node))
                .await?;
            let (next, found): (u64, Vec<String>) = redis::from_redis_value(step)?;
            keys.extend(found);
            if next == 0 {
                break;
            }
            cursor = next;
        }
    }
    Ok(keys)
}

/// Whether every master the cluster names (in `CLUSTER SLOTS`) answers
/// `PING`: no slot is held by a node that is gone.
pub(super) async fn whole(conn: &mut ClusterConnection) -> bool {
    let Ok(masters) = masters(conn).await else {
        return false;
    };
    for (host, port) in &masters {
        let node = SingleNodeRoutingInfo::ByAddress {
            host: host.clone(),
            port: *port,
        };
        let ping = conn.route_command(redis::cmd("PING"), RoutingInfo::SingleNode(node));
        if ping.await.is_err() {
            return false;
        }
    }
    !masters.is_empty()
}

/// The address of each master that holds slots, from `CLUSTER SLOTS`.
async fn masters(conn: &mut ClusterConnection) -> redis::RedisResult<Vec<(String, u16)>> {
    let mut cmd = redis::cmd("CLUSTER");
    cmd.arg("SLOTS");
    let slots = conn
        .route_command(cmd, RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random))
        .await?;
    let mut masters = masters_in(slots);
    masters.sort();
    masters.dedup();
    Ok(masters)
}

/// `CLUSTER SLOTS` answers `[[start, end, [host, port, id, ..], replicas..], ..]`.
fn masters_in(slots: Value) -> Vec<(String, u16)> {
    let Value::Array(ranges) = slots else {
        return Vec::new();
    };
    ranges
        .into_iter()
        .filter_map(|range| {
            let Value::Array(mut parts) = range else {
                return None;
            };
            if parts.len() < 3 {
                return None;
            }
            let Value::Array(master) = parts.swap_remove(2) else {
                return None;
            };
            let host: String = redis::from_redis_value_ref(master.first()?).ok()?;
            let port: u16 = redis::from_redis_value_ref(master.get(1)?).ok()?;
            Some((host, port))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(s: &str) -> Value {
        Value::BulkString(s.as_bytes().to_vec())
    }

    #[test]
    fn the_masters_are_read_from_cluster_slots() {
        let node = |port| Value::Array(vec![bulk("127.0.0.1"), Value::Int(port), bulk("id")]);
        let slots = Value::Array(vec![
            Value::Array(vec![
                Value::Int(0),
                Value::Int(5460),
                node(7001),
                node(7004),
            ]),
            Value::Array(vec![
                Value::Int(5461),
                Value::Int(10922),
                node(7002),
                node(7005),
            ]),
        ]);
        assert_eq!(
            masters_in(slots),
            vec![
                ("127.0.0.1".to_string(), 7001),
                ("127.0.0.1".to_string(), 7002)
            ]
        );
    }

    #[test]
    fn an_answer_of_another_shape_names_no_master() {
        assert!(masters_in(Value::Nil).is_empty());
        assert!(masters_in(Value::Array(vec![Value::Int(1)])).is_empty());
    }

    #[test]
    fn no_seed_is_refused_with_a_message() {
        let err = clients(" , ", Duration::from_secs(1)).unwrap_err();
        assert!(err.to_string().contains("no node"), "{err}");
    }
}
