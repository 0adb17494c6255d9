"""The scale-out load: simulated users signing in, loading pages, calling the
API with refresh, revoking a device (then asking every instance directly
until each refuses it) and signing out, from a bounded pool of threads,
for a bounded time and request count. Every answer is recorded with its
kind, times and status. Standard library only."""

import concurrent.futures
import http.client
import json
import queue
import random
import threading
import time
from collections import Counter

from bench_cluster_client import Recorder, Stop
from bench_http import BROWSER_ENCODING, PASSWORD, Connection, form, update_jar

# Request kinds of the mix, in the order an iteration makes them.
KINDS = ["sign_in", "page", "token", "api", "refresh", "devices", "revoke", "sign_out"]
# What each kind answers when all is well; anything else is "unexpected".
EXPECTED = {
    "sign_in": {200, 302, 303}, "page": {200}, "token": {200}, "api": {200},
    "refresh": {200}, "devices": {200}, "revoke": {204}, "sign_out": {200, 302, 303},
}
PAGES = ["/account", "/account/devices"]
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


class VirtualUsers:
    """Runs iterations for users taken from a shared queue, one at a time
    per user, from `workers` threads."""

    def __init__(self, args, mode, lb_port, instance_ports, users, recorder, probes):
        self.args, self.mode, self.lb_port = args, mode, lb_port
        self.instance_ports = instance_ports
        self.recorder = recorder
        # The lag probes run beside the users, not in their stead: a user
        # goes on while every instance is asked about its revoked device.
        self.probe_pool, self.probe_jobs = probes, []
        self.local = threading.local()
        self.users = queue.Queue()
        for u in users:
            self.users.put(u)

    def worker(self):
        lb = Connection(self.lb_port, self.args.timeout)
        try:
            while not self.recorder.spent():
                try:
                    user = self.users.get(timeout=0.5)
                except queue.Empty:
                    continue
                try:
                    signed_in = (self.jwt_iteration if self.mode == "jwt"
                                 else self.session_iteration)(lb, user)
                    with self.recorder.lock:
                        self.recorder.iterations += 1
                except Stop:
                    signed_in = True
                finally:
                    self.users.put(user)
                if not signed_in:
                    # A refused sign-in answers fast: pause rather than
                    # spin on it (a 503 asks to retry later).
                    time.sleep(0.1)
        finally:
            lb.close()

    def send(self, kind, conn, method, path, body=None, headers=None):
        """(status, headers, body), recorded; status None when no answer came
        (refused, reset, timed out): then body holds the reason."""
        if self.recorder.spent():
            raise Stop()
        start = time.monotonic()
        try:
            status, h, data = conn.request(method, path, body, headers)
            detail = None
        except (http.client.HTTPException, OSError) as e:
            status, h, data = None, None, f"{type(e).__name__}: {e}"
            detail = data
        end = time.monotonic()
        if status is not None and status not in EXPECTED[kind]:
            detail = data[:160].decode("utf-8", "replace")
        self.recorder.records.append((kind, start, end, status, detail))
        return status, h, data

    def ok(self, kind, status):
        return status in EXPECTED[kind]

    def sign_in(self, lb, user):
        """A browser's form sign-in: its cookie jar, or None."""
        status, h, _ = self.send("sign_in", lb, "POST", "/api/sign_in",
                                 form({"username": user, "password": PASSWORD}), FORM)
        if not self.ok("sign_in", status):
            return None
        jar = update_jar({}, h)
        return jar or None

    def pages(self, lb, jar):
        for i in range(self.args.pages):
            status, h, _ = self.send("page", lb, "GET", PAGES[i % len(PAGES)],
                                     headers={"Cookie": cookie(jar),
                                              "Accept-Encoding": BROWSER_ENCODING})
            if h is not None:
                jar = update_jar(jar, h)
        return jar

    def current_device(self, lb, credentials):
        status, _, body = self.send("devices", lb, "GET", "/api/devices", headers=credentials)
        if not self.ok("devices", status):
            return None
        for d in json.loads(body).get("devices", []):
            if d.get("current"):
                return d.get("id")
        return None

    def jwt_iteration(self, lb, user):
        """Browser sign-in and pages; an API client signs in by the password
        grant, calls /api/me, refreshes, calls again; the browser signs the
        API client's device out, and every instance is asked until it
        refuses the API client's access token; the browser signs out."""
        jar = self.sign_in(lb, user)
        if jar is None:
            return False
        jar = self.pages(lb, jar)
        status, _, body = self.send("token", lb, "POST", "/auth/token", form(
            {"grant_type": "password", "username": user, "password": PASSWORD}), FORM)
        if self.ok("token", status):
            tokens = json.loads(body)
            half = self.args.api_calls // 2
            for i in range(self.args.api_calls):
                if i == half:
                    status, _, body = self.send("refresh", lb, "POST", "/auth/token", form(
                        {"grant_type": "refresh_token",
                         "refresh_token": tokens["refresh_token"]}), FORM)
                    if self.ok("refresh", status):
                        tokens = json.loads(body)
                self.send("api", lb, "GET", "/api/me",
                          headers={"Authorization": f"Bearer {tokens['access_token']}"})
            bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
            device = self.current_device(lb, bearer)
            if device is not None:
                status, _, _ = self.send("revoke", lb, "DELETE", f"/api/devices/{device}",
                                         headers={"Cookie": cookie(jar)})
                if self.ok("revoke", status):
                    self.probe(bearer)
        self.send("sign_out", lb, "POST", "/api/sign_out", b"",
                  {**FORM, "Cookie": cookie(jar)})
        return True

    def session_iteration(self, lb, user):
        """Session mode: browser A signs in and loads pages; browser B signs
        in and calls /api/me with its cookie; A signs B's device out, every
        instance is asked until it refuses B's cookie; A signs out."""
        jar = self.sign_in(lb, user)
        if jar is None:
            return False
        jar = self.pages(lb, jar)
        other = self.sign_in(lb, user)
        if other is not None:
            theirs = {"Cookie": cookie(other)}
            for _ in range(self.args.api_calls):
                self.send("api", lb, "GET", "/api/me", headers=theirs)
            device = self.current_device(lb, theirs)
            if device is not None:
                status, _, _ = self.send("revoke", lb, "DELETE", f"/api/devices/{device}",
                                         headers={"Cookie": cookie(jar)})
                if self.ok("revoke", status):
                    self.probe(theirs)
        self.send("sign_out", lb, "POST", "/api/sign_out", b"",
                  {**FORM, "Cookie": cookie(jar)})
        return True

    def probe(self, credentials):
        """Hands the revoked credentials to the probe pool, timed from now:
        the revoking answer."""
        answered = time.monotonic()
        try:
            self.probe_jobs.append(self.probe_pool.submit(self.ask_all, credentials, answered))
        except RuntimeError:  # the run is over and the pool shut
            pass

    def ask_all(self, credentials, answered):
        """Asks every instance directly (in a random order, --lag-poll-ms
        between rounds for the first 100 ms, then four times that) until
        each answers 401: per instance, the time from the revoking answer to
        its first 401, or why it never came."""
        if not hasattr(self.local, "direct"):
            self.local.direct = {p: Connection(p, self.args.timeout)
                                 for p in self.instance_ports}
            self.local.rng = random.Random()
        direct = self.local.direct
        waiting = list(direct)
        self.local.rng.shuffle(waiting)
        self.recorder.probe_delays.append((time.monotonic() - answered) * 1000)
        checks = Counter()
        while waiting:
            for port in list(waiting):
                checks[port] += 1
                sent = time.monotonic()
                try:
                    status = direct[port].request("GET", "/api/me", headers=credentials)[0]
                except (http.client.HTTPException, OSError) as e:
                    status = None
                    reason = f"{type(e).__name__}: {e}"
                now = time.monotonic()
                self.recorder.probes.append((sent, now, status))
                if status == 401:
                    self.recorder.lags.append({"instance": port, "at": answered,
                                               "checks": checks[port],
                                               "lag_ms": (now - answered) * 1000})
                    waiting.remove(port)
                elif status != 200:
                    self.recorder.lags.append({"instance": port, "at": answered, "error": (
                        f"answered {status}" if status else reason)})
                    waiting.remove(port)
            if not waiting:
                break
            if time.monotonic() - answered > self.args.lag_timeout:
                for port in waiting:
                    self.recorder.lags.append({"instance": port, "at": answered, "error": (
                        f"still accepted after {self.args.lag_timeout} s")})
                break
            pause = self.args.lag_poll_ms / 1000
            time.sleep(pause if time.monotonic() - answered < 0.1 else 4 * pause)


def cookie(jar):
    return "; ".join(f"{k}={v}" for k, v in sorted(jar.items()))


def run_load(args, mode, lb_port, instance_ports, users, seconds, at=None, alive=None):
    """Runs the mix for `seconds` (or --max-requests), then waits for the
    workers, at most the budget of one request and one lag probe more.
    `at`: {seconds after the start: function} called meanwhile (the
    master killed at mid-run); `alive`: a check that every instance still
    runs (the run stops when one has exited). The main thread waits in short
    slices, so that a signal's handler runs at once. Returns (recorder,
    start, elapsed)."""
    start = time.monotonic()
    recorder = Recorder(start + seconds, args.max_requests)
    probes = concurrent.futures.ThreadPoolExecutor(args.probe_workers,
                                                   thread_name_prefix="probe")
    users_run = VirtualUsers(args, mode, lb_port, instance_ports, users, recorder, probes)
    threads = [threading.Thread(target=users_run.worker, daemon=True, name=f"vu-{i}")
               for i in range(args.workers)]
    for t in threads:
        t.start()

    def wait_until(moment, busy=lambda: True):
        while time.monotonic() < moment and busy():
            time.sleep(min(0.2, max(0.0, moment - time.monotonic())))
            if alive and not alive():
                recorder.instance_exited = True
                recorder.stopped.set()
                return

    try:
        for when, action in sorted((at or {}).items()):
            wait_until(start + when, lambda: not recorder.stopped.is_set())
            if not recorder.stopped.is_set():
                action()
        cap = start + seconds + 2 * args.timeout + args.lag_timeout + 5
        wait_until(cap, lambda: any(t.is_alive() for t in threads))
        wait_until(cap, lambda: not all(f.done() for f in list(users_run.probe_jobs)))
    finally:
        recorder.stopped.set()
        probes.shutdown(wait=False, cancel_futures=True)
    elapsed = time.monotonic() - start
    recorder.late_workers = sum(t.is_alive() for t in threads)
    return recorder, start, elapsed
