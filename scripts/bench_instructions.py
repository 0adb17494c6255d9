"""The `page-instructions` row: what `/` and `/account` cost in instructions.

Server CPU time on a shared or virtual machine moves by 10–20 % from one
run to the next, as much as the differences worth knowing about. The number
of instructions a request executes does not: it is the same on every run of
the same binary. This row runs the server (memory sessions) under
Valgrind's callgrind, sends each page a fixed number of requests one after
the other, and reads the instructions executed by the whole process (every
thread) over exactly those requests: `callgrind_control --zero` before,
`--dump` after. Time spent waiting and cache misses are not counted, so the
ratio is a floor under the CPU-time ratio, not a replacement for it.
"""

import glob
import os
import shutil
import subprocess
import sys

from bench_http import PASSWORD, form, auth_cookies, request
from bench_server import Server

PAGES = [("public", "/", False), ("account", "/account", True)]


def page_instructions(args, workdir):
    if shutil.which("valgrind") is None:
        print("bench: valgrind is not installed: page-instructions is left out", file=sys.stderr)
        return None
    out = os.path.join(workdir, "callgrind")
    os.makedirs(out, exist_ok=True)
    wrap = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out.%p"]
    env = {"LATCHKEY_AUTH_MODE": "session", "LATCHKEY_SESSION_STORE": "memory",
           "TOKIO_WORKER_THREADS": "1"}
    print("bench: page instructions (session, memory store, under callgrind)", file=sys.stderr)
    server = Server(args, "callgrind", env, workdir, pin=False, wrap=wrap, start_seconds=180)
    try:
        cookie, _ = server.sign_up(f"cg{os.getpid()}")
        result = {"requests": args.instruction_requests}
        for name, path, signed_in in PAGES:
            headers = {"Cookie": cookie} if signed_in else {}
            # Caches, pools and lazily built tables settle first.
            send(server, path, headers, 20)
            control(server, "--zero")
            send(server, path, headers, args.instruction_requests)
            control(server, "--dump", name)
            result[name] = dumped(out, server.proc.pid, name) / args.instruction_requests
        result["ratio"] = result["account"] / result["public"]
        return result
    finally:
        server.stop()


def send(server, path, headers, n):
    for _ in range(n):
        status, _, _ = request(server.base + path, headers=headers)
        if status != 200:
            raise SystemExit(f"bench: GET {path} answered {status} under callgrind")


def control(server, *what):
    subprocess.run(["callgrind_control", *what, str(server.proc.pid)], check=True,
                   capture_output=True)


def dumped(out, pid, name):
    """Instructions in the dump triggered as `name`."""
    for path in glob.glob(f"{out}/callgrind.out.{pid}.*"):
        with open(path, errors="replace") as f:
            head = f.read(8192)
        if f"\ndesc: Trigger: dump {name}\n" not in head:
            continue
        for line in head.splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise SystemExit(f"bench: no callgrind dump named {name} in {out}")


def instructions_table(r):
    return [
        f"| page, under callgrind ({r['requests']} requests each) | instructions/req | × `/` |",
        "|---|---:|---:|",
        f"| public `/`, anonymous | {r['public']:,.0f} | 1.00 |",
        f"| `/account`, memory sessions | {r['account']:,.0f} | {r['ratio']:.2f} |",
    ]
