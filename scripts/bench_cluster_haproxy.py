"""HAProxy in front of the scale-out load's instances: round robin, no
stickiness, a server connection per request (as scripts/demo-scale-out.sh),
and a stats socket to count what each instance answered."""

import os
import socket
import subprocess
import time

from bench_http import free_port, request, stop_process


class HAProxy:
    """HAProxy on a free loopback port before `ports`: round robin, no
    stickiness, a server connection per request (as scripts/demo-scale-out.sh),
    with a stats socket to count what each instance answered."""

    def __init__(self, ports, workdir, timeout):
        self.port = free_port()
        self.sock = os.path.join(workdir, f"haproxy-{self.port}.sock")
        cfg = os.path.join(workdir, f"haproxy-{self.port}.cfg")
        servers = "\n".join(f"    server instance-{i + 1} 127.0.0.1:{p} check"
                            for i, p in enumerate(ports))
        with open(cfg, "w") as f:
            f.write(f"""global
    maxconn 2048
    noreuseport
    stats socket {self.sock} mode 600 level user

defaults
    mode http
    timeout connect 2s
    timeout client {int(timeout) + 5}s
    timeout server {int(timeout) + 2}s
    timeout http-keep-alive 10s
    timeout check 5s
    default-server inter 2s fall 3 rise 2
    retries 2
    option redispatch
    option http-server-close
    http-reuse never
    option forwardfor

frontend bench
    bind 127.0.0.1:{self.port}
    default_backend latchkey

backend latchkey
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
{servers}
""")
        check = subprocess.run(["haproxy", "-c", "-q", "-f", cfg], capture_output=True, text=True)
        if check.returncode != 0:
            raise SystemExit(f"bench: haproxy refused its configuration:\n{check.stderr}")
        self.log = open(os.path.join(workdir, f"haproxy-{self.port}.log"), "w")
        self.proc = subprocess.Popen(["haproxy", "-db", "-f", cfg], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: haproxy exited at startup; see {self.log.name}")
            try:
                if request(f"http://127.0.0.1:{self.port}/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("bench: haproxy did not answer within 20 s")

    def stats(self):
        """{instance name: {requests, 2xx, 3xx, 4xx, 5xx}} from the stats socket."""
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(5)
                s.connect(self.sock)
                s.sendall(b"show stat\n")
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
        except OSError:
            return {}
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        out = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(",")))
            if row.get("pxname") == "latchkey" and row.get("svname", "").startswith("instance"):
                out[row["svname"]] = {
                    "requests": int(row.get("stot") or 0),
                    **{k: int(row.get(f"hrsp_{k}") or 0) for k in ("2xx", "3xx", "4xx", "5xx")}}
        return out

    def stop(self):
        stop_process(self.proc, self.log)
