//! A private Redis Cluster (3 masters, 3 replicas) for the failover test,
//! made like `start_private_redis_cluster` in scripts/services.sh. It is the
//! test's own rather than the one `LATCHKEY_TEST_REDIS_CLUSTER_URL` names: the
//! test kills a master, and the tests sharing that cluster must not see their
//! keys' slots change hands, or writes fail, while a replica takes over.
//! The nodes are `redis-server` processes on free loopback ports, memory
//! only; their node tables and logs go to a temporary directory. Dropping
//! the cluster kills them and removes the directory.

use std::collections::HashSet;
use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::process::Command;

const NODES: usize = 6;
const MASTERS: usize = 3;
const SLOTS: u32 = 16384;
const POLL: Duration = Duration::from_millis(50);

struct Node {
    port: u16,
    child: Child,
    /// False once [`PrivateCluster::kill`] has killed it.
    alive: bool,
}

/// Six nodes, killed with it (see the module's doc).
pub struct PrivateCluster {
    dir: PathBuf,
    nodes: Vec<Node>,
}

impl PrivateCluster {
    /// Starts 6 nodes, joins them as 3 masters with a replica each and waits
    /// until every node sees the whole cluster (see `whole`); panics with the
    /// nodes' logs if that takes more than 30 s.
    pub async fn start() -> Self {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let name = format!("latchkey-redis-cluster-{}-{seq}", std::process::id());
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).expect("cluster directory");
        // Built first, so that a panic below still kills what was started.
        let mut cluster = PrivateCluster { dir, nodes: vec![] };
        let deadline = Instant::now() + Duration::from_secs(30);
        let ports = free_cluster_ports(NODES);
        for &port in &ports {
            let log = cluster.file(&format!("redis-{port}.log"));
            // Memory only; the node table is a file Redis Cluster insists
            // on. A 2 s node timeout lets a replica take over from a killed
            // master within seconds; a sync with no delay readies replicas.
            let child = StdCommand::new("redis-server")
                .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
                .args(["--save", "", "--appendonly", "no", "--dir"])
                .arg(&cluster.dir)
                .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"])
                .arg("--cluster-config-file")
                .arg(cluster.dir.join(format!("nodes-{port}.conf")))
                .args(["--repl-diskless-sync-delay", "0"])
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .expect("start redis-server");
            let alive = true;
            cluster.nodes.push(Node { port, child, alive });
        }
        // Each must answer with its own pid: another server that took the
        // port in the meantime would answer too.
        let pids: Vec<u32> = cluster.nodes.iter().map(|n| n.child.id()).collect();
        for (&port, pid) in ports.iter().zip(pids) {
            let own = format!("process_id:{pid}");
            let own = |line: &str| line.trim() == own;
            while !cli(port, &["info", "server"])
                .await
                .is_some_and(|i| i.lines().any(own))
            {
                cluster.check_running(deadline, "did not start");
                tokio::time::sleep(POLL).await;
            }
        }
        let log = cluster.file("create.log");
        let created = Command::new("redis-cli")
            .args(["--cluster", "create"])
            .args(ports.iter().map(|p| format!("127.0.0.1:{p}")))
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .status()
            .await;
        if !created.is_ok_and(|s| s.success()) {
            panic!("redis-cli --cluster create failed\n{}", cluster.logs());
        }
        // redis-cli returns before the gossip has reached every node and
        // before the replicas have synced; a replica that never synced will
        // not take over its master's slots, so a failover would never come.
        while !cluster.whole().await {
            cluster.check_running(deadline, "did not form");
            tokio::time::sleep(POLL).await;
        }
        cluster
    }

    /// Every node's URL, comma-separated, as `LATCHKEY_TEST_REDIS_CLUSTER_URL`.
    pub fn urls(&self) -> String {
        let url = |n: &Node| format!("redis://127.0.0.1:{}", n.port);
        self.nodes.iter().map(url).collect::<Vec<_>>().join(",")
    }

    /// The port of the master that owns `key`'s slot, as a live node sees it.
    pub async fn master_of(&self, key: &str) -> u16 {
        let port = *self.live().iter().next().expect("no live node");
        let slot = cli(port, &["cluster", "keyslot", key]).await;
        let slot: u32 = slot.and_then(|s| s.trim().parse().ok()).expect("KEYSLOT");
        let table = nodes(port).await.expect("CLUSTER NODES");
        let owns = |n: &&Entry| n.master && n.ok && n.ranges.iter().any(|r| r.contains(&slot));
        let owner = table.iter().find(owns).map(|n| n.port);
        owner.unwrap_or_else(|| panic!("no master owns slot {slot}"))
    }

    /// SIGKILL: the node stops answering at once, as on a crash.
    pub fn kill(&mut self, port: u16) {
        let node = self.nodes.iter_mut().find(|n| n.port == port);
        let node = node.expect("no such node");
        node.child.kill().ok();
        node.child.wait().ok();
        node.alive = false;
    }

    /// Polls every 50 ms until every live node says `cluster_state:ok` and
    /// sees 3 live masters owning all slots again; returns how long that
    /// took, and panics after `timeout`. Right after a kill the cluster still
    /// says ok (the dead master is not yet marked as failed): hence "live".
    pub async fn wait_healed(&self, timeout: Duration) -> Duration {
        let (started, live) = (Instant::now(), self.live());
        'poll: loop {
            if started.elapsed() > timeout {
                panic!("not healed in {timeout:?}\n{}", self.logs());
            }
            tokio::time::sleep(POLL).await;
            for &port in &live {
                let table = nodes(port).await;
                if !state_ok(port).await || table.is_none_or(|t| owners(&t, &live).is_none()) {
                    continue 'poll;
                }
            }
            return started.elapsed();
        }
    }

    fn live(&self) -> HashSet<u16> {
        let live = self.nodes.iter().filter(|n| n.alive);
        live.map(|n| n.port).collect()
    }

    /// Whether every node says the cluster is ok and sees 3 masters owning
    /// all slots and 3 replicas, one per master, every link connected and no
    /// node suspected; and whether every replica's sync is up.
    async fn whole(&self) -> bool {
        let all = self.live();
        for &port in &all {
            let Some(table) = nodes(port).await else {
                return false;
            };
            let replicas = table.iter().filter(|n| !n.master);
            let of: HashSet<&str> = replicas.map(|n| n.of.as_str()).collect();
            let all_ok = table.len() == NODES && table.iter().all(|n| n.ok);
            if !all_ok || owners(&table, &all) != Some(of) || !state_ok(port).await {
                return false;
            }
            let repl = cli(port, &["info", "replication"]).await;
            let repl = repl.unwrap_or_default();
            if repl.contains("role:slave") && !repl.contains("master_link_status:up") {
                return false;
            }
        }
        true
    }

    /// Panics with the logs past `deadline` or when a node has exited.
    fn check_running(&mut self, deadline: Instant, what: &str) {
        let mut nodes = self.nodes.iter_mut();
        let exited = nodes.any(|n| !matches!(n.child.try_wait(), Ok(None)));
        if exited || Instant::now() > deadline {
            let logs = self.logs();
            panic!("the private Redis Cluster {what} (a node exited: {exited})\n{logs}");
        }
    }

    fn file(&self, name: &str) -> File {
        File::create(self.dir.join(name)).expect("log file")
    }

    fn logs(&self) -> String {
        let names = self.nodes.iter().map(|n| format!("redis-{}.log", n.port));
        let names = names.chain(["create.log".to_string()]);
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        names
            .map(|name| format!("--- {name}\n{}", read(&name)))
            .collect()
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            node.child.kill().ok();
            node.child.wait().ok();
        }
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

/// `n` free loopback ports, each below 55535 with port + 10000 (its cluster
/// bus) free too. The listeners stay open until all are found, so the kernel
/// hands out none twice.
fn free_cluster_ports(n: usize) -> Vec<u16> {
    let (mut held, mut ports) = (vec![], vec![]);
    while ports.len() < n && held.len() < 1000 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        held.push(listener);
        if port >= 55535 {
            continue;
        }
        if let Ok(bus) = TcpListener::bind(("127.0.0.1", port + 10000)) {
            held.push(bus);
            ports.push(port);
        }
    }
    assert_eq!(ports.len(), n, "found no free ports for the Redis Cluster");
    ports
}

/// One redis-cli command's output (its host is 127.0.0.1 by default);
/// `None` if it could not connect or took over 2 s. Error replies come back
/// as text, which then fails to parse.
async fn cli(port: u16, args: &[&str]) -> Option<String> {
    let mut cmd = Command::new("redis-cli");
    cmd.arg("-p").arg(port.to_string()).args(args);
    cmd.stdin(Stdio::null()).stderr(Stdio::null());
    let out = cmd.kill_on_drop(true).output();
    let out = tokio::time::timeout(Duration::from_secs(2), out)
        .await
        .ok()?
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    out.status.success().then_some(text)
}

async fn state_ok(port: u16) -> bool {
    let info = cli(port, &["cluster", "info"]).await;
    info.is_some_and(|i| i.lines().any(|l| l.trim() == "cluster_state:ok"))
}

#[path = "cluster_nodes.rs"]
mod cluster_nodes;
use cluster_nodes::{nodes, owners, Entry};
