"""Container HEALTHCHECK: exit 0 when GET /healthz on gunicorn's bind address answers 200."""

from __future__ import annotations

import os
import sys
import urllib.request


def healthz_url() -> str:
    """The /healthz URL for READOUT_BIND (host:port) or PORT, as gunicorn.conf.py binds."""
    bind = os.environ.get("READOUT_BIND", "").strip()
    if bind.startswith("unix:"):
        raise SystemExit("healthcheck: READOUT_BIND is a unix socket; not supported")
    host, port = "127.0.0.1", os.environ.get("PORT", "").strip() or "8000"
    if bind:
        bound_host, _, port = bind.rpartition(":")
        bound_host = bound_host.strip("[]")
        if bound_host not in {"", "0.0.0.0", "::"}:
            host = bound_host
        elif bound_host == "::":
            host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    """Probe once; print the failure for `docker inspect` to show."""
    try:
        with urllib.request.urlopen(healthz_url(), timeout=4) as response:
            return 0 if response.status == 200 else 1
    except Exception as exc:
        print(f"healthcheck: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
