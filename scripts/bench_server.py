"""A Latchkey server process under measurement, the stores it counts
operations in, and the wrk runs against it."""

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from bench_http import (BROWSER_ENCODING, PASSWORD, free_port, cpu_seconds, request, form,
                        auth_cookies, parse_wrk, stop_process)


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
    def __init__(self, args, name, env, workdir, data=None, pin=None, wrap=(),
                 start_seconds=60):
        """Starts the binary on a free port with `env`. `data`: a data
        directory to share with other instances (default: a new one);
        `pin`: core 0 and one async worker (default: --pin's choice);
        `wrap`: a command the binary runs under (e.g. valgrind)."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data = data or tempfile.mkdtemp(prefix=f"{name}-", dir=workdir)
        full = dict(os.environ)
        full.update(env)
        full.update({
            "LATCHKEY_DATA_DIR": self.data,
            "LEPTOS_SITE_ADDR": f"127.0.0.1:{self.port}",
            "LEPTOS_SITE_ROOT": args.site_root,
            "RUST_LOG": "warn",
            "LATCHKEY_METRICS": "true",
            # The bench's API clients sign in by the password grant (off
            # by default).
            "LATCHKEY_PASSWORD_GRANT": "true",
        })
        cmd = [*wrap, args.binary]
        if args.pin if pin is None else pin:
            full["TOKIO_WORKER_THREADS"] = "1"
            cmd = ["taskset", "-c", "0"] + cmd
        self.log = open(os.path.join(self.data, f"server-{name}.log"), "w")
        self.proc = subprocess.Popen(cmd, env=full, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + start_seconds
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
        stop_process(self.proc, self.log)

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

    def access_token(self, username):
        """A new device session through the token endpoint (JWT mode):
        its access token."""
        status, _, body = request(
            self.base + "/auth/token",
            form({"grant_type": "password", "username": username, "password": PASSWORD}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 200:
            raise SystemExit(f"bench: /auth/token answered {status}: {body[:200]!r}")
        return json.loads(body)["access_token"]


def wrk(args, url, seconds, cookie=None, encoding=None, connections=None):
    cmd = ["wrk", "-t1", f"-c{connections or args.connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    if encoding:
        cmd += ["-H", f"Accept-Encoding: {encoding}"]
    if args.pin:
        cmd = ["taskset", "-c", "1"] + cmd
    return subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout


def measure(args, server, stores, path, cookie=None, seconds=None, warmup=True, encoding=None,
            connections=None):
    """`path` under wrk for `seconds` (over `connections`, default --connections),
    with `cookie` and `Accept-Encoding: encoding` when given: requests/s,
    latency, server CPU and store operations per request."""
    url = server.base + path
    status, _, _ = request(url, headers={"Cookie": cookie} if cookie else {})
    if status != 200:
        raise SystemExit(f"bench: GET {path} answered {status}, expected 200")
    if warmup:
        wrk(args, url, args.warmup, cookie, encoding, connections)
    app0 = server.store_operations()
    pg0, redis0, cpu0 = stores.pg(), stores.redis(), cpu_seconds(server.proc.pid)
    result = parse_wrk(wrk(args, url, seconds or args.seconds, cookie, encoding, connections))
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


def page_pairs(args, server, stores, cookie, entry):
    """`/` anonymous and `/account` signed in, in alternating pairs, each
    asked for as a browser asks (`Accept-Encoding: gzip, deflate, br, zstd`).
    Records every pair's ratio and their median; returns the runs of the
    median pair. Then each page without `Accept-Encoding`, the figure beside
    it (`identity_cpu_us_per_req`, median of three runs).

    Every other pair measures `/account` first: while the machine speeds up
    or slows down, the page measured second would otherwise always be the
    one that gains or loses."""
    pages = (("/", None), ("/account", cookie))
    pairs = []
    for i in range(args.page_rounds):
        order = pages if i % 2 == 0 else pages[::-1]
        runs = {path: measure(args, server, stores, path, c, args.page_seconds, warmup=i == 0,
                              encoding=BROWSER_ENCODING)
                for path, c in order}
        pairs.append([runs["/"], runs["/account"]])
    # Three runs of each, the median: one run alone moves by a third on a
    # shared machine.
    entry["identity_cpu_us_per_req"] = {
        path: statistics.median(
            measure(args, server, stores, path, c, args.page_seconds,
                    warmup=False)["cpu_us_per_req"] for _ in range(3))
        for path, c in pages}
    pairs.sort(key=lambda p: p[1]["cpu_us_per_req"] / p[0]["cpu_us_per_req"])
    entry["page_ratio_rounds"] = [b["cpu_us_per_req"] / a["cpu_us_per_req"] for a, b in pairs]
    median = pairs[len(pairs) // 2]
    entry["page_ratio"] = median[1]["cpu_us_per_req"] / median[0]["cpu_us_per_req"]
    return median
