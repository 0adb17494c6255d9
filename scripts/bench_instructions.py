"""The `page-instructions` rows: what `/` and `/account` cost in instructions.

Server CPU time on a shared or virtual machine moves by 10–20 % from one
run to the next, as much as the differences worth knowing about. The number
of instructions a request executes barely does: a few tenths of a percent
between runs of the same binary. These rows run the server of each
configuration under Valgrind's callgrind, send each page a fixed number of
requests one after the other, and read the instructions executed by the
whole process (every thread, the store clients' included; not the
database's or Redis's own) over exactly those requests: `callgrind_control
--zero` before, `--dump` after. Time spent waiting and cache misses are not counted, so the
ratio is a floor under the CPU-time ratio, not a replacement for it.
"""

import glob
import os
import shutil
import subprocess
import sys

from bench_http import request
from bench_server import Server

PAGES = [("public", "/", False), ("account", "/account", True)]


def page_instructions(args, workdir, configs):
    """One entry per configuration (key, label, env): instructions per
    request of `/` and of `/account`, and their ratio."""
    if shutil.which("valgrind") is None:
        print("bench: valgrind is not installed: page-instructions is left out", file=sys.stderr)
        return None
    return [one(args, workdir, key, label, env) for key, label, env in configs]


def one(args, workdir, key, label, env):
    out = os.path.join(workdir, f"callgrind-{key}")
    os.makedirs(out, exist_ok=True)
    wrap = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out.%p"]
    print(f"bench: page instructions, {label} (under callgrind)", file=sys.stderr)
    server = Server(args, f"callgrind-{key}", {**env, "TOKIO_WORKER_THREADS": "1"}, workdir,
                    pin=False, wrap=wrap, start_seconds=180)
    try:
        cookie, _ = server.sign_up(f"cg{os.getpid()}{key.replace('-', '')}"[:32])
        result = {"key": key, "label": label, "requests": args.instruction_requests}
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


def instructions_table(rows):
    n = rows[0]["requests"]
    return [
        f"| configuration, under callgrind ({n} requests a page) | `/` instructions/req "
        "| `/account` instructions/req | × `/` |",
        "|---|---:|---:|---:|",
    ] + [f"| {r['label']} | {r['public']:,.0f} | {r['account']:,.0f} | {r['ratio']:.2f} |"
         for r in rows]
