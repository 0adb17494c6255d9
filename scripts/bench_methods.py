"""The `sign-in-methods` row: what a sign-in costs the server, by method.

A password sign-in verifies an argon2id hash (m = 19 MiB, t = 2), by design
slow; a passkey sign-in verifies one ECDSA P-256 signature, plus a second
request for its challenge. Both are measured on one server (session mode,
memory store), one sign-in at a time: the latency of the request that signs
in, and the server CPU per whole sign-in (both passkey requests counted).
The passkey is a software authenticator's (scripts/passkey_client.py); its
signing happens in this process, outside the server's time.
"""

import statistics
import time

from bench_http import PASSWORD, cpu_seconds, form, request
from bench_server import Server
from passkey_client import Client, SoftAuthenticator

USERNAME = "bench-methods"


def timed(call):
    start = time.perf_counter()
    out = call()
    return out, (time.perf_counter() - start) * 1000


def summary(latencies, cpu, n):
    latencies = sorted(latencies)
    return {"n": n, "p50_ms": statistics.median(latencies),
            "p90_ms": latencies[int(0.9 * (len(latencies) - 1))],
            "cpu_ms_per_sign_in": cpu * 1000 / n}


def sign_in_methods(args, workdir, n=40):
    """`n` password sign-ins, then `n` passkey sign-ins, of one account."""
    server = Server(args, "methods", {"LATCHKEY_AUTH_MODE": "session",
                                      "LATCHKEY_SESSION_STORE": "memory"}, workdir)
    try:
        # Passkeys are bound to `localhost`, never to an IP address.
        base = f"http://localhost:{server.port}"
        client = Client(base)
        status, _, _ = client.request("POST", "/api/sign_up",
                                      {"username": USERNAME, "password": PASSWORD}, form=True)
        if status >= 400:
            raise SystemExit(f"bench: sign-in-methods: sign-up answered {status}")
        key = SoftAuthenticator(origin=base)
        status, options, _ = client.request("POST", "/auth/passkeys/registration/options", {})
        status, body, _ = client.request("POST", "/auth/passkeys/registration",
                                         {"credential": key.create(options), "name": "bench"})
        if status != 201:
            raise SystemExit(f"bench: sign-in-methods: registration answered {status}: {body}")

        password = form({"username": USERNAME, "password": PASSWORD})
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/json"}
        latencies = []
        cpu0 = cpu_seconds(server.proc.pid)
        for _ in range(n):
            (status, _, _), ms = timed(lambda: request(base + "/api/sign_in", password, headers))
            if status >= 400:
                raise SystemExit(f"bench: sign-in-methods: password sign-in answered {status}")
            latencies.append(ms)
        result = {"password": summary(latencies, cpu_seconds(server.proc.pid) - cpu0, n)}

        latencies, cpu = [], 0.0
        for _ in range(n):
            fresh = Client(base)
            cpu0 = cpu_seconds(server.proc.pid)
            _, options, _ = fresh.request("POST", "/auth/passkeys/authentication/options", {})
            cpu += cpu_seconds(server.proc.pid) - cpu0
            assertion = key.get(options)
            cpu0 = cpu_seconds(server.proc.pid)
            (status, body, _), ms = timed(lambda: fresh.request(
                "POST", "/auth/passkeys/authentication", {"credential": assertion}))
            cpu += cpu_seconds(server.proc.pid) - cpu0
            if status != 200:
                raise SystemExit(f"bench: sign-in-methods: passkey sign-in answered {status}: {body}")
            latencies.append(ms)
        result["passkey"] = summary(latencies, cpu, n)
        return result
    finally:
        server.stop()


def methods_table(r):
    rows = [
        "| sign-in, one at a time (session, memory store) | p50 ms | p90 ms "
        "| server CPU ms per sign-in | sign-ins |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in (("password", "password (argon2id)"),
                       ("passkey", "passkey (ECDSA P-256, two requests)")):
        m = r[key]
        rows.append(f"| {label} | {m['p50_ms']:.2f} | {m['p90_ms']:.2f} "
                    f"| {m['cpu_ms_per_sign_in']:.2f} | {m['n']} |")
    return rows
