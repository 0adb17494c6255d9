"""The `dpop` rows: what a DPoP-bound `/api/me` costs beside a Bearer one.

One server in JWT mode (HS256 access tokens), one client on one kept-alive
connection, one request at a time: `n` calls of `/api/me` with a bearer
token, then `n` with a DPoP-bound token and a fresh proof each. A proof is
signed (ES256) before its request's clock starts, so the times are the
server's: the proof's checks (one ES256 verification, a thumbprint, a hash
of the token) and the write that remembers its `jti`. Reported per request:
latency p50 and p90, server CPU, and the replay-cache writes (rows added to
`dpop_proofs` in SQLite; Redis commands processed, with --redis-url).
"""

import os
import sqlite3
import statistics
import subprocess
import time

from bench_http import PASSWORD, cpu_seconds
from bench_server import Server
from dpop_client import Client, make_proof, new_key

USERNAME = "bench-dpop"


def redis_commands(url):
    out = subprocess.run(["redis-cli", "-u", url, "INFO", "stats"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("total_commands_processed:"):
            return int(line.split(":")[1])
    raise SystemExit("bench: dpop: redis INFO has no total_commands_processed")


def proof_rows(data):
    with sqlite3.connect(os.path.join(data, "latchkey.db")) as db:
        return db.execute("SELECT COUNT(*) FROM dpop_proofs").fetchone()[0]


def one_store(args, workdir, label, env, n):
    server = Server(args, f"dpop-{label}", {"LATCHKEY_AUTH_MODE": "jwt",
                                            "LATCHKEY_JWT_ALG": "HS256", **env}, workdir)
    try:
        base = f"http://localhost:{server.port}"  # the origin proofs name
        client = Client(base)
        answer = client.request("POST", "/api/sign_up",
                                form={"username": USERNAME, "password": PASSWORD},
                                headers={"Origin": base})
        if answer.status >= 400:
            raise SystemExit(f"bench: dpop: sign-up answered {answer.status}")
        grant = {"grant_type": "password", "username": USERNAME, "password": PASSWORD}
        plain = client.request("POST", "/auth/token", form=grant).field("access_token")
        key = new_key()
        bound = client.request("POST", "/auth/token", form=grant, headers={
            "DPoP": make_proof(key, "POST", base + "/auth/token")}).field("access_token")
        if not plain or not bound:
            raise SystemExit("bench: dpop: the token endpoint gave no tokens")

        def measure(authorization, proofs):
            latencies = []
            cpu0 = cpu_seconds(server.proc.pid)
            for i in range(n):
                headers = {"Authorization": authorization}
                if proofs:
                    headers["DPoP"] = proofs[i]
                start = time.perf_counter()
                answer = client.request("GET", "/api/me", headers=headers, keep_alive=True)
                latencies.append((time.perf_counter() - start) * 1000)
                if answer.status != 200:
                    raise SystemExit(f"bench: dpop: /api/me answered {answer.status}")
            cpu = cpu_seconds(server.proc.pid) - cpu0
            latencies.sort()
            return {"n": n, "p50_ms": statistics.median(latencies),
                    "p90_ms": latencies[int(0.9 * (n - 1))], "cpu_us": cpu * 1e6 / n}

        result = {"store": label, "bearer": measure(f"Bearer {plain}", None)}
        proofs = [make_proof(key, "GET", base + "/api/me", bound) for _ in range(n)]
        before = redis_commands(args.redis_url) if "REDIS_URL" in env else proof_rows(server.data)
        result["dpop"] = measure(f"DPoP {bound}", proofs)
        after = redis_commands(args.redis_url) if "REDIS_URL" in env else proof_rows(server.data)
        result["dpop"]["store_ops"] = (after - before) / n
        client.close()
        return result
    finally:
        server.stop()


def dpop(args, workdir, n=400):
    """The SQLite shared store, and Redis when there is one."""
    stores = [("SQLite", {"LATCHKEY_SESSION_STORE": "database"})]
    if args.redis_url:
        stores.append(("Redis", {"LATCHKEY_SESSION_STORE": "redis", "REDIS_URL": args.redis_url,
                                 "LATCHKEY_REDIS_PREFIX": args.redis_prefix}))
    return [one_store(args, workdir, label, env, n) for label, env in stores]


def dpop_table(results):
    rows = [
        "| `/api/me`, one at a time (JWT HS256) | p50 ms | p90 ms | server CPU µs per request "
        "| replay-cache writes per request | requests |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b, d = r["bearer"], r["dpop"]
        ops = "store commands" if r["store"] == "Redis" else "rows"
        rows.append(f"| Bearer, {r['store']} shared store | {b['p50_ms']:.3f} | {b['p90_ms']:.3f} "
                    f"| {b['cpu_us']:.0f} | 0 | {b['n']} |")
        rows.append(f"| DPoP (ES256 proof), {r['store']} shared store | {d['p50_ms']:.3f} "
                    f"| {d['p90_ms']:.3f} | {d['cpu_us']:.0f} | {d['store_ops']:.2f} {ops} "
                    f"| {d['n']} |")
    return rows
