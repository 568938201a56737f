"""Readiness from a background probe: `/readyz` reports, it never calls the upstream itself.

Each process probes the LLM upstream (`GET /models`) at most once per READOUT_READY_PROBE_S,
from a background thread (a greenlet under gunicorn's gevent workers) that gunicorn starts when
a worker boots (`post_worker_init` in service/http/gunicorn_conf.py; another server calls
`ReadoutState.start_probes()`). Polling `/readyz` at any rate costs the provider nothing.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("readout.readiness")

Check = Callable[[], dict[str, Any]]
# Each wait is the interval plus up to this share of it, so workers and replicas that started
# together drift apart instead of probing the provider in step.
JITTER = 0.1
# A result older than this many intervals means the probe stopped: it counts as a failure.
STALE_INTERVALS = 3


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One probe's outcome and when it was taken (monotonic seconds)."""

    ok: bool
    reason: str | None
    at: float


class ReadinessProbe:
    """Runs one check in the background every interval; reports the last result and its age."""

    def __init__(self, check: Check, interval_s: float) -> None:
        self._check = check
        self.interval_s = interval_s
        self._last: ProbeResult | None = None
        self._started = False
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.probes = 0

    def start(self) -> None:
        """Probe now, then every interval (plus jitter), in a daemon thread; idempotent."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._loop, name="readout-ready-probe", daemon=True).start()

    def probe_now(self) -> ProbeResult:
        """Run the check once and keep its result."""
        try:
            outcome = self._check()
        except Exception as error:  # a probe must never take its thread down
            log.warning("readiness probe failed", extra={"error_type": type(error).__name__})
            outcome = {"ok": False, "reason": "the probe itself failed"}
        self.probes += 1
        result = ProbeResult(bool(outcome.get("ok")), outcome.get("reason"), time.monotonic())
        self._last = result
        return result

    def report(self) -> dict[str, Any]:
        """The last result, its age and the interval; never probes."""
        last = self._last
        if last is None:
            return {"ok": False, "reason": "not probed yet", "age_s": None, **self._every()}
        age = time.monotonic() - last.at
        report: dict[str, Any] = {"ok": last.ok, "age_s": round(age, 1), **self._every()}
        if last.reason:
            report["reason"] = last.reason
        if age > STALE_INTERVALS * self.interval_s * (1 + JITTER):
            report |= {"ok": False, "reason": "the last probe is stale"}
        return report

    def _every(self) -> dict[str, float]:
        return {"interval_s": self.interval_s}

    def stop(self) -> None:
        """End the background loop after its current probe."""
        self._stopping.set()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self.probe_now()
            self._stopping.wait(self.interval_s * (1 + random.uniform(0, JITTER)))
