"""`readout worker`: several RQ workers as greenlets of one process, sharing its engines.

An article waits on the LLM for seconds; what a worker needs is many articles in flight, not
many processes each holding the engines (~300 MB). So one process loads the engines once and
runs READOUT_WORKER_CONCURRENCY of RQ's in-process workers (`SimpleWorker`), each a greenlet
under gevent (as the HTTP workers are), each taking one article at a time from the queue and
registered in Redis as an RQ worker of its own. The process, not each worker, owns the
signals: the first SIGTERM or SIGINT lets every worker finish its article and stop; a second
stops them at once (their articles go back to the queue through RQ's retry).

When a worker process dies without a word (SIGKILL, OOM), the articles it held stay in RQ's
started registry until their heartbeat expires (the article's timeout plus a few seconds);
any other worker's maintenance then hands them to `Retry`, and they run again elsewhere.

The caller must have patched the standard library with gevent first (`readout worker` does).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import secrets
import signal
import socket
from functools import partial
from typing import Any

import gevent
from rq.exceptions import StopRequested
from rq.job import Job
from rq.serializers import JSONSerializer
from rq.timeouts import BaseDeathPenalty
from rq.worker import SimpleWorker, WorkerStatus

from service.config import Settings
from service.jobs.queue import article_timeout, queue
from service.jobs.records import JobRecords
from service.jobs.tasks import WorkerContext, install
from service.jobs.webhooks import WebhookSender
from service.pipeline.build import build_engines, build_summariser
from service.pipeline.identity import code_version, identity
from service.store.cache import ResultCache
from service.store.kv import open_store
from service.store.redis import connect

log = logging.getLogger("readout.worker")
# How often some worker looks for articles whose worker died (RQ's registry maintenance).
MAINTENANCE_S = 10
# A held article is abandoned this long after its timeout without a heartbeat.
HEARTBEAT_MARGIN_S = 5
# A worker's key lives this long between heartbeats (an idle one beats every 15 s less).
WORKER_TTL_S = 30
PROCESS_NAME = "readout-worker"
_PR_SET_NAME = 15


class GeventDeathPenalty(BaseDeathPenalty):
    """RQ's job timeout as a `gevent.Timeout`: it stops one greenlet, not the process."""

    def setup_death_penalty(self) -> None:
        """Arm the timeout in the current greenlet."""
        message = f"Task exceeded maximum timeout value ({self._timeout} seconds)"
        self._timer = gevent.Timeout(self._timeout, self._exception(message))
        self._timer.start()

    def cancel_death_penalty(self) -> None:
        """Disarm it."""
        self._timer.close()


class GreenletWorker(SimpleWorker):
    """An RQ worker running in a greenlet; the process handles signals for all of them."""

    death_penalty_class = GeventDeathPenalty

    def _install_signal_handlers(self) -> None:
        """Signals belong to the process (see `run`), not to each of its workers."""

    def subscribe(self) -> None:
        """No per-worker command channel: the process's signals stop its workers."""

    def get_heartbeat_ttl(self, job: Job, working_time: float = 0.0) -> int:
        """A held article counts as abandoned soon after its timeout (RQ adds a minute)."""
        return int(job.timeout or 0) + HEARTBEAT_MARGIN_S

    def stop_after_current(self) -> bool:
        """Leave the work loop after the article in hand; False if there is none."""
        # RQ's own request_stop() would raise in the caller (here, the signal handler) when
        # idle; the flag is what its loop checks between articles.
        self._stop_requested = True
        return self.get_state() == WorkerStatus.BUSY


def build_workers(settings: Settings, concurrency: int) -> list[GreenletWorker]:
    """Install the process's services and make `concurrency` workers on the configured Redis."""
    if not settings.redis_url:
        raise RuntimeError("READOUT_REDIS_URL is not set: a worker needs the jobs' Redis")
    redis = connect(settings.redis_url)
    engines, _checks = build_engines(settings)
    summariser = build_summariser(settings, engines)
    code = code_version()
    install(
        WorkerContext(
            summariser=summariser,
            records=JobRecords(redis, settings.job_ttl_s),
            webhooks=WebhookSender(settings),
            max_chars=settings.max_chars,
            cache=ResultCache(open_store(settings), settings.cache_ttl_s, enabled=settings.cache),
            identity=partial(identity, settings, summariser, code=code),
        )
    )
    # A random part: containers on the host network share the host's name and are all PID 1.
    prefix = f"{socket.gethostname()}.{os.getpid()}.{secrets.token_hex(3)}"
    return [
        GreenletWorker(
            [queue(redis)],
            name=f"{prefix}.{slot}",
            connection=redis,
            maintenance_interval=MAINTENANCE_S,
            worker_ttl=WORKER_TTL_S,
            log_job_description=False,  # a description would carry the article's text
            serializer=JSONSerializer,
        )
        for slot in range(concurrency)
    ]


def _name_process(name: str) -> None:
    """Show `name` in ps and top (the process is otherwise one more "readout" or "python")."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_NAME, name.encode())


def run(settings: Settings, concurrency: int | None = None, *, burst: bool = False) -> int:
    """Work until stopped (or, with `burst`, until the queues are empty); the exit code."""
    _name_process(PROCESS_NAME)
    concurrency = concurrency or settings.worker_concurrency
    workers = build_workers(settings, concurrency)
    log.info(
        "worker started",
        extra={"concurrency": concurrency, "article_timeout_s": article_timeout(settings)},
    )
    # RQ logs each job and each maintenance round at INFO; ours logs one line per article.
    debug = logging.getLogger().getEffectiveLevel() <= logging.DEBUG
    level: Any = "DEBUG" if debug else "WARNING"
    greenlets = [gevent.spawn(worker.work, burst=burst, logging_level=level) for worker in workers]
    stopping: list[int] = []

    def on_signal() -> None:
        stopping.append(1)
        if len(stopping) == 1:
            log.info("worker stopping after the articles in hand")
            for worker, greenlet in zip(workers, greenlets, strict=True):
                if not worker.stop_after_current():
                    # Idle, waiting on the queue: RQ's loop ends cleanly on StopRequested. An
                    # article it took meanwhile is found in RQ's intermediate list and rerun.
                    greenlet.kill(StopRequested(), block=False)
        else:
            log.warning("worker stopping now; articles in hand go back to the queue")
            gevent.killall(greenlets, block=False)

    handlers = [gevent.signal_handler(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)]
    try:
        gevent.joinall(greenlets)
    finally:
        for handler in handlers:
            handler.cancel()
    log.info("worker stopped")
    return 0
