"""Gunicorn settings for Readout: `gunicorn -c gunicorn.conf.py 'service:create_app()'`.

Gevent workers hold many slow upstream calls each; everything tunable comes from the
environment. Stdlib only: this file is read by the master before any worker is forked.
"""

from __future__ import annotations

import math
import multiprocessing
import os


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
# Gevent workers are I/O-bound; the CPU per request (segmenting, validating, grounding) runs
# on one core per worker. Two per core keeps both cores busy while one worker's loop is
# blocked on a long article, at ~100 MB each. WEB_CONCURRENCY is gunicorn's usual override.
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
control_socket = os.environ.get("READOUT_CONTROL_SOCKET", "").strip() or None
control_socket_disable = control_socket is None
if control_socket is None:
    del control_socket

# The app logs one JSON line per request ("readout.access"); gunicorn's access log stays off.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("READOUT_LOG_LEVEL", "info").lower()
_json_handler = {
    "class": "logging.StreamHandler",
    "formatter": "json",
    "stream": "ext://sys.stderr",
}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {"stderr": _json_handler},
    "root": {"level": loglevel.upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
        # One INFO line per upstream request from the SDK's HTTP client is noise.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
