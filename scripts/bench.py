#!/usr/bin/env python3
"""Drives the release build of Latchkey with wrk, one configuration at a time.

Started by scripts/bench.sh, which builds the binary, installs wrk and makes
the PostgreSQL database and Redis prefix this script is given (and removes
them afterwards). Standard library only.

For each configuration it starts the server on a free loopback port (pinned
to core 0 with one async worker when the machine has two cores or more; wrk
runs on core 1), signs up a user through the app's own endpoint, and measures
`/healthz` without and with the auth cookies in alternating pairs (the same
tiny response, so the difference is what authentication costs), then the
public page `/` (anonymous) and the protected page `/account` (signed in),
asked for with a browser's `Accept-Encoding`, also in alternating pairs: what the signed-in page costs over the public one
is the median of the pairs' ratios, each pair measured a few seconds apart on
the same server, so a change in the machine's load between configurations
does not land in the ratio. Every other pair measures `/account` first, so a
machine speeding up or slowing down during the pairs does not always favour
the same page.
Server CPU per request is read from /proc/<pid>/stat around each run. Store
operations per request are counted by the app itself (`GET /metrics`, turned
on for the bench) and, as a cross-check that also sees what the page itself
reads, by the stores where they keep statistics (PostgreSQL:
`xact_commit` of the bench database; Redis: `total_commands_processed`).

The instruction counts (`page-instructions`) are in bench_instructions.py, the
two-instance rows (`revocation-lag`, `load-balancer`) in bench_scale.py, what
a browser's requests cost (`browser`) in bench_browser.py, the tables in
bench_report.py.
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

from bench_browser import browser
from bench_build import build_of
from bench_hammer import hammer
from bench_http import CONFIG_KEYS, EXTRA_KEYS
from bench_server import Stores, Server, measure, page_pairs, storm
from bench_instructions import page_instructions
from bench_methods import sign_in_methods
from bench_dpop import dpop
from bench_report import table
from bench_scale import revocation_cases, revocation_lag, load_balancer


def access_payload_bytes(cookie):
    """The characters of the access token's payload part in a Cookie
    header (JWT mode): the claims anyone holding the token can decode."""
    for pair in cookie.split("; "):
        name, _, value = pair.partition("=")
        if name == "__Host-latchkey_access" and value.count(".") == 2:
            return len(value.split(".")[1])
    return None


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
    results = {"host": host(), "build": build_of(args.binary, args.site_root), "settings": {
        "seconds": args.seconds, "warmup": args.warmup, "connections": args.connections,
        "rounds": args.rounds, "pair_seconds": args.pair_seconds,
        "page_rounds": args.page_rounds, "page_seconds": args.page_seconds,
        "pinned": args.pin}, "configs": []}
    run_configs(args, workdir, stores, results)
    if not args.only or "page-instructions" in args.only:
        results["page_instructions"] = page_instructions(
            args, workdir, [c for c in configurations(args)
                            if not args.instruction_configs or c[0] in args.instruction_configs])
    if not args.only or "revocation-lag" in args.only:
        results["revocation_lag"] = [revocation_lag(args, workdir, label, env)
                                     for label, env in revocation_cases(args)]
    if not args.only or "load-balancer" in args.only:
        if shutil.which("haproxy") is None:
            print("bench: haproxy is not installed (scripts/setup.sh --e2e installs it): "
                  "the load-balancer rows are left out", file=sys.stderr)
        else:
            stores_lb = [("memory", "memory store")]
            if args.redis_url:
                stores_lb.append(("redis", "Redis"))
            else:
                print("bench: no --redis-url: the Redis case of load-balancer is left out",
                      file=sys.stderr)
            results["load_balancer"] = [load_balancer(args, workdir, store, label)
                                        for store, label in stores_lb]
    if not args.only or "hammer" in args.only:
        results["hammer"] = hammer(args, workdir)
    if not args.only or "browser" in args.only:
        results["browser"] = browser(args, workdir)
    if not args.only or "sign-in-methods" in args.only:
        results["sign_in_methods"] = sign_in_methods(args, workdir)
    if not args.only or "dpop" in args.only:
        results["dpop"] = dpop(args, workdir)
    results["host"]["loadavg_at_end"] = os.getloadavg()[0]
    return results


def run_configs(args, workdir, stores, results):
    """The per-request rows: one server per configuration."""
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
            payload = access_payload_bytes(cookie)
            if payload is not None:
                entry["access_payload_bytes"] = payload
            runs = entry["runs"]
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
            runs["public"], runs["protected"] = page_pairs(args, server, stores, cookie, entry)
            if key == args.storm_config:
                entry["storms"] = [storm(args, server, cookie, username, n)
                                   for n in args.storm]
            results["configs"].append(entry)
        finally:
            server.stop()



def publish(results, path):
    """Writes `results` to `path`, keeping the `criterion` object already
    there: figures `cargo bench` measures (memory per session, a refresh
    rotation) that this script does not."""
    kept = {}
    if os.path.exists(path):
        with open(path) as f:
            kept = json.load(f).get("criterion", {})
    with open(path, "w") as f:
        json.dump({**results, "criterion": kept}, f, indent=2)
        f.write("\n")
    print(f"bench: wrote {path}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--binary", default="target/release/latchkey")
    p.add_argument("--site-root", default=os.path.abspath("target/site"))
    p.add_argument("--out", default="target/bench")
    p.add_argument("--publish", metavar="FILE",
                   help="also write the results to FILE (docs/performance.json, which /tradeoffs "
                        "bundles), keeping the criterion figures already in it")
    p.add_argument("--seconds", type=int, default=8)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3,
                   help="pairs of /healthz runs without and with credentials")
    p.add_argument("--pair-seconds", type=int, default=4)
    p.add_argument("--page-rounds", type=int, default=9,
                   help="pairs of runs of / (anonymous) and /account (signed in)")
    p.add_argument("--page-seconds", type=int, default=3)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--postgres-url", help="DATABASE_URL of an empty database for the bench")
    p.add_argument("--postgres-admin-url", help="a URL to read pg_stat_database through")
    p.add_argument("--postgres-db", default="latchkey_bench")
    p.add_argument("--redis-url")
    p.add_argument("--redis-prefix", default="latchkey-bench:")
    p.add_argument("--only", nargs="*", metavar="CONFIG",
                   help="measure only these configurations: per request " + ", ".join(CONFIG_KEYS)
                        + "; page-instructions (/ and /account under callgrind, instructions "
                        "per request)"
                        + "; two instances: revocation-lag (JWT revocations from one instance "
                        "to the other, through Redis and the database), load-balancer (the "
                        "anonymous share behind scripts/demo-scale-out.sh, memory store and Redis)"
                        "; hammer (wrong passwords for a locked name: refusals per second, "
                        "server CPU, audit rows written); sign-in-methods (a password sign-in's "
                        "server time beside a passkey sign-in's); dpop (a DPoP-bound /api/me beside "
                        "a Bearer one: latency, server CPU, replay-cache writes); browser (pages without and with a "
                        "browser's Accept-Encoding, the bundle's brotli fetch, a first visit)")
    p.add_argument("--visits", type=int, default=50,
                   help="browser: first visits (page and every asset it links) measured")
    p.add_argument("--instruction-requests", type=int, default=200,
                   help="page-instructions: requests per page under callgrind")
    p.add_argument("--instruction-configs", nargs="*", metavar="CONFIG",
                   help="page-instructions: only these configurations (default: all)")
    p.add_argument("--storm-config", default="session-memory")
    p.add_argument("--storm", type=int, nargs="*",
                   default=sorted({4 * (os.cpu_count() or 1), 64}))
    p.add_argument("--lag-revocations", type=int, default=200,
                   help="revocation-lag: access tokens revoked per case")
    p.add_argument("--lag-concurrency", type=int, default=20,
                   help="revocation-lag: revocations in flight at once")
    p.add_argument("--lag-poll-ms", type=float, default=5,
                   help="revocation-lag: pause between two checks on the second instance")
    p.add_argument("--lag-timeout", type=float, default=10,
                   help="revocation-lag: seconds a token may stay accepted (then a failure)")
    p.add_argument("--lag-spread", type=float, default=2,
                   help="revocation-lag: each revocation waits a random 0 to this many seconds "
                        "first, so they do not line up with the instances' 2 s sync")
    p.add_argument("--lb-requests", type=int, default=400,
                   help="load-balancer: signed-in requests per store")
    args = p.parse_args()
    unknown = set(args.only or []) - set(CONFIG_KEYS) - set(EXTRA_KEYS)
    if unknown:
        p.error(f"unknown --only {', '.join(sorted(unknown))} "
                f"(one of {', '.join(CONFIG_KEYS + EXTRA_KEYS)})")
    args.pin = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="latchkey-bench-") as workdir:
        results = run(args, workdir)
    md = table(results)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    if args.publish:
        publish(results, args.publish)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    print(f"\nbench: wrote {args.out}/results.json and results.md", file=sys.stderr)


if __name__ == "__main__":
    main()
