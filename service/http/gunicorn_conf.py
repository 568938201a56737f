"""Gunicorn settings for Readout, read by the master before any worker is forked.

`gunicorn -c python:service.http.gunicorn_conf 'service:create_app()'`, or the repo's
gunicorn.conf.py, which imports this. Gevent workers hold many slow upstream calls each;
everything tunable comes from the environment. The master imports no network library (gevent
patches in each worker), and the app is built in each worker (`preload_app` off).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import shutil
import tempfile
from typing import Any

from service.config import Settings
from service.engines.llm.tokens import encoding
from service.jobs.embedded import ServedWorker
from service.logs import logging_config
from service.store.redis import EmbeddedRedis, start_shared_redis


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _bind() -> str:
    if bind := os.environ.get("READOUT_BIND", "").strip():
        return bind
    return f"0.0.0.0:{os.environ.get('PORT', '').strip() or 8000}"


_request_deadline = float(os.environ.get("READOUT_TIMEOUT_S", "").strip() or 60)

bind = _bind()
worker_class = "gevent"
# A gevent worker runs its requests' CPU work (segmenting, validating, grounding) on one core
# and stalls all its other requests meanwhile; two per core keep both cores busy and let the
# kernel interleave them. Each worker holds ~350 MB (135 MB of it the token counter's BPE
# tables); lower WEB_CONCURRENCY (gunicorn's usual override) where memory is tight.
workers = _env_int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count())
# Open connections per worker; keep it above READOUT_MAX_CONCURRENT_UPSTREAM (default 256) so
# excess requests get the service's 503 + Retry-After rather than waiting unaccepted.
worker_connections = _env_int("READOUT_WORKER_CONNECTIONS", 1000)
# Seconds a worker may go silent (its event loop blocked) before the master kills it.
timeout = _env_int("READOUT_WORKER_TIMEOUT_S", 30)
# After SIGTERM, in-flight requests get this long to finish: a request lasts at most
# READOUT_TIMEOUT_S, plus a margin. A container's stop grace period must be longer still.
graceful_timeout = _env_int("READOUT_GRACEFUL_TIMEOUT_S", math.ceil(_request_deadline) + 5)
keepalive = _env_int("READOUT_KEEPALIVE_S", 5)
# Build the app in each worker after gevent has patched it; never share an HTTP pool by fork.
preload_app = False
# Trust X-Forwarded-* only from loopback (a sidecar proxy); override for your load balancer.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Gunicorn's control socket defaults to one path under $HOME shared by every instance (and
# unwritable for a container's non-root user); off unless READOUT_CONTROL_SOCKET names one.
control_socket_disable = not os.environ.get("READOUT_CONTROL_SOCKET", "").strip()
if not control_socket_disable:
    control_socket = os.environ["READOUT_CONTROL_SOCKET"].strip()

# The app logs one JSON line per request ("readout.access"); gunicorn's access log stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("READOUT_LOG_LEVEL", "info").lower()
logconfig_dict = logging_config(loglevel)


# The master's embedded Redis (see service/store/redis.py), if it started one, and the job
# worker it runs against it (service/jobs/embedded.py).
_owned: list[EmbeddedRedis] = []
_job_workers: list[ServedWorker] = []
_METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def on_starting(server: object) -> None:
    """In the master, before forking: shared state and what workers can share instead of copy."""
    # prometheus-client's multiprocess mode: each worker writes its values to files here and a
    # scrape adds them up. A private, empty directory per master (never one inherited: stale
    # files from another run would be added in); set before any worker imports the client.
    os.environ[_METRICS_DIR] = tempfile.mkdtemp(prefix="readout-metrics-")
    # Imported now, after the variable (the client picks its mode on import), so that
    # child_exit is quick; the master itself never counts anything.
    import prometheus_client.multiprocess  # noqa: F401

    # Workers inherit the environment, so the URL exported here is what their Settings read.
    embedded = start_shared_redis(os.environ)
    if embedded is not None:
        _owned.append(embedded)
        _job_workers.append(ServedWorker().start(dict(os.environ)))
    settings = Settings()
    if "llm" in settings.enabled_engines():
        encoding(settings.model)


def post_worker_init(worker: Any) -> None:
    """In each worker, once the app is built: start its background readiness probes."""
    worker.wsgi.extensions["readout"].start_probes()


def child_exit(server: object, worker: Any) -> None:
    """In the master, when a worker ended: drop its live gauges (requests in flight); if the
    master is stopping (its sockets closed), stop the job worker now, so that it drains
    alongside the HTTP workers rather than after them."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
    if getattr(server, "LISTENERS", None) == []:
        for job_worker in _job_workers:
            job_worker.request_stop()


def on_exit(server: object) -> None:
    """In the master, after the last worker stopped: stop the job worker, then Redis; remove the
    metrics files."""
    while _job_workers:
        _job_workers.pop().stop()
    while _owned:
        _owned.pop().stop()
    if directory := os.environ.pop(_METRICS_DIR, None):
        shutil.rmtree(directory, ignore_errors=True)
