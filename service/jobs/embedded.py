"""The one job worker `readout serve` runs beside the Redis it embeds, owned and stopped by it.

With no READOUT_REDIS_URL the service is one machine's: serve embeds a Redis and, so that
`POST /v1/jobs` works with no setup, starts `readout worker` against it. With a configured
Redis, workers are deployed on their own (`readout worker` on any number of machines).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys

log = logging.getLogger("readout.jobs")
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask the kernel to SIGTERM this process when the service's master dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ServedWorker:
    """`readout worker` as a child process of the service."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self._owner = os.getpid()

    def start(self, environ: dict[str, str]) -> ServedWorker:
        """Start the worker with `environ` (which names the embedded Redis)."""
        self._owner = os.getpid()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "worker"],
            env=environ,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # a terminal's Ctrl-C reaches the master, which stops it
            preexec_fn=_die_with_parent,
        )
        log.info("job worker started", extra={"pid": self.process.pid})
        return self

    def request_stop(self) -> None:
        """SIGTERM without waiting: the worker finishes its articles in hand and exits."""
        if os.getpid() == self._owner and self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (articles in hand finish), SIGKILL after `timeout`; only by its owner."""
        if os.getpid() != self._owner or self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
