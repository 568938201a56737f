"""httpcore's connection pool (1.0.9, pinned), made cheap per request when many are in flight.

Before and after every request the pool walks all its connections: it drops closed and expired
ones (asking each idle socket, with a zero-timeout `select.poll`, whether the server closed it)
and evicts surplus keep-alive connections. Two parts of that walk grow with the number of
requests in flight, which for us is tens to hundreds per worker, each waiting seconds on the
model; at 64 concurrent requests they were about a sixth of a worker's CPU per request:

- the surplus check builds, for every idle connection, a list over all connections only to take
  its length (which is always `len(self._connections)`): quadratic in the pool's size. The pass
  below takes the length directly and otherwise follows httpcore's, so the pool decides exactly
  as before (tests compare the two on random pools; the upstream fix, encode/httpcore#1035, is
  not released);
- under gevent the readability poll is gevent's patched `poll`, which starts and stops event
  loop watchers on every call; a zero-timeout poll never blocks, so the native one is safe in a
  gevent worker and answers the same question.
"""

from __future__ import annotations

import select
from types import SimpleNamespace

import httpcore
import httpx
from httpcore._sync.interfaces import ConnectionInterface


class LinearPool(httpcore.ConnectionPool):
    """httpcore's pool with its per-request bookkeeping linear in the number of connections."""

    def _assign_requests_to_connections(self) -> list[ConnectionInterface]:
        closing_connections = []
        for connection in list(self._connections):
            if connection.is_closed():
                self._connections.remove(connection)
            elif connection.has_expired() or (
                connection.is_idle() and len(self._connections) > self._max_keepalive_connections
            ):
                self._connections.remove(connection)
                closing_connections.append(connection)

        queued_requests = [request for request in self._requests if request.is_queued()]
        for pool_request in queued_requests:
            origin = pool_request.request.url.origin
            available_connections = [
                connection
                for connection in self._connections
                if connection.can_handle_request(origin) and connection.is_available()
            ]
            if available_connections:
                pool_request.assign_to_connection(available_connections[0])
            elif len(self._connections) < self._max_connections:
                connection = self.create_connection(origin)
                self._connections.append(connection)
                pool_request.assign_to_connection(connection)
            elif idle := next((c for c in self._connections if c.is_idle()), None):
                self._connections.remove(idle)
                closing_connections.append(idle)
                connection = self.create_connection(origin)
                self._connections.append(connection)
                pool_request.assign_to_connection(connection)
        return closing_connections


def cheap_pool_bookkeeping(transport: httpx.HTTPTransport) -> None:
    """Give `transport` the linear pool and, under gevent, the native readability poll."""
    pool = transport._pool
    if type(pool) is httpcore.ConnectionPool:
        pool.__class__ = LinearPool
    _native_readability_poll()


def _native_readability_poll() -> bool:
    """Point httpcore's readability check at the native `select` module's functions when gevent
    has patched `select` (idempotent); returns whether it did."""
    import gevent.monkey
    import httpcore._utils

    if not gevent.monkey.is_module_patched("select"):
        return False
    httpcore._utils.select = SimpleNamespace(  # type: ignore[assignment,attr-defined]
        poll=gevent.monkey.get_original("select", "poll"),
        select=gevent.monkey.get_original("select", "select"),
        POLLIN=select.POLLIN,
    )
    return True
