"""Real `readout worker` processes for the jobs tests, stopped by PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from flask import Flask
from rq.serializers import JSONSerializer

from service.http.jobs import EXTENSION, JobsService
from service.jobs.queue import queue
from service.jobs.records import JobRecords
from service.jobs.tasks import WorkerContext, install
from service.jobs.webhooks import WebhookSender
from service.jobs.worker import GreenletWorker
from tests.liveserver import ROOT

READOUT = Path(sys.executable).with_name("readout")


def wait_for(check: Callable[[], Any], timeout: float, what: str, every: float = 0.05) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def run_queued(app: Flask) -> None:
    """Run every queued article (and webhook) with an RQ worker in this process, then return."""
    service: JobsService = app.extensions[EXTENSION]
    assert service.queue is not None
    connection = service.queue.redis
    settings = app.extensions["readout"].settings
    install(
        WorkerContext(
            summariser=app.extensions["readout"].summariser,
            records=JobRecords(connection, settings.job_ttl_s),
            webhooks=WebhookSender(settings),
            max_chars=settings.max_chars,
        )
    )
    worker = GreenletWorker([queue(connection)], connection=connection, serializer=JSONSerializer)
    worker.work(burst=True, logging_level="WARNING")


def worker_env(redis_url: str, llm_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a worker process: ours without OPENAI_/READOUT_, plus these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "READOUT_"))}
    env["READOUT_REDIS_URL"] = redis_url
    # Tests send one article many times and count upstream calls: cache only when asked.
    env["READOUT_CACHE"] = "off"
    if llm_url is not None:
        env |= {"OPENAI_BASE_URL": llm_url, "OPENAI_API_KEY": "sk-test", "READOUT_MODEL": "m"}
        env |= {"READOUT_ENGINE": "llm", "READOUT_BACKOFF_S": "0.05"}
    return env | extra


class WorkerProcess:
    """`readout worker --concurrency N` as a subprocess."""

    def __init__(self, env: dict[str, str], log: Path, concurrency: int = 4) -> None:
        self.log = log
        self._log_file: IO[Any] = log.open("ab")
        argv = [str(READOUT), "worker", "--concurrency", str(concurrency)]
        self.process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT
        )

    @property
    def pid(self) -> int:
        """The worker's PID."""
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: the worker dies without a word."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self._log_file.close()

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM, then wait (SIGKILL after `timeout`); the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        if not self._log_file.closed:
            self._log_file.close()
        return code

    def output(self) -> str:
        """What the worker logged."""
        return self.log.read_text(errors="replace")
