"""The two-instance rows: revocation lag between two JWT-mode instances,
and the share of anonymous answers behind the demo's load balancer."""

import concurrent.futures
import http.client
import os
import random
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time

from bench_http import (
    fmt,
    PASSWORD,
    DEMO_SCRIPT,
    SHARED_ISSUER,
    request,
    form,
    update_jar,
    auth_cookies,
    Connection,
    percentile,
)
from bench_server import Server


def revocation_cases(args):
    """(label, environment) of the two ways instances share revocations."""
    if args.redis_url:
        # The revocation set in Redis: published to every instance, and the
        # revoking request waits for their confirmations.
        yield "Redis", {"LATCHKEY_SESSION_STORE": "redis", "REDIS_URL": args.redis_url,
                        "LATCHKEY_REDIS_PREFIX": args.redis_prefix + "revocation-lag:"}
    else:
        print("bench: no --redis-url: the Redis case of revocation-lag is left out",
              file=sys.stderr)
    # In the database only: every instance re-reads it every 2 s.
    yield "database only", {"LATCHKEY_SESSION_STORE": "database"}


def revoke_and_wait(args, a, b, token, local):
    """Checks that `token` works on B, revokes it on A, then asks B every
    --lag-poll-ms until it refuses the token: the time from A's answer to
    B's first 401, or what went wrong. Each starts after a random pause of up
    to --lag-spread seconds: revocations made right after B's previous
    refusal would line up with B's 2 s database sync and all wait nearly a
    full round."""
    time.sleep(random.uniform(0, args.lag_spread))
    if not hasattr(local, "a"):
        local.a, local.b = Connection(a.port), Connection(b.port)
    try:
        return revoke_and_poll(args, local, token)
    except (http.client.HTTPException, OSError) as e:
        return {"error": f"{type(e).__name__}: {e}"}


def revoke_and_poll(args, local, token):
    bearer = {"Authorization": f"Bearer {token}"}
    status = local.b.request("GET", "/api/me", headers=bearer)[0]
    if status != 200:
        return {"error": f"instance B answered {status} before the revocation"}
    status = local.a.request("POST", "/auth/revoke", form({"token": token}),
                             {"Content-Type": "application/x-www-form-urlencoded"})[0]
    answered = time.monotonic()
    if status != 200:
        return {"error": f"/auth/revoke on instance A answered {status}"}
    polls = 0
    while True:
        status = local.b.request("GET", "/api/me", headers=bearer)[0]
        now = time.monotonic()
        polls += 1
        if status == 401:
            return {"lag_ms": (now - answered) * 1000, "polls": polls}
        if status != 200:
            return {"error": f"instance B answered {status} while polling"}
        if now - answered > args.lag_timeout:
            return {"error": f"instance B still accepted the token after {args.lag_timeout} s"}
        time.sleep(args.lag_poll_ms / 1000)


def revocation_lag(args, workdir, label, env):
    """Two JWT-mode instances over one data directory (SQLite file and
    signing key): --lag-revocations access tokens revoked on A, each timed
    until B refuses it, --lag-concurrency at a time."""
    print(f"bench: revocation lag, {label}", file=sys.stderr)
    data = tempfile.mkdtemp(prefix="revocation-lag-", dir=workdir)
    env = {"LATCHKEY_AUTH_MODE": "jwt", "LATCHKEY_ISSUER": SHARED_ISSUER, **env}
    slug = label.split()[0].lower()
    # One after the other: the first creates the database and the key.
    # Not pinned: both instances and the polling clients share the cores.
    a = Server(args, f"lag-{slug}-a", env, workdir, data=data, pin=False)
    try:
        b = Server(args, f"lag-{slug}-b", env, workdir, data=data, pin=False)
        try:
            username = f"lag{os.getpid()}{slug}"[:32]
            a.sign_up(username)
            # Every revocation ends a device session of its own: make them
            # all first, each sign-in costing an argon2 hash.
            with concurrent.futures.ThreadPoolExecutor(max(2, os.cpu_count() or 1) * 2) as pool:
                tokens = list(pool.map(lambda _: a.access_token(username),
                                       range(args.lag_revocations)))
            local = threading.local()
            start = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(args.lag_concurrency) as pool:
                outcomes = list(pool.map(lambda t: revoke_and_wait(args, a, b, t, local), tokens))
            seconds = time.monotonic() - start
        finally:
            b.stop()
    finally:
        a.stop()
    lags = [o["lag_ms"] for o in outcomes if "lag_ms" in o]
    errors = [o["error"] for o in outcomes if "error" in o]
    for e in sorted(set(errors)):
        print(f"bench: warning: revocation lag, {label}: {errors.count(e)} × {e}", file=sys.stderr)
    return {
        "case": label, "store": env["LATCHKEY_SESSION_STORE"],
        "revocations": len(outcomes), "n": len(lags), "failures": len(errors),
        "failure_reasons": sorted(set(errors)),
        "p50_ms": percentile(lags, 50), "p99_ms": percentile(lags, 99),
        "max_ms": max(lags) if lags else None,
        "refused_at_first_check": sum(1 for o in outcomes if o.get("polls") == 1),
        "concurrency": args.lag_concurrency, "poll_ms": args.lag_poll_ms,
        "spread_s": args.lag_spread, "timeout_s": args.lag_timeout,
        "seconds": round(seconds, 2),
    }


def start_demo(args, store, workdir):
    """scripts/demo-scale-out.sh in a process group of its own: (process,
    load balancer port, its log)."""
    env = dict(os.environ)
    if store == "redis":
        env["LATCHKEY_DEMO_REDIS_URL"] = args.redis_url
        env["LATCHKEY_DEMO_REDIS_PREFIX"] = args.redis_prefix + "load-balancer:"
    log = open(os.path.join(workdir, f"demo-{store}.log"), "w")
    proc = subprocess.Popen(
        ["bash", DEMO_SCRIPT, store, "--binary", os.path.abspath(args.binary),
         "--site-root", os.path.abspath(args.site_root)],
        env=env, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
    deadline = time.time() + 120
    line = ""
    while time.time() < deadline and proc.poll() is None:
        if select.select([proc.stdout], [], [], 0.5)[0]:
            line = proc.stdout.readline()
            break
    match = re.match(r"demo: http://127\.0\.0\.1:(\d+)$", line.strip())
    if not match:
        stop_demo(proc)
        log.close()
        with open(log.name) as f:
            raise SystemExit(f"bench: scripts/demo-scale-out.sh {store} did not start:\n{f.read()}")
    return proc, int(match.group(1)), log


def stop_demo(proc):
    """SIGTERM: the script stops its instances and HAProxy and cleans up;
    the whole group is killed if it has not finished in 30 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def load_balancer(args, workdir, store, label):
    """A signed-in client's --lb-requests to `/api/me` over one keep-alive
    connection through the demo's HAProxy: how many come back anonymous."""
    print(f"bench: behind the load balancer, {label}", file=sys.stderr)
    proc, port, log = start_demo(args, store, workdir)
    try:
        base = f"http://127.0.0.1:{port}"
        username = f"lb{os.getpid()}{store}"[:32]
        status, headers, body = request(
            base + "/api/sign_up",
            form({"username": username, "password": PASSWORD}),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        cookie = auth_cookies(headers)
        if status >= 400 or not cookie:
            raise SystemExit(f"bench: sign-up through the load balancer failed: {status} {body[:200]!r}")
        conn = Connection(port)
        # A client that sends its cookie every time, whatever the answers say.
        kept = [conn.request("GET", "/api/me", headers={"Cookie": cookie})[0]
                for _ in range(args.lb_requests)]
        # A client that keeps cookies as a browser does: signed in afresh,
        # it drops the cookie an answer clears.
        status, headers, body = request(
            base + "/api/sign_in",
            form({"username": username, "password": PASSWORD}),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        jar = update_jar({}, headers)
        if status >= 400 or not jar:
            raise SystemExit(f"bench: sign-in through the load balancer failed: {status} {body[:200]!r}")
        browser = []
        for _ in range(args.lb_requests):
            cookie_header = "; ".join(f"{k}={v}" for k, v in sorted(jar.items()))
            status, headers, _ = conn.request(
                "GET", "/api/me", headers={"Cookie": cookie_header} if jar else {})
            jar = update_jar(jar, headers)
            browser.append(status)
        conn.close()
    finally:
        stop_demo(proc)
        log.close()
    other = sum(1 for s in kept + browser if s not in (200, 401))
    if other:
        print(f"bench: warning: load balancer, {label}: {other} answers neither 200 nor 401",
              file=sys.stderr)
    n = max(args.lb_requests, 1)
    return {"store": store, "label": label, "requests": args.lb_requests,
            "signed_in": kept.count(200), "anonymous": kept.count(401),
            "anonymous_share_pct": 100 * kept.count(401) / n,
            "browser_signed_in": browser.count(200), "browser_anonymous": browser.count(401),
            "browser_anonymous_share_pct": 100 * browser.count(401) / n,
            "other": other, "connections": conn.opened}


def revocation_table(rows):
    lines = ["| revocation lag, JWT, two instances | n | p50 ms | p99 ms | max ms "
             "| refused at B's first check | failures |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['case']} | {r['n']} | {fmt(r['p50_ms'], '.1f')} "
                     f"| {fmt(r['p99_ms'], '.1f')} | {fmt(r['max_ms'], '.1f')} "
                     f"| {r['refused_at_first_check']} | {r['failures']} |")
    r = rows[0]
    lines += ["", f"lag = from instance A's answer to `/auth/revoke` to instance B's first `401` "
              f"for the same access token, B asked every {r['poll_ms']} ms, "
              f"{r['concurrency']} revocations at a time, each after a random pause of up to "
              f"{r['spread_s']} s, {r['timeout_s']} s at most each (else a failure)."]
    return lines


def load_balancer_table(rows):
    lines = ["| behind the load balancer, session mode, two instances | requests "
             "| anonymous, cookie sent every time | anonymous, cleared cookie dropped |",
             "|---|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['label']} | {r['requests']} "
                     f"| {r['anonymous']} ({r['anonymous_share_pct']:.1f} %) "
                     f"| {r['browser_anonymous']} ({r['browser_anonymous_share_pct']:.1f} %) |")
    lines += ["", "A signed-in client's `GET /api/me` over one keep-alive connection through "
              "HAProxy (round robin, no stickiness: scripts/demo-scale-out.sh); anonymous = "
              "`401`. The first client sends its session cookie with every request; the "
              "second keeps cookies as a browser does, so it drops the cookie once an "
              "instance that does not know it clears it."]
    return lines
