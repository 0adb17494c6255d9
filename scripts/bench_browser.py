"""The `browser` rows: what a real browser's requests cost the server.

Browsers send `Accept-Encoding: gzip, deflate, br, zstd` with every request,
and a first visit fetches the page, then the script, the stylesheet and the
WebAssembly bundle it links. The per-configuration rows measure pages the
same way (scripts/bench_server.py); these rows add, on one server (session
mode, memory store):

- `/` anonymous and `/account` signed in, without and with the browser's
  header, in alternating pairs: what compressing a page costs per request;
- the bundle fetched as a browser fetches it (`br`): server CPU per fetch
  and the bytes sent, against the raw size and the budget;
- a first visit, as a browser makes it: the page, then every asset it links,
  each with the browser's headers, on one kept-alive connection; bytes sent
  (bodies as encoded on the wire) and server CPU per visit.
"""

import re

from bench_http import BROWSER_ENCODING, Connection, cpu_seconds
from bench_server import Server, Stores, measure, wrk

# These rows count no store operations.
NO_STORES = Stores(None, None, None)

# The raw release bundle the bench holds the build to, in bytes: it is most
# of a first visit, and every page of the site loads it.
WASM_BUDGET = 1_600_000

ASSET_LINK = re.compile(r'''(?:href|src)="(/pkg/[^"]+\.(?:js|wasm|css))"''')


def cpu_per_request(args, server, path, seconds, cookie=None, encoding=None, connections=None):
    """Server CPU µs per request of `path` under wrk, and wrk's figures."""
    return measure(args, server, NO_STORES, path, cookie, seconds, warmup=False,
                   encoding=encoding, connections=connections)


def encoding_pairs(args, server, path, cookie):
    """`path` without and with the browser's Accept-Encoding, in alternating
    pairs (every other pair with the header first); the median pair's ratio."""
    wrk(args, server.base + path, args.warmup, cookie, encoding=BROWSER_ENCODING)
    pairs = []
    for i in range(args.page_rounds):
        order = (None, BROWSER_ENCODING) if i % 2 == 0 else (BROWSER_ENCODING, None)
        runs = {e: cpu_per_request(args, server, path, args.page_seconds, cookie, e)
                for e in order}
        pairs.append((runs[None], runs[BROWSER_ENCODING]))
    pairs.sort(key=lambda p: p[1]["cpu_us_per_req"] / p[0]["cpu_us_per_req"])
    identity, encoded = pairs[len(pairs) // 2]
    return {
        "path": path,
        "identity_cpu_us": identity["cpu_us_per_req"],
        "browser_cpu_us": encoded["cpu_us_per_req"],
        "ratio": encoded["cpu_us_per_req"] / identity["cpu_us_per_req"],
        "ratio_rounds": [b["cpu_us_per_req"] / a["cpu_us_per_req"] for a, b in pairs],
    }


def fetch(conn, path, cookie=None, encoding=BROWSER_ENCODING):
    headers = {"Accept-Encoding": encoding, "User-Agent": "latchkey-bench"}
    if cookie:
        headers["Cookie"] = cookie
    status, response, body = conn.request("GET", path, headers=headers)
    if status != 200:
        raise SystemExit(f"bench: browser: GET {path} answered {status}")
    return response, body


def first_visit(args, server, visits):
    """The page and what it links, `visits` times over: bytes and CPU."""
    conn = Connection(server.port)
    _, page = fetch(conn, "/", encoding="identity")
    assets = sorted(set(ASSET_LINK.findall(page.decode())))
    kinds = {a.rsplit(".", 1)[1] for a in assets}
    if kinds != {"js", "wasm", "css"}:
        raise SystemExit(f"bench: browser: the page links {assets}, not a script, bundle and "
                         "stylesheet")
    sent = {}
    raw = {}
    for path in ["/"] + assets:
        response, body = fetch(conn, path)
        sent[path] = {"bytes": len(body), "encoding": response.get("Content-Encoding") or "identity"}
        if path != "/":
            raw[path] = len(fetch(conn, path, encoding="identity")[1])
    cpu0 = cpu_seconds(server.proc.pid)
    for _ in range(visits):
        for path in ["/"] + assets:
            fetch(conn, path)
    cpu1 = cpu_seconds(server.proc.pid)
    conn.close()
    wasm = next(a for a in assets if a.endswith(".wasm"))
    return {
        "visits": visits,
        "cpu_ms_per_visit": (cpu1 - cpu0) * 1e3 / visits,
        "bytes_sent": sum(s["bytes"] for s in sent.values()),
        "sent": sent,
        "raw_asset_bytes": raw,
        "wasm_path": wasm,
    }


def browser(args, workdir):
    server = Server(args, "browser", {"LATCHKEY_AUTH_MODE": "session",
                                      "LATCHKEY_SESSION_STORE": "memory"}, workdir)
    try:
        cookie, _ = server.sign_up(f"browser{server.port}")
        pages = [encoding_pairs(args, server, "/", None),
                 encoding_pairs(args, server, "/account", cookie)]
        visit = first_visit(args, server, args.visits)
        wasm = visit["wasm_path"]
        # Few connections: each answer is hundreds of kilobytes.
        fetches = cpu_per_request(args, server, wasm, args.page_seconds, encoding="br",
                                  connections=4)
        return {
            "pages": pages,
            "first_visit": visit,
            "wasm": {
                "raw_bytes": visit["raw_asset_bytes"][wasm],
                "budget_bytes": WASM_BUDGET,
                "br_bytes": visit["sent"][wasm]["bytes"] if visit["sent"][wasm]["encoding"] == "br"
                else None,
                "br_cpu_us_per_fetch": fetches["cpu_us_per_req"],
                "br_fetches_per_s": fetches["rps"],
            },
        }
    finally:
        server.stop()


def browser_table(r):
    lines = [
        "| what a browser asks | server CPU µs/req, no `Accept-Encoding` | with a browser's "
        "| × |",
        "|---|---:|---:|---:|",
    ]
    for p in r["pages"]:
        who = "anonymous" if p["path"] == "/" else "signed in"
        lines.append(f"| `{p['path']}`, {who} | {p['identity_cpu_us']:.1f} "
                     f"| {p['browser_cpu_us']:.1f} | {p['ratio']:.2f} |")
    w, v = r["wasm"], r["first_visit"]
    parts = ", ".join(f"{w_name(p)} {s['bytes']:,} B {s['encoding']}" for p, s in v["sent"].items())
    over = " **over budget**" if w["raw_bytes"] > w["budget_bytes"] else ""
    lines += [
        "",
        "| the bundle | raw bytes (budget) | bytes sent, `br` | server CPU µs per `br` fetch |",
        "|---|---:|---:|---:|",
        f"| `{w_name(v['wasm_path'])}` | {w['raw_bytes']:,} ({w['budget_bytes']:,}){over} "
        f"| {fmt_bytes(w['br_bytes'])} | {w['br_cpu_us_per_fetch']:.0f} |",
        "",
        "| first visit (page, script, bundle, stylesheet) | bytes sent | server CPU ms per visit |",
        "|---|---:|---:|",
        f"| {parts} | {v['bytes_sent']:,} | {v['cpu_ms_per_visit']:.2f} |",
        "",
        f"× = with the browser's `Accept-Encoding: {BROWSER_ENCODING}` over without, median of "
        f"{len(r['pages'][0]['ratio_rounds'])} alternating pairs on one server (session mode, "
        f"memory store). First visit: {v['visits']} visits on one kept-alive connection, each "
        "asset asked for with the browser's header.",
    ]
    return lines


def w_name(path):
    return path.rsplit("/", 1)[-1] if path != "/" else "`/`"


def fmt_bytes(n):
    return "—" if n is None else f"{n:,}"
