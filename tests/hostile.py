"""Hostile clients and upstreams against the service under gunicorn, with a probe that keeps
asking for `/healthz` and a normal summary and records how long each answer took.

Shared by tests/test_hostile_traffic.py and scripts/bench_hostile.py.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

NORMAL = (Path(__file__).parent / "fixtures" / "articles" / "fjord-patrols.txt").read_text("utf-8")
# The shape that made spaCy's tokenizer quadratic: 100,000 characters without a space.
PARENTHESES = "(" * 100_000
# Prose at the maximum size: the rules engine's longest ordinary job.
LONG_PROSE = (
    (Path(__file__).parent / "fixtures" / "articles" / "bench-700.txt").read_text("utf-8") * 30
)[:100_000]


@dataclass
class Probe:
    """Latencies of `/healthz` and of a normal summary, sampled while something else runs."""

    url: str
    engine: str = "rules"
    healthz: list[float] = field(default_factory=list)
    summaries: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Ask for `/healthz` and a summary in turn until stopped (a timeout counts as 10 s)."""
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                self._time(client, "GET", "/healthz", None, self.healthz)
                body = {"text": NORMAL, "published_at": "2026-03-16", "engine": self.engine}
                self._time(client, "POST", "/v1/summaries", body, self.summaries)
                self._stop.wait(0.1)

    def _time(
        self,
        client: httpx.Client,
        method: str,
        path: str,
        body: dict[str, str] | None,
        into: list[float],
    ) -> None:
        started = time.monotonic()
        try:
            response = client.request(method, f"{self.url}{path}", json=body)
            if response.status_code != 200:
                self.failures.append(f"{path}: {response.status_code}")
        except httpx.HTTPError as error:
            self.failures.append(f"{path}: {type(error).__name__}")
            into.append(10.0)
            return
        into.append(time.monotonic() - started)

    @contextmanager
    def running(self) -> Iterator[Probe]:
        """Probe in a background thread for the duration of the block."""
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join(15)

    def worst(self) -> float:
        """The slowest answer of either kind, in seconds."""
        return max([*self.healthz, *self.summaries], default=0.0)

    def within(self, second: float = 1.0) -> bool:
        """Every `/healthz` within `second`, summaries typically within it and never past 3x it:
        a normal summary is real CPU work, and the machine running the tests is shared."""
        summaries = sorted(self.summaries) or [0.0]
        return (
            max(self.healthz, default=0.0) < second
            and summaries[len(summaries) // 2] < second
            and summaries[-1] < 3 * second
        )

    def summary(self) -> str:
        """One line for a report."""
        return (
            f"{len(self.healthz)} /healthz (max {max(self.healthz, default=0) * 1000:.0f} ms), "
            f"{len(self.summaries)} summaries (max {max(self.summaries, default=0) * 1000:.0f} ms)"
        )


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def slow_bodies(url: str, count: int, announced: int = 1_000_000) -> list[socket.socket]:
    """`count` connections that announce a body of `announced` bytes and send one byte."""
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(count):
        conn = socket.create_connection((host, int(port)), timeout=30)
        conn.sendall(
            b"POST /v1/summaries HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {announced}\r\n\r\n{{".encode()
        )
        sockets.append(conn)
    return sockets


def trickle(sockets: list[socket.socket], seconds: float, every: float = 0.5) -> None:
    """Send one more byte on each connection every `every` seconds, for `seconds`."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        for conn in sockets:
            with contextlib.suppress(OSError):
                conn.sendall(b" ")
        time.sleep(every)


def answers(sockets: list[socket.socket], wait: float) -> list[bytes]:
    """What each connection got back (its status line), waiting up to `wait` seconds for each."""
    got = []
    for conn in sockets:
        conn.settimeout(wait)
        try:
            got.append(conn.recv(64).split(b"\r\n", 1)[0])
        except OSError:
            got.append(b"")
    return got
