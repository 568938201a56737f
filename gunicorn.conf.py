"""Gunicorn settings for Readout: `gunicorn -c gunicorn.conf.py 'service:create_app()'`.

Gevent workers hold many slow upstream calls each; everything tunable comes from the
environment. The file imports only the stdlib: the master reads it before gevent patches
anything, and the app is built in each worker (`preload_app` off).
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
        # As in service/logs.py: these libraries' INFO/DEBUG lines can carry prompts, model
        # output or upstream error text.
        "instructor": {"level": "CRITICAL"},
        "openai": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
