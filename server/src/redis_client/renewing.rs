//! The cluster connection, made anew when a master is lost.
//!
//! redis-rs's cluster connection learns a new layout only from a `MOVED`
//! answer. When a master dies, nothing answers for its slots: commands meet
//! a refused or dropped connection, redis-rs reconnects to the dead address,
//! and keeps the old layout after a replica has been promoted, until a
//! request happens to meet a `MOVED` elsewhere, which can take seconds more.
//! So a command that fails for want of a node (an I/O error, a timeout, a
//! cluster error) starts a repair: the connection is replaced by a new one,
//! which reads the layout afresh from the seed nodes, and then every
//! [`RENEW_EVERY`] until every master the cluster names answers `PING`.
//! During an election the cluster still names the dead master and the
//! connection is replaced again; the first made after the promotion serves
//! the new one. Commands already sent on an old connection still wait out
//! the store timeout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::RedisError;

/// How often a repair makes a new connection: bounds the connections made
/// while a failover is under way, and how late service resumes after it.
pub const RENEW_EVERY: Duration = Duration::from_millis(500);

/// A cluster connection that renews itself after failures.
pub struct Renewing {
    client: ClusterClient,
    timeout: Duration,
    current: RwLock<ClusterConnection>,
    repairing: AtomicBool,
}

impl Renewing {
    /// A connection over `client`'s seed nodes, made in the background.
    pub fn new(client: ClusterClient, timeout: Duration) -> Self {
        let current = RwLock::new(super::cluster::connect(&client, timeout));
        Renewing {
            client,
            timeout,
            current,
            repairing: AtomicBool::new(false),
        }
    }

    /// The connection to send commands on (cheap: it is multiplexed).
    pub fn get(&self) -> ClusterConnection {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Notes that a command failed with `e`; starts a repair when `e` means
    /// a node is out of reach and none is under way.
    pub fn failed(self: &Arc<Self>, e: &RedisError) {
        if !lost_a_node(e) || self.repairing.swap(true, Ordering::SeqCst) {
            return;
        }
        tracing::warn!(error = %e, "a Redis Cluster node is out of reach; reading the layout anew");
        let this = self.clone();
        tokio::spawn(async move { this.repair().await });
    }

    /// Replaces the connection until the cluster is whole again, then once
    /// more: the last one is made with every master answering, so its
    /// layout is the cluster's after the promotion.
    async fn repair(&self) {
        loop {
            let mut fresh = super::cluster::connect(&self.client, self.timeout);
            self.install(fresh.clone());
            tokio::time::sleep(RENEW_EVERY).await;
            let whole = tokio::time::timeout(self.timeout, super::cluster::whole(&mut fresh));
            if let Ok(true) = whole.await {
                self.install(super::cluster::connect(&self.client, self.timeout));
                tracing::info!("the Redis Cluster answers again");
                self.repairing.store(false, Ordering::SeqCst);
                return;
            }
        }
    }

    fn install(&self, conn: ClusterConnection) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = conn;
    }
}

/// Whether `e` says a node could not be reached or the layout changed,
/// rather than that a command was wrong.
fn lost_a_node(e: &RedisError) -> bool {
    e.is_io_error() || e.is_timeout() || e.is_cluster_error() || e.is_unrecoverable_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_command_is_no_lost_node() {
        let wrong = RedisError::from((redis::ErrorKind::Client, "wrong"));
        assert!(!lost_a_node(&wrong));
        let refused = RedisError::from(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(lost_a_node(&refused));
        let timed_out = RedisError::from(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert!(lost_a_node(&timed_out));
    }
}
