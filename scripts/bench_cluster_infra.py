"""What the scale-out load runs against: a database of its own per run,
Latchkey instances over one data directory, HAProxy in front (round robin,
no stickiness), the Redis Cluster's nodes (which is a master, its pid,
killing it and watching the failover), and the CPU each process used."""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

from bench_cluster_haproxy import HAProxy
from bench_http import SHARED_ISSUER, cpu_seconds
from bench_server import Server


def say(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


class Database:
    """A database of its own on the server of `admin_url`, dropped at the end."""

    def __init__(self, admin_url, name):
        self.admin_url, self.name = admin_url, name
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.psql(f"CREATE DATABASE {name}")
        parts = urllib.parse.urlsplit(admin_url)
        self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))

    def psql(self, sql):
        try:
            done = subprocess.run(["psql", self.admin_url, "-qc", sql], timeout=60,
                                  capture_output=True, text=True)
        except (subprocess.SubprocessError, OSError) as e:
            raise SystemExit(f"bench: psql {sql!r}: {e}")
        if done.returncode != 0:
            raise SystemExit(f"bench: psql {sql!r}: {done.stderr.strip()}")

    def drop(self):
        try:
            self.psql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        except SystemExit as e:
            say(f"warning: could not drop the database {self.name}: {e}")


def redis_cli(url, *command, timeout=10):
    """redis-cli's answer (text), or None when it failed or timed out."""
    try:
        out = subprocess.run(["redis-cli", "-u", url, *command], capture_output=True,
                             text=True, timeout=timeout)
    except (subprocess.TimeoutExpired, OSError):
        return None
    return out.stdout if out.returncode == 0 else None


def delete_prefix(urls, prefix):
    """Deletes the keys under `prefix` on each of `urls` (the single Redis,
    or every node of a cluster: each holds its own slots' keys)."""
    for url in urls:
        keys = redis_cli(url, "--scan", "--pattern", f"{prefix}*", timeout=60)
        if not keys:
            continue
        lines = "".join(f"DEL {k}\n" for k in keys.split())
        try:
            subprocess.run(["redis-cli", "-u", url], input=lines, text=True,
                           capture_output=True, timeout=60)
        except (subprocess.TimeoutExpired, OSError):
            pass


class Cluster:
    """The Redis Cluster behind `urls` as its nodes see it."""

    def __init__(self, urls):
        self.urls = urls

    def nodes(self):
        """[{id, url, flags, master, slots}] from the first node that answers."""
        for url in self.urls:
            out = redis_cli(url, "cluster", "nodes", timeout=5)
            if out and out.strip():
                return [parse_node(line) for line in out.strip().splitlines()]
        return []

    def masters(self):
        return [n for n in self.nodes()
                if "master" in n["flags"] and "fail" not in n["flags"] and n["slots"]]

    def keys(self, node, prefix):
        out = redis_cli(node["url"], "--scan", "--pattern", f"{prefix}*", timeout=30)
        return len(out.split()) if out else 0

    def victim(self, prefix):
        """The master holding the most keys under `prefix` (the data this
        deployment uses), with its key count and pid."""
        masters = self.masters()
        if not masters:
            raise SystemExit("bench: the cluster named no master")
        for m in masters:
            m["keys"] = self.keys(m, prefix)
        victim = max(masters, key=lambda m: m["keys"])
        victim["pid"] = redis_pid(victim["url"])
        return victim

    def watch(self, killed, start):
        """A thread that asks the surviving nodes every 100 ms (for 60 s at
        most) and notes when they first flag the killed node as failed, when
        another master holds its slots, and when the cluster answers
        cluster_state:ok again with that done; seconds from `start`."""
        seen = {}
        others = [u for u in self.urls if u != killed["url"]]

        def run():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(seen) < 3:
                nodes = Cluster(others).nodes()
                dead = next((n for n in nodes if n["id"] == killed["id"]), None)
                if dead and "fail" in dead["flags"].split(",") and "flagged_fail_s" not in seen:
                    seen["flagged_fail_s"] = round(time.monotonic() - start, 3)
                heir = next((n for n in nodes if n["id"] != killed["id"] and "master" in n["flags"]
                             and "fail" not in n["flags"] and killed["slots"][0] in n["slots"]),
                            None)
                if heir and "promoted_s" not in seen:
                    seen["promoted_s"] = round(time.monotonic() - start, 3)
                    seen["promoted"] = heir["url"]
                if "promoted_s" in seen:
                    info = redis_cli(heir["url"] if heir else others[0], "cluster", "info",
                                     timeout=2) or ""
                    if "cluster_state:ok" in info:
                        seen.setdefault("cluster_ok_s", round(time.monotonic() - start, 3))
                        if "flagged_fail_s" in seen:
                            break
                time.sleep(0.1)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread, seen


def parse_node(line):
    """One line of CLUSTER NODES: <id> <ip:port@bus[,host]> <flags> <master>
    <ping> <pong> <epoch> <link> <slot>..."""
    fields = line.split()
    address = fields[1].split("@")[0]
    return {"id": fields[0], "url": f"redis://{address}", "flags": fields[2],
            "master": fields[3], "slots": fields[8:]}


def redis_pid(url):
    """The pid a Redis server reports, checked to be a redis-server
    listening where we asked (never another process)."""
    info = redis_cli(url, "info", "server", timeout=5) or ""
    fields = dict(line.split(":", 1) for line in info.replace("\r", "").splitlines()
                  if ":" in line)
    pid = int(fields.get("process_id", 0))
    port = urllib.parse.urlsplit(url).port
    try:
        with open(f"/proc/{pid}/comm") as f:
            comm = f.read().strip()
    except OSError:
        comm = ""
    if not pid or not comm.startswith("redis") or fields.get("tcp_port") != str(port):
        raise SystemExit(f"bench: could not tell the pid of the Redis at {url}")
    return pid


def kill_node(node):
    """SIGKILL to the node's redis-server."""
    os.kill(node["pid"], signal.SIGKILL)


class Fleet:
    """`n` JWT- or session-mode instances over one data directory, one
    database and one Redis (or cluster), HAProxy in front. Stops whatever it
    started, also when starting fails halfway."""

    def __init__(self, args, workdir, key, mode, n, database_url, redis_urls, cluster, prefix):
        self.servers, self.lb = [], None
        data = os.path.join(workdir, f"{key}-data")
        os.makedirs(data, mode=0o700)
        env = {
            "LATCHKEY_AUTH_MODE": mode, "DATABASE_URL": database_url,
            "LATCHKEY_SESSION_STORE": "redis", "REDIS_URL": ",".join(redis_urls),
            "LATCHKEY_REDIS_CLUSTER": "true" if cluster else "false",
            "LATCHKEY_REDIS_PREFIX": prefix, "LATCHKEY_ISSUER": SHARED_ISSUER,
            "LATCHKEY_TRUSTED_PROXIES": "127.0.0.1",
        }
        try:
            # One after the other: the first runs the migrations and makes
            # the keys the others read.
            for i in range(n):
                self.servers.append(Server(args, f"{key}-{i + 1}", {
                    **env, "LATCHKEY_INSTANCE_NAME": f"instance-{i + 1}"}, workdir,
                    data=data, pin=False))
            self.lb = HAProxy([s.port for s in self.servers], workdir, args.timeout)
        except BaseException:
            self.stop()
            raise
        self.logs = [s.log.name for s in self.servers]

    def cpu(self):
        """CPU seconds used so far by each instance and by HAProxy."""
        out = {f"instance-{i + 1}": cpu_of(s.proc.pid) for i, s in enumerate(self.servers)}
        if self.lb:
            out["haproxy"] = cpu_of(self.lb.proc.pid)
        return out

    def alive(self):
        return all(s.proc.poll() is None for s in self.servers)

    def stop(self):
        if self.lb:
            self.lb.stop()
        for s in self.servers:
            try:
                s.stop()
            except Exception as e:  # keep stopping the others
                say(f"warning: stopping an instance: {e}")


def cpu_of(pid):
    try:
        return cpu_seconds(pid)
    except OSError:
        return None


def keep_logs(paths, into):
    """Copies the instances' logs to `into` (they live in the temporary
    directory deleted at exit)."""
    os.makedirs(into, exist_ok=True)
    for p in paths:
        try:
            shutil.copy(p, into)
        except OSError:
            pass
