#!/usr/bin/env python3
"""Scale-out load: instances behind HAProxy over a Redis Cluster and PostgreSQL.

Started by `scripts/bench.sh --scale-out`, which starts a private PostgreSQL,
a private single Redis and a private Redis Cluster (scripts/services.sh) and
passes their URLs here, then stops them at exit. Standard library only.

Runs (each with a database and a Redis key prefix of its own, every process
on a free 127.0.0.1 port):
  cluster          JWT mode, --instances instances behind HAProxy (round robin,
                   no stickiness), Redis Cluster, PostgreSQL
  single           JWT mode, one instance behind HAProxy (one backend, so the
                   client's path is the same), a single Redis, PostgreSQL
  cluster-session  as cluster in session mode (--session-seconds)
  single-session   as single in session mode
  failover         as cluster, the master holding most of the run's keys
                   killed (SIGKILL) at --kill-at of the run
Without --redis-cluster-urls the cluster runs use the single Redis instead
(said in the report) and failover is left out: only a private cluster's
node is ever killed.

Each simulated user loops: form sign-in, page loads, an API client signing
in by the password grant, /api/me calls with a refresh halfway, the API
client's device signed out from the browser (then every instance asked
directly until it refuses the revoked token: the revocation lag), sign-out.
Writes target/bench/scale-out.md and scale-out.json.
"""

import argparse
import concurrent.futures
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from bench_cluster_infra import (Cluster, Database, Fleet, delete_prefix, keep_logs,
                                 kill_node, say)
from bench_cluster_load import run_load
from bench_cluster_report import failover, report, summarize
from bench_http import PASSWORD, auth_cookies, fmt, form, request

RUNS = ["cluster", "single", "cluster-session", "single-session", "failover"]


def plan(args, cluster_urls):
    """(key, title, mode, instances, clustered, seconds) of each run to make."""
    where = ("Redis Cluster (3 masters, 3 replicas)" if cluster_urls
             else "single Redis in place of the cluster")
    n = args.instances
    runs = [
        ("cluster", f"(a) JWT, {n} instances, {where}", "jwt", n, True, args.seconds),
        ("single", "(b) JWT, 1 instance, single Redis", "jwt", 1, False, args.seconds),
        ("cluster-session", f"(a') session mode, {n} instances, {where}", "session", n, True,
         args.session_seconds),
        ("single-session", "(b') session mode, 1 instance, single Redis", "session", 1, False,
         args.session_seconds),
        ("failover", f"(c) JWT, {n} instances, Redis Cluster, a master killed at "
         f"{args.kill_at:.0%} of the run", "jwt", n, True, args.seconds),
    ]
    for key, title, mode, count, clustered, seconds in runs:
        if args.only and key not in args.only:
            continue
        if seconds <= 0:
            continue
        if key == "failover" and not cluster_urls:
            say("no Redis Cluster: the failover run is left out")
            continue
        yield key, title, mode, count, clustered, seconds


def sign_up(port, users):
    """Signs `users` up through the load balancer (4 at a time: each is an
    argon2 hash), then signs each of those sign-ups' own devices out."""
    base = f"http://127.0.0.1:{port}"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}

    def one(name):
        status, h, body = request(base + "/api/sign_up",
                                  form({"username": name, "password": PASSWORD}), headers)
        cookie = auth_cookies(h)
        if status >= 400 or not cookie:
            raise SystemExit(f"bench: sign-up of {name} failed: {status} {body[:200]!r}")
        request(base + "/api/sign_out", b"", {**headers, "Cookie": cookie})
        return name

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, users))


def one_run(args, workdir, plan_entry, cluster_urls):
    key, title, mode, n, clustered, seconds = plan_entry
    urls = cluster_urls if clustered and cluster_urls else [args.redis_url]
    in_cluster = clustered and bool(cluster_urls)
    label = title.split(",")[0] + (", master killed" if key == "failover" else "")
    out = {"key": key, "title": title, "label": label,
           "instances": n, "redis": "cluster" if in_cluster else "single",
           "balancer": f"round robin over {n} backends" if n > 1 else "one backend",
           "redis_detail": ("Redis Cluster, 3 masters + 3 replicas, cluster-node-timeout "
                            "2000 ms" if in_cluster else "one Redis server"),
           "settings": {"mode": mode, "users": args.users, "workers": args.workers,
                        "seconds": seconds, "max_requests": args.max_requests,
                        "timeout": args.timeout, "pages": args.pages,
                        "api_calls": args.api_calls, "lag_poll_ms": args.lag_poll_ms,
                        "lag_timeout": args.lag_timeout, "probe_workers": args.probe_workers}}
    say(f"{title}: starting")
    prefix = f"latchkey-scale-{os.getpid()}-{key}:"
    database = Database(args.postgres_admin_url, f"latchkey_scale_{key.replace('-', '_')}")
    fleet = None
    try:
        fleet = Fleet(args, workdir, key, mode, n, database.url, urls, in_cluster, prefix)
        users = sign_up(fleet.lb.port, [f"user{i:04d}" for i in range(args.users)])
        cluster = Cluster(cluster_urls) if key == "failover" else None
        at, watch = {}, {}
        if cluster:
            def kill():
                # Chosen now: the master holding most of the run's keys.
                victim = watch["victim"] = cluster.victim(prefix)
                kill_node(victim)
                watch["killed_at"] = time.monotonic()
                say(f"killed {victim['url']} (pid {victim['pid']}, {victim['keys']} keys)")
                watch["thread"], watch["seen"] = cluster.watch(victim, watch["killed_at"])
            at = {seconds * args.kill_at: kill}
        stats0, cpu0, client0 = fleet.lb.stats(), fleet.cpu(), os.times()
        say(f"{title}: {seconds} s of load, {args.workers} workers, {len(users)} users")
        recorder, start, elapsed = run_load(
            args, mode, fleet.lb.port, [s.port for s in fleet.servers], users, seconds, at,
            alive=fleet.alive)
        stats1, cpu1, client1 = fleet.lb.stats(), fleet.cpu(), os.times()
        ports = [s.port for s in fleet.servers]
        out["summary"] = summarize(recorder, start, elapsed, ports)
        out["haproxy"] = {name: {k: v - stats0.get(name, {}).get(k, 0) for k, v in s.items()}
                          for name, s in stats1.items()}
        out["cpu_s"] = {k: (cpu1[k] - cpu0[k]) if cpu1.get(k) is not None else None
                        for k in cpu0 if cpu0[k] is not None}
        out["cpu_s"]["client"] = (client1.user + client1.system) - (client0.user + client0.system)
        if recorder.instance_exited:
            raise SystemExit(f"an instance exited during the run (logs: "
                             f"{os.path.join(args.out, 'scale-out-logs', key)})")
        if "killed_at" in watch:
            until = time.monotonic() + 30
            while watch["thread"].is_alive() and time.monotonic() < until:
                watch["thread"].join(0.2)
            out["failover"] = failover(recorder, start, watch["killed_at"] - start, ports)
            out["failover"]["victim"] = {k: watch["victim"][k]
                                         for k in ("url", "pid", "slots", "keys")}
            out["failover"]["cluster"] = dict(watch["seen"])
        elif cluster:
            raise SystemExit("the master was not killed (the run ended first)")
    finally:
        if fleet:
            fleet.stop()
            keep_logs([s.log.name for s in fleet.servers],
                      os.path.join(args.out, "scale-out-logs", key))
        delete_prefix(urls, prefix)
        database.drop()
    s = out["summary"]
    say(f"{title}: {s['requests']} requests, {fmt(s['rps'], '.0f')} req/s, "
        f"{s['kinds']['all']['unexpected']} unexpected, revocation lag p99 "
        f"{fmt(s['lag']['p99_ms'], '.1f')} ms")
    return out


def supports_cluster(binary):
    try:
        text = subprocess.run([binary, "--help"], capture_output=True, text=True,
                              timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "--redis-cluster" in text


def host():
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = re.search(r"Model name:\s*(.*)", out).group(1).strip()
    except (OSError, AttributeError):
        pass
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "nproc": os.cpu_count(),
            "cpu": model, "kernel": platform.release(), "loadavg_at_start": os.getloadavg()[0]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default="target/release/latchkey")
    p.add_argument("--site-root", default=os.path.abspath("target/site"))
    p.add_argument("--out", default="target/bench")
    p.add_argument("--postgres-admin-url", required=True,
                   help="a PostgreSQL URL whose user may create databases (one per run)")
    p.add_argument("--redis-url", required=True, help="the single Redis")
    p.add_argument("--redis-cluster-urls", help="the cluster's nodes, comma-separated")
    p.add_argument("--only", nargs="*", choices=RUNS, metavar="RUN",
                   help="these runs only: " + ", ".join(RUNS))
    p.add_argument("--instances", type=int, default=4)
    p.add_argument("--users", type=int, default=200)
    p.add_argument("--workers", type=int, default=32)
    p.add_argument("--seconds", type=float, default=20, help="length of each JWT run")
    p.add_argument("--session-seconds", type=float, default=10,
                   help="length of each session-mode run (0: none)")
    p.add_argument("--max-requests", type=int, default=200_000, help="cap per run")
    p.add_argument("--timeout", type=float, default=10, help="seconds per request")
    p.add_argument("--pages", type=int, default=2, help="page loads per iteration")
    p.add_argument("--api-calls", type=int, default=6,
                   help="/api/me calls per iteration (JWT: refresh halfway)")
    p.add_argument("--lag-poll-ms", type=float, default=5,
                   help="pause between two rounds of probes (four times it after 100 ms)")
    p.add_argument("--probe-workers", type=int, default=64,
                   help="threads asking the instances about revoked credentials")
    p.add_argument("--lag-timeout", type=float, default=5,
                   help="seconds an instance may keep accepting a revoked token (then a failure)")
    p.add_argument("--kill-at", type=float, default=0.5,
                   help="failover: when to kill the master, as a fraction of the run")
    args = p.parse_args()
    args.pin = False
    args.binary = os.path.abspath(args.binary)
    for tool in ("haproxy", "psql", "redis-cli"):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench: {tool} is not installed")
    if not os.access(args.binary, os.X_OK):
        raise SystemExit(f"bench: no binary at {args.binary}")
    notes = []
    cluster_urls = args.redis_cluster_urls.split(",") if args.redis_cluster_urls else None
    if cluster_urls and not supports_cluster(args.binary):
        notes.append(f"{args.binary} has no --redis-cluster: the cluster runs used the single "
                     "Redis and the failover run was left out.")
        say(notes[-1])
        cluster_urls = None
    if not cluster_urls:
        notes.append("No Redis Cluster was given: run (a) used the single Redis, and (c) was "
                     "not run.")
    # Ctrl-C and SIGTERM stop every process started, then exit. SIGINT is set
    # explicitly: run in the background by bench.sh, this process starts
    # with it ignored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))
    os.makedirs(args.out, exist_ok=True)
    results = {"host": host(), "binary": args.binary, "notes": notes, "runs": []}
    with tempfile.TemporaryDirectory(prefix="latchkey-scale-") as workdir:
        for entry in plan(args, cluster_urls):
            try:
                results["runs"].append(one_run(args, workdir, entry, cluster_urls))
            except (SystemExit, Exception) as e:
                if isinstance(e, SystemExit) and e.code in (130, 143):
                    raise
                say(f"{entry[1]}: failed: {e}")
                results["runs"].append({"key": entry[0], "title": entry[1], "label": entry[1],
                                        "instances": entry[3], "redis": "—", "error": str(e)})
    results["host"]["loadavg_at_end"] = os.getloadavg()[0]
    md = report(results)
    with open(os.path.join(args.out, "scale-out.json"), "w") as f:
        json.dump(results, f, indent=2)
    with open(os.path.join(args.out, "scale-out.md"), "w") as f:
        f.write(md)
    print(md)
    say(f"wrote {args.out}/scale-out.md and scale-out.json")
    bad = [r["key"] for r in results["runs"] if r["key"] != "failover" and (
        "error" in r or r["summary"]["kinds"]["all"]["unexpected"] or r["summary"]["lag"]["failures"])]
    if bad:
        say(f"unexpected answers, failed revocations or failed runs in: {', '.join(bad)}")
        sys.exit(1)


if __name__ == "__main__":
    main()
