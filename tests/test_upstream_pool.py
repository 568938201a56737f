"""The upstream connection pool's per-request bookkeeping: linear, and httpcore's decisions."""

from __future__ import annotations

import random
import select
import socket
import subprocess
import sys

import httpcore
import httpcore._utils
import pytest
from httpcore._sync.connection_pool import PoolRequest

from service.engines.llm.pool import LinearPool
from service.engines.llm.transport import bounded_http_client

ORIGIN = httpcore.URL("http://127.0.0.1:9/v1").origin


class _Connection:
    """A pooled connection's state, as the pool's pass reads it."""

    def __init__(self, state: str, calls: list[str]) -> None:
        self.state = state
        self._calls = calls

    def is_closed(self) -> bool:
        return self.state == "closed"

    def has_expired(self) -> bool:
        return self.state == "expired"

    def is_idle(self) -> bool:
        self._calls.append("is_idle")
        return self.state in ("idle", "expired")

    def is_available(self) -> bool:
        return self.state == "idle"

    def can_handle_request(self, origin: httpcore.Origin) -> bool:
        return origin == ORIGIN


def _pool(
    kind: type[httpcore.ConnectionPool], states: list[str], keepalive: int, queued: int
) -> tuple[httpcore.ConnectionPool, list[str]]:
    calls: list[str] = []
    pool = kind(max_connections=len(states) + 1, max_keepalive_connections=keepalive)
    pool._connections = [_Connection(s, calls) for s in states]  # type: ignore[misc]
    requests = [
        PoolRequest(httpcore.Request("POST", "http://127.0.0.1:9/v1")) for _ in range(queued)
    ]
    pool._requests = requests
    pool.create_connection = lambda origin: _Connection("new", calls)  # type: ignore[method-assign,assignment,return-value]
    return pool, calls


def test_the_transport_under_the_sdk_client_uses_the_linear_pool() -> None:
    client = bounded_http_client(max_bytes=1_000, timeout=1.0)
    try:
        assert type(client._transport._inner._pool) is LinearPool  # type: ignore[attr-defined]
    finally:
        client.close()


def test_the_pass_is_linear_in_the_number_of_connections() -> None:
    pool, calls = _pool(LinearPool, ["idle"] * 400, keepalive=1_000, queued=1)
    pool._assign_requests_to_connections()
    assert len(calls) <= 2 * 400  # httpcore's own pass asks 400 x 401 times


@pytest.mark.parametrize("seed", range(40))
def test_the_pass_decides_exactly_as_httpcore_does(seed: int) -> None:
    rng = random.Random(seed)
    states = [
        rng.choice(["idle", "active", "closed", "expired"]) for _ in range(rng.randint(0, 30))
    ]
    keepalive, queued = rng.randint(0, 20), rng.randint(0, 4)
    theirs, _ = _pool(httpcore.ConnectionPool, states, keepalive, queued)
    ours, _ = _pool(LinearPool, states, keepalive, queued)
    closing_theirs = theirs._assign_requests_to_connections()
    closing_ours = ours._assign_requests_to_connections()

    assert [c.state for c in closing_ours] == [c.state for c in closing_theirs]  # type: ignore[attr-defined]
    assert [c.state for c in ours._connections] == [c.state for c in theirs._connections]  # type: ignore[attr-defined]
    assert [
        ours._connections.index(r.connection) if r.connection in ours._connections else None
        for r in ours._requests
    ] == [
        theirs._connections.index(r.connection) if r.connection in theirs._connections else None
        for r in theirs._requests
    ]


_GEVENT_CHECK = """
import gevent.monkey
gevent.monkey.patch_all()
import socket
import httpcore._utils
from service.engines.llm.transport import bounded_http_client
bounded_http_client(max_bytes=1_000, timeout=1.0).close()
assert httpcore._utils.select.poll is gevent.monkey.get_original("select", "poll")
a, b = socket.socketpair()
assert not httpcore._utils.is_socket_readable(a)
b.sendall(b"x")
assert httpcore._utils.is_socket_readable(a)
b.close()
print("ok")
"""


def test_under_gevent_the_readability_check_is_the_native_poll_and_still_right() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _GEVENT_CHECK], capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_without_gevent_httpcore_keeps_its_own_select() -> None:
    bounded_http_client(max_bytes=1_000, timeout=1.0).close()
    assert httpcore._utils.select is select  # type: ignore[attr-defined]
    a, b = socket.socketpair()
    try:
        assert not httpcore._utils.is_socket_readable(a)
    finally:
        a.close()
        b.close()
