"""Container HEALTHCHECK of `readout worker`: exit 0 while its RQ workers are registered.

The worker (PID 1 of its container) registers its greenlets in Redis as RQ workers named
`<hostname>.<pid>.<random>.<slot>`, each key kept alive by heartbeats; a hung or disconnected
worker's keys expire within 30 s. (On the host network every container has the host's name, so
there this only says that some worker of the host is alive.)
"""

from __future__ import annotations

import os
import socket
import sys

from redis import Redis


def main() -> int:
    """Probe once; print the failure for `docker inspect` to show."""
    url = os.environ.get("READOUT_REDIS_URL", "").strip()
    if not url:
        print("healthcheck: READOUT_REDIS_URL is not set", file=sys.stderr)
        return 1
    name = f"rq:worker:{socket.gethostname()}.1.*"
    try:
        client = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        alive = next(client.scan_iter(match=name, count=1000), None) is not None
        client.close()
    except Exception as exc:
        print(f"healthcheck: {exc}", file=sys.stderr)
        return 1
    if not alive:
        print(f"healthcheck: {name} is not registered", file=sys.stderr)
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
