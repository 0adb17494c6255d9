"""The scale-out load's bookkeeping: the recorder of every answer and of
the revocation-lag probes (with the run's time and request budget), and
the status classes the report counts."""

import threading
import time


CLASSES = ["2xx", "3xx", "401", "429", "503", "other"]


def status_class(status):
    """2xx, 3xx, 401, 429, 503 or other (no answer at all included)."""
    if status is None:
        return "other"
    if 200 <= status < 300:
        return "2xx"
    if 300 <= status < 400:
        return "3xx"
    if status in (401, 429, 503):
        return str(status)
    return "other"


class Stop(Exception):
    """The run's time or request budget is spent: the iteration ends."""


class Recorder:
    """Every answer of the mix, the lag probes' outcomes, and the budget."""

    def __init__(self, deadline, max_requests):
        self.deadline, self.max_requests = deadline, max_requests
        self.records = []  # (kind, start, end, status, detail)
        # Per instance per revocation: {"instance", "at", "lag_ms", "checks"}
        # or {"instance", "at", "error"}; `at`: the revoking answer.
        self.lags = []
        self.probes = []  # (start, end, status) of every direct probe
        self.probe_delays = []  # ms from a revoking answer to its first probe
        self.iterations = 0
        self.instance_exited = False
        self.stopped = threading.Event()
        self.lock = threading.Lock()

    def spent(self):
        if (self.stopped.is_set() or time.monotonic() >= self.deadline
                or len(self.records) >= self.max_requests):
            self.stopped.set()
            return True
        return False
