"""The Redis every process of a deployment shares: the configured one, or one embedded by serve.

Contract (the rate limiter, the result cache and the jobs queue rely on it):

- `READOUT_REDIS_URL` (`Settings.redis_url`) names the Redis. An operator sets it to share one
  Redis between machines (`redis://host:6379/0`, `rediss://…`, `unix:///path/redis.sock`).
- Left unset, the gunicorn master (`readout serve`, or gunicorn with the repo's config) starts
  an `EmbeddedRedis` before forking: Debian's `redis-server` on a unix socket in a private
  directory, persistence off, no TCP port. It exports the socket's `unix://` URL as
  `READOUT_REDIS_URL` and sets `READOUT_REDIS_EMBEDDED=1`, so every worker (and any process the
  master starts) inherits both; the master stops it by PID on exit, SIGTERM included, and the
  kernel stops it should the master die (`PR_SET_PDEATHSIG`).
- With no `redis-server` on the machine, serve logs a warning and runs without shared state:
  `READOUT_REDIS_URL` stays unset, rate limits count per worker.

Nothing here imports the `redis` client at module level: the gunicorn master imports this
module, and workers must be the first to import network libraries (gevent patches them).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger("readout.store")

URL_VARIABLE = "READOUT_REDIS_URL"
EMBEDDED_VARIABLE = "READOUT_REDIS_EMBEDDED"
_PR_SET_PDEATHSIG = 1


def connect(url: str) -> Redis:
    """A client of the Redis at `url` (connects lazily, on the first command)."""
    from redis import Redis

    client: Redis = Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)
    return client


def limits_uri(url: str) -> str:
    """`url` in the form the `limits` library expects (`redis+unix://` for a socket)."""
    return "redis+unix://" + url.removeprefix("unix://") if url.startswith("unix://") else url


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask the kernel to SIGTERM this process when its parent dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class EmbeddedRedis:
    """A private `redis-server` on a unix socket, stopped by the process that started it."""

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or shutil.which("redis-server")
        self.directory: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._owner = os.getpid()

    @property
    def socket_path(self) -> Path:
        """Where the server listens."""
        assert self.directory is not None, "not started"
        return self.directory / "redis.sock"

    @property
    def url(self) -> str:
        """The `unix://` URL clients connect to."""
        return f"unix://{self.socket_path}?db=0"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return self.process.pid if self.process is not None else None

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        """Start the server and wait until it answers PING; `RuntimeError` if it cannot."""
        if self.binary is None:
            raise RuntimeError("redis-server is not installed")
        self._owner = os.getpid()
        self.directory = Path(tempfile.mkdtemp(prefix="readout-redis-"))  # mode 0700
        args = [
            self.binary,
            "--port",
            "0",
            "--unixsocket",
            str(self.socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.directory),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            str(self.directory / "redis.log"),
        ]
        # Its own session: a terminal's Ctrl-C reaches the master, which stops it last.
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # the master has no other threads yet
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self._answers_ping():
                return self
            time.sleep(0.02)
        reason = self._log_tail()
        self.stop()
        raise RuntimeError(f"redis-server did not start: {reason}")

    def _answers_ping(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(1.0)
            try:
                probe.connect(str(self.socket_path))
                probe.sendall(b"PING\r\n")
                return probe.recv(64).startswith(b"+PONG")
            except OSError:
                return False

    def _shutdown_now(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as control:
            control.settimeout(1.0)
            try:
                control.connect(str(self.socket_path))
                control.sendall(b"SHUTDOWN NOSAVE\r\n")
                control.recv(64)  # the server closes the connection as it exits
            except OSError:
                return False
        assert self.process is not None
        try:
            self.process.wait(1.0)
        except subprocess.TimeoutExpired:
            return False
        return True

    def _log_tail(self) -> str:
        assert self.directory is not None
        try:
            lines = (self.directory / "redis.log").read_text("utf-8", "replace").splitlines()
        except OSError:
            return "no log"
        return " | ".join(lines[-3:]) or "no log"

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server (SHUTDOWN NOSAVE, else SIGTERM then SIGKILL by PID); remove its dir."""
        # Only the starter may: a forked worker inherits this object and the atexit hook.
        if os.getpid() != self._owner:
            return
        if self.process is not None:
            # SHUTDOWN NOSAVE exits at once; SIGTERM waits for the server's next tick (~0.1 s).
            if self.process.poll() is None and not self._shutdown_now():
                self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_shared_redis(environ: os._Environ[str] | dict[str, str]) -> EmbeddedRedis | None:
    """Start an embedded Redis unless `environ` names one; export its URL into `environ`."""
    if environ.get(URL_VARIABLE, "").strip():
        return None
    embedded = EmbeddedRedis()
    if embedded.binary is None:
        log.warning(
            "redis-server not found: running without shared state (rate limits count per "
            "worker); install Debian's redis-server or set READOUT_REDIS_URL"
        )
        return None
    try:
        embedded.start()
    except (RuntimeError, OSError) as error:
        log.warning("embedded Redis failed, running without shared state: %s", error)
        return None
    atexit.register(embedded.stop)  # should the master exit without gunicorn's on_exit
    environ[URL_VARIABLE] = embedded.url
    environ[EMBEDDED_VARIABLE] = "1"
    log.info("embedded Redis started", extra={"pid": embedded.pid, "socket": embedded.url})
    return embedded
