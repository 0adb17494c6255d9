"""The `hammer` row: a script hammering a locked account name.

Every attempt on a locked name is refused (`429`) before any password is
checked; what it still costs is the lock check and the audit trail. The row
reports the refusals per second, the server CPU each costs, and how many
rows the audit trail gained for them (one per lock, not one per attempt).
"""

import os
import sqlite3
import subprocess
import tempfile

from bench_http import cpu_seconds, form, parse_wrk, request
from bench_server import Server

VICTIM = "hammered"

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = "username=%s&password=not-the-password"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
""" % VICTIM


def audit_rows(data):
    with sqlite3.connect(os.path.join(data, "latchkey.db")) as db:
        return db.execute("SELECT COUNT(*) FROM auth_events").fetchone()[0]


def hammer(args, workdir):
    """Locks a name with wrong passwords, then sends wrong passwords for it
    from `args.connections` connections for `args.seconds`."""
    server = Server(args, "hammer", {"LATCHKEY_AUTH_MODE": "session",
                                     "LATCHKEY_SESSION_STORE": "memory"}, workdir)
    try:
        server.sign_up(VICTIM)
        wrong = form({"username": VICTIM, "password": "not-the-password"})
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": "application/json"}
        statuses = [request(server.base + "/api/sign_in", wrong, headers)[0] for _ in range(6)]
        if statuses[-1] != 429:
            raise SystemExit(f"bench: hammer: the name did not lock: {statuses}")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=workdir, delete=False) as f:
            f.write(WRK_SCRIPT)
        cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
               "-s", f.name, server.base + "/api/sign_in"]
        if args.pin:
            cmd = ["taskset", "-c", "1"] + cmd
        rows0, cpu0 = audit_rows(server.data), cpu_seconds(server.proc.pid)
        result = parse_wrk(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
        cpu1, rows1 = cpu_seconds(server.proc.pid), audit_rows(server.data)
        n = max(result["requests"], 1)
        result["cpu_us_per_req"] = (cpu1 - cpu0) * 1e6 / n
        result["audit_rows_added"] = rows1 - rows0
        return result
    finally:
        server.stop()


def hammer_table(r):
    return [
        "| locked name hammered | refusals/s | p50 ms | p99 ms | server CPU µs/req | attempts "
        "| audit rows added |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| session, memory store | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} "
        f"| {r['cpu_us_per_req']:.0f} | {r['requests']} | {r['audit_rows_added']} |",
    ]
