"""The real service under gunicorn and `gunicorn.conf.py`, as a subprocess on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveService:
    """`gunicorn -c gunicorn.conf.py 'service:create_app()'` with the given environment."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        *,
        workers: int | None = 1,
        config: str = "gunicorn.conf.py",
        argv: list[str] | None = None,
    ) -> None:
        """`workers=None` keeps the config file's default; `argv` replaces the command."""
        self.port = free_port()
        self.config = config
        self.argv = argv or [str(GUNICORN), "-c", config, "service:create_app()"]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        inherited = ("OPENAI_", "READOUT_", "WEB_CONCURRENCY")
        self._env = {k: v for k, v in os.environ.items() if not k.startswith(inherited)}
        self._env["READOUT_BIND"] = f"127.0.0.1:{self.port}"
        if workers is not None:
            self._env["WEB_CONCURRENCY"] = str(workers)
        # Tests send one article many times: the result cache only when a test asks for it.
        self._env["READOUT_CACHE"] = "off"
        self._env["READOUT_CACHE_DIR"] = str(log.parent / f"store-{self.port}")
        self._env.update(env)
        self._log_file: IO[Any] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> LiveService:
        """Start gunicorn and wait until every worker can answer `/healthz`."""
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self._env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"gunicorn exited early:\n{self.log.read_text()}")
                try:
                    if client.get(f"{self.url}/healthz").status_code == 200:
                        return self
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer in {timeout} s:\n{self.log.read_text()}")

    def children(self) -> dict[int, str]:
        """The master's child processes: PID to command name."""
        assert self.process is not None
        listed = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        found: dict[int, str] = {}
        for pid in map(int, listed.split()):
            try:
                found[pid] = Path(f"/proc/{pid}/comm").read_text().strip()
            except OSError:
                continue  # exited meanwhile
        return found

    def worker_pids(self) -> list[int]:
        """The PIDs of the master's worker processes (not the embedded Redis or job worker)."""
        jobs = set(self.job_worker_pids())
        return [
            pid
            for pid, name in self.children().items()
            if name != "redis-server" and pid not in jobs
        ]

    def job_worker_pids(self) -> list[int]:
        """The PIDs of the job workers (`readout worker`) the master started, if any."""
        found = []
        for pid in self.children():
            try:
                argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"service.cli" in argv and b"worker" in argv:
                found.append(pid)
        return found

    def redis_pids(self) -> list[int]:
        """The PIDs of the embedded `redis-server` the master started, if any."""
        return [pid for pid, name in self.children().items() if name == "redis-server"]

    def terminate(self) -> None:
        """Send SIGTERM to the master (graceful shutdown)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 30.0) -> int | None:
        """Shut gunicorn down gracefully (kill it if it hangs); its exit code."""
        code = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                code = self.process.wait()
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return code

    def __enter__(self) -> LiveService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
