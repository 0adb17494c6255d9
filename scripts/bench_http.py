"""The benchmark's HTTP side: requests, cookies, kept-alive connections,
wrk's output, and the constants every part shares. Standard library only."""

import http.client
import math
import os
import re
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request



CLK_TCK = os.sysconf("SC_CLK_TCK")
PASSWORD = "correct horse battery staple"
# What every browser sends: page rows are measured with it.
BROWSER_ENCODING = "gzip, deflate, br, zstd"
DEMO_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo-scale-out.sh")
# Instances behind one load balancer share the issuer (tokens name it in `iss`).
SHARED_ISSUER = "http://latchkey-bench.test"
CONFIG_KEYS = ["session-memory", "session-sqlite", "session-postgres", "session-redis",
               "jwt-hs256", "jwt-eddsa", "jwt-hs256-postgres"]
EXTRA_KEYS = ["page-instructions", "revocation-lag", "load-balancer", "hammer", "browser",
              "sign-in-methods", "dpop"]



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


def update_jar(jar, headers):
    """The auth cookies a browser holds after an answer: set, replaced, or
    dropped when the answer clears them."""
    jar = dict(jar)
    for c in headers.get_all("Set-Cookie") or []:
        first, _, attributes = c.partition(";")
        name, _, value = first.partition("=")
        if not name.startswith("__Host-latchkey"):
            continue
        if value and "max-age=0" not in attributes.lower().replace(" ", ""):
            jar[name] = value
        else:
            jar.pop(name, None)
    return jar


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


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port with a timeout
    on every request. A request on a reused connection that the server had
    closed meanwhile is sent once more on a new one; a timeout, or a failure
    on a fresh connection, is not."""

    def __init__(self, port, timeout=30):
        self.port, self.timeout = port, timeout
        self.conn = None
        self.used = False
        self.opened = 0

    def request(self, method, path, body=None, headers=None):
        """(status, headers, body)."""
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=self.timeout)
                self.used = False
                self.opened += 1
            reused = self.used
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                r = self.conn.getresponse()
                data = r.read()
                self.used = True
                if r.will_close:
                    self.close()
                return r.status, r.headers, data
            except socket.timeout:
                self.close()
                raise
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 2 or not reused:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def stop_process(proc, log):
    """Stops `proc` (TERM, then KILL after 10 s) and closes its `log`."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log.close()


def percentile(values, q):
    """Nearest-rank percentile `q` (0-100) of `values`, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]

def fmt(v, spec):
    return "—" if v is None else format(v, spec)
