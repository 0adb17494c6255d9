#!/usr/bin/env python3
"""Drives the release build of Latchkey with wrk, one configuration at a time.

Started by scripts/bench.sh, which builds the binary, installs wrk and makes
the PostgreSQL database and Redis prefix this script is given (and removes
them afterwards). Standard library only.

For each configuration it starts the server on a free loopback port (pinned
to core 0 with one async worker when the machine has two cores or more; wrk
runs on core 1), signs up a user through the app's own endpoint, and measures
`/healthz` without and with the auth cookies in alternating pairs (the same
tiny response, so the difference is what authentication costs), the
protected page `/account`, and once the public page `/` as the baseline.
Server CPU per request is read from /proc/<pid>/stat (user + system time of
every thread) around each run.
Store operations per request are counted by the app itself (`GET /metrics`,
turned on for the bench: session lookups and writes, refresh rotations made
while resolving callers) and, as a cross-check that also sees what the page
itself reads, by the stores where they keep statistics (PostgreSQL:
`xact_commit` of the bench database; Redis: `total_commands_processed`).
"""

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        # The command name may hold spaces; fields after it are fixed.
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def request(url, data=None, headers=None):
    """(status, headers, body) without following redirects."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with OPENER.open(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def form(fields):
    return urllib.parse.urlencode(fields).encode()


def auth_cookies(headers):
    """name=value of every auth cookie set (removals skipped)."""
    jar = {}
    for c in headers.get_all("Set-Cookie") or []:
        name, _, value = c.split(";", 1)[0].partition("=")
        if name.startswith("__Host-latchkey") and value:
            jar[name] = value
    return "; ".join(f"{k}={v}" for k, v in sorted(jar.items()))


WRK_LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(out):
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: float(v) * UNIT_MS[u] for p, v, u in WRK_LATENCY.findall(out)}
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests": requests,
        "rps": rps,
        "p50_ms": lat.get("50"),
        "p99_ms": lat.get("99"),
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else None,
    }


class Stores:
    """Round-trip counters kept by PostgreSQL and Redis themselves."""

    def __init__(self, pg_admin, pg_db, redis_url):
        self.pg_admin, self.pg_db, self.redis_url = pg_admin, pg_db, redis_url
        self.counts_pg = self.counts_redis = False

    def pg(self):
        """Transactions committed in the bench database. Backends publish
        them up to a second late: the tail of the warm-up lands in the run
        and the run's own tail in the next one, which roughly cancels."""
        if not (self.pg_admin and self.counts_pg):
            return None
        out = subprocess.run(
            ["psql", self.pg_admin, "-Atc",
             f"SELECT pg_stat_clear_snapshot(), xact_commit + xact_rollback "
             f"FROM pg_stat_database WHERE datname = '{self.pg_db}'"],
            capture_output=True, text=True, check=True).stdout.strip()
        return int(out.split("|")[-1])

    def redis(self):
        if not (self.redis_url and self.counts_redis):
            return None
        out = subprocess.run(["redis-cli", "-u", self.redis_url, "INFO", "stats"],
                             capture_output=True, text=True, check=True).stdout
        return int(re.search(r"total_commands_processed:(\d+)", out).group(1))


class Server:
    def __init__(self, args, name, env, workdir):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data = tempfile.mkdtemp(prefix=f"{name}-", dir=workdir)
        full = dict(os.environ)
        full.update(env)
        full.update({
            "LATCHKEY_DATA_DIR": self.data,
            "LEPTOS_SITE_ADDR": f"127.0.0.1:{self.port}",
            "LEPTOS_SITE_ROOT": args.site_root,
            "RUST_LOG": "warn",
            "LATCHKEY_METRICS": "true",
        })
        cmd = [args.binary]
        if args.pin:
            full["TOKIO_WORKER_THREADS"] = "1"
            cmd = ["taskset", "-c", "0"] + cmd
        self.log = open(os.path.join(self.data, "server.log"), "w")
        self.proc = subprocess.Popen(cmd, env=full, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: {name} server exited; see {self.log.name}")
            try:
                if request(self.base + "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"bench: {name} server did not start; see {self.log.name}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def store_operations(self):
        """The app's own count of store operations made resolving callers."""
        status, _, body = request(self.base + "/metrics")
        if status != 200:
            raise SystemExit(f"bench: /metrics answered {status}")
        return sum(int(line.rsplit(" ", 1)[1]) for line in body.decode().splitlines()
                   if line.startswith("latchkey_auth_store_operations_total{"))

    def sign_up(self, username):
        status, headers, body = request(
            self.base + "/api/sign_up",
            form({"username": username, "password": PASSWORD}),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Accept": "application/json"})
        cookie = auth_cookies(headers)
        if status >= 400 or not cookie:
            raise SystemExit(f"bench: sign-up failed: {status} {body[:200]!r}")
        set_cookie = sum(len(c) for c in headers.get_all("Set-Cookie") or [])
        return cookie, set_cookie

    def sign_in(self, username):
        status, _, _ = request(
            self.base + "/api/sign_in",
            form({"username": username, "password": PASSWORD}),
            {"Content-Type": "application/x-www-form-urlencoded",
             "Accept": "application/json"})
        return status < 400


def wrk(args, url, seconds, cookie=None):
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if args.pin:
        cmd = ["taskset", "-c", "1"] + cmd
    return subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout


def measure(args, server, stores, path, cookie=None, seconds=None, warmup=True):
    url = server.base + path
    status, _, _ = request(url, headers={"Cookie": cookie} if cookie else {})
    if status != 200:
        raise SystemExit(f"bench: GET {path} answered {status}, expected 200")
    if warmup:
        wrk(args, url, args.warmup, cookie)
    app0 = server.store_operations()
    pg0, redis0, cpu0 = stores.pg(), stores.redis(), cpu_seconds(server.proc.pid)
    result = parse_wrk(wrk(args, url, seconds or args.seconds, cookie))
    cpu1 = cpu_seconds(server.proc.pid)
    pg1, redis1 = stores.pg(), stores.redis()
    app1 = server.store_operations()
    n = max(result["requests"], 1)
    result["cpu_us_per_req"] = (cpu1 - cpu0) * 1e6 / n
    result["app_store_operations_per_req"] = (app1 - app0) / n
    if pg0 is not None:
        result["store_queries_per_req"] = (pg1 - pg0) / n
    if redis0 is not None:
        # One INFO of ours falls between the two readings.
        result["store_queries_per_req"] = (redis1 - redis0 - 1) / n
    if result["non_2xx"] or result["socket_errors"]:
        print(f"bench: warning: {path}: {result['non_2xx']} non-2xx, "
              f"socket errors {result['socket_errors']}", file=sys.stderr)
    return result


def storm(args, server, cookie, username, n):
    """Protected-page load while `n` clients sign in back to back."""
    stop = threading.Event()
    done = []

    def client():
        while not stop.is_set():
            if server.sign_in(username):
                done.append(time.monotonic())

    threads = [threading.Thread(target=client, daemon=True) for _ in range(n)]
    for t in threads:
        t.start()
    time.sleep(1)
    start = time.monotonic()
    cpu0 = cpu_seconds(server.proc.pid)
    result = parse_wrk(wrk(args, server.base + "/account", args.seconds, cookie))
    cpu1 = cpu_seconds(server.proc.pid)
    end = time.monotonic()
    stop.set()
    for t in threads:
        t.join()
    result["concurrent_sign_ins"] = n
    result["sign_ins_per_s"] = sum(start <= t <= end for t in done) / (end - start)
    result["cpu_us_per_req"] = (cpu1 - cpu0) * 1e6 / max(result["requests"], 1)
    return result


def configurations(args):
    sqlite = {"LATCHKEY_SESSION_STORE": "database"}
    yield "session-memory", "session, memory store", {
        "LATCHKEY_AUTH_MODE": "session", "LATCHKEY_SESSION_STORE": "memory"}
    yield "session-sqlite", "session, SQLite", {"LATCHKEY_AUTH_MODE": "session", **sqlite}
    if args.postgres_url:
        yield "session-postgres", "session, PostgreSQL", {
            "LATCHKEY_AUTH_MODE": "session", "LATCHKEY_SESSION_STORE": "database",
            "DATABASE_URL": args.postgres_url}
    if args.redis_url:
        yield "session-redis", "session, Redis", {
            "LATCHKEY_AUTH_MODE": "session", "LATCHKEY_SESSION_STORE": "redis",
            "REDIS_URL": args.redis_url, "LATCHKEY_REDIS_PREFIX": args.redis_prefix}
    yield "jwt-hs256", "JWT HS256", {"LATCHKEY_AUTH_MODE": "jwt", "LATCHKEY_JWT_ALG": "HS256", **sqlite}
    yield "jwt-eddsa", "JWT EdDSA", {"LATCHKEY_AUTH_MODE": "jwt", "LATCHKEY_JWT_ALG": "EdDSA", **sqlite}
    if args.postgres_url:
        # Same as jwt-hs256 but over PostgreSQL, whose statistics count
        # every round trip: shows whether a JWT request touches a store.
        yield "jwt-hs256-postgres", "JWT HS256, PostgreSQL", {
            "LATCHKEY_AUTH_MODE": "jwt", "LATCHKEY_JWT_ALG": "HS256",
            "LATCHKEY_SESSION_STORE": "database", "DATABASE_URL": args.postgres_url}


def host():
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = re.search(r"Model name:\s*(.*)", out).group(1).strip()
    except (OSError, AttributeError):
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "nproc": os.cpu_count(),
        "cpu": model,
        "kernel": platform.release(),
        "loadavg_at_start": os.getloadavg()[0],
    }


def run(args, workdir):
    stores = Stores(args.postgres_admin_url, args.postgres_db, args.redis_url)
    results = {"host": host(), "settings": {
        "seconds": args.seconds, "warmup": args.warmup, "connections": args.connections,
        "rounds": args.rounds, "pair_seconds": args.pair_seconds,
        "pinned": args.pin}, "configs": []}
    for key, label, env in configurations(args):
        if args.only and key not in args.only:
            continue
        stores.counts_pg = "DATABASE_URL" in env
        stores.counts_redis = "REDIS_URL" in env
        print(f"bench: {label}", file=sys.stderr)
        server = Server(args, key, env, workdir)
        try:
            username = f"bench{os.getpid()}{key.replace('-', '')}"[:32]
            cookie, set_cookie = server.sign_up(username)
            entry = {"key": key, "label": label, "cookie_header_bytes": len(cookie),
                     "set_cookie_bytes_at_sign_in": set_cookie, "runs": {}}
            runs = entry["runs"]
            if not results["configs"]:
                runs["public"] = measure(args, server, stores, "/")
            # The same tiny response with and without credentials: the
            # difference is what authenticating a request costs.
            # Alternating short runs, compared pairwise: a change in the
            # machine's load shifts both halves of a pair alike.
            pairs = []
            for i in range(args.rounds):
                pairs.append([measure(args, server, stores, "/healthz", c,
                                      args.pair_seconds, warmup=i == 0)
                              for c in (None, cookie)])
            runs["plain"], runs["plain_signed_in"] = pairs[-1]
            diffs = sorted(b["cpu_us_per_req"] - a["cpu_us_per_req"] for a, b in pairs)
            entry["auth_cpu_us_per_req_rounds"] = diffs
            entry["auth_cpu_us_per_req"] = diffs[len(diffs) // 2]
            runs["protected"] = measure(args, server, stores, "/account", cookie)
            if key == args.storm_config:
                entry["storms"] = [storm(args, server, cookie, username, n)
                                   for n in args.storm]
            results["configs"].append(entry)
        finally:
            server.stop()
    results["host"]["loadavg_at_end"] = os.getloadavg()[0]
    return results


def fmt(v, spec):
    return "—" if v is None else format(v, spec)


def table(results):
    configs = results["configs"]
    base = configs[0]["runs"]["public"]
    lines = [
        "| configuration | page | req/s | p50 ms | p99 ms | server CPU µs/req | × baseline "
        "| auth CPU µs/req | auth store ops/req (app) | auth / page queries/req (store) "
        "| auth cookie bytes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| baseline | public `/`, anonymous | {base['rps']:.0f} | {fmt(base['p50_ms'], '.2f')} "
        f"| {fmt(base['p99_ms'], '.2f')} | {base['cpu_us_per_req']:.1f} | 1.00 | | | | 0 |",
    ]
    for c in configs:
        runs = c["runs"]
        plain, signed, r = runs["plain"], runs["plain_signed_in"], runs["protected"]
        lines.append(
            f"| {c['label']} | `/account` | {r['rps']:.0f} | {fmt(r['p50_ms'], '.2f')} "
            f"| {fmt(r['p99_ms'], '.2f')} | {r['cpu_us_per_req']:.1f} "
            f"| {r['cpu_us_per_req'] / base['cpu_us_per_req']:.2f} "
            f"| {c['auth_cpu_us_per_req']:+.1f} "
            f"| {fmt(signed.get('app_store_operations_per_req'), '.2f')} "
            f"| {fmt(signed.get('store_queries_per_req'), '.2f')} / "
            f"{fmt(r.get('store_queries_per_req'), '.2f')} | {c['cookie_header_bytes']} |")
    plain = [c["runs"]["plain"]["cpu_us_per_req"] for c in configs]
    lines += ["", f"auth CPU = server CPU per request of `/healthz` sent with the auth cookies "
              f"minus the same without them, median of {results['settings']['rounds']} "
              f"alternating pairs (anonymous `/healthz`: "
              f"{min(plain):.1f}–{max(plain):.1f} µs across the configurations)."]
    storms = [(c, s) for c in configs for s in c.get("storms", [])]
    if storms:
        lines += ["", "| login storm | `/account` p99 ms without | p99 ms with | × | req/s "
                  "| sign-ins/s |", "|---|---:|---:|---:|---:|---:|"]
        for c, s in storms:
            quiet = c["runs"]["protected"]["p99_ms"]
            lines.append(
                f"| {c['label']}, {s['concurrent_sign_ins']} clients signing in | {quiet:.2f} "
                f"| {s['p99_ms']:.2f} | {s['p99_ms'] / quiet:.1f} | {s['rps']:.0f} "
                f"| {s['sign_ins_per_s']:.0f} |")
    h = results["host"]
    lines += ["", f"{h['date']} · {h['nproc']} cores · {h['cpu']} · Linux {h['kernel']} · "
              f"load average {h['loadavg_at_start']:.2f} → {h['loadavg_at_end']:.2f} · "
              f"{results['settings']['connections']} connections, "
              f"{results['settings']['seconds']} s per run"
              + (" · server on core 0, wrk on core 1" if results["settings"]["pinned"] else "")]
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default="target/release/latchkey")
    p.add_argument("--site-root", default=os.path.abspath("target/site"))
    p.add_argument("--out", default="target/bench")
    p.add_argument("--seconds", type=int, default=8)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3,
                   help="pairs of /healthz runs without and with credentials")
    p.add_argument("--pair-seconds", type=int, default=4)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--postgres-url", help="DATABASE_URL of an empty database for the bench")
    p.add_argument("--postgres-admin-url", help="a URL to read pg_stat_database through")
    p.add_argument("--postgres-db", default="latchkey_bench")
    p.add_argument("--redis-url")
    p.add_argument("--redis-prefix", default="latchkey-bench:")
    p.add_argument("--only", nargs="*", metavar="CONFIG",
                   help="measure only these configurations (session-memory, session-sqlite, "
                        "session-postgres, session-redis, jwt-hs256, jwt-eddsa, jwt-hs256-postgres)")
    p.add_argument("--storm-config", default="session-memory")
    p.add_argument("--storm", type=int, nargs="*",
                   default=sorted({4 * (os.cpu_count() or 1), 64}))
    args = p.parse_args()
    args.pin = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="latchkey-bench-") as workdir:
        results = run(args, workdir)
    md = table(results)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    print(f"\nbench: wrote {args.out}/results.json and results.md", file=sys.stderr)


if __name__ == "__main__":
    main()
