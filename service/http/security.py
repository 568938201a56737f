"""Optional API keys (Bearer, constant time), per-client rate limits, failed-auth limits."""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from collections.abc import Callable

from flask import Flask, g, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse
from limits.strategies import RateLimiter
from werkzeug.exceptions import TooManyRequests

from service.config import Settings
from service.errors import Unauthorized
from service.http import viewer
from service.http.forwarding import TrustedForwarding, parse_networks
from service.store.redis import limits_uri

log = logging.getLogger("readout.security")

# Health checks, and the viewer's static page (it holds no data; it sends the key it is given).
OPEN_PATHS = frozenset({"/healthz", "/readyz"}) | viewer.PATHS
# Needs a key when keys are configured, but a scraper polling it is not rate limited.
UNLIMITED_PATHS = OPEN_PATHS | {"/metrics"}


def load_keys(settings: Settings) -> tuple[bytes, ...]:
    """Every accepted key: READOUT_API_KEYS plus one per line of READOUT_API_KEYS_FILE."""
    keys = [key.get_secret_value() for key in settings.api_keys]
    if settings.api_keys_file is not None:
        lines = settings.api_keys_file.read_text(encoding="utf-8").splitlines()
        keys += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return tuple(key.encode("utf-8") for key in keys)


def _fingerprint(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:16]


class FailedAuthLimit:
    """Counts failed authentications per client address; refuses the address once over."""

    def __init__(self, limit: RateLimitItem, strategy: Callable[[], RateLimiter]) -> None:
        self.limit = limit
        self._strategy = strategy  # the limiter's, so it follows its in-memory fallback

    def check(self, address: str) -> None:
        """429 when `address` has failed too often within the window."""
        try:
            if self._strategy().test(self.limit, "auth-failures", address):
                return
            reset_at = self._strategy().get_window_stats(self.limit, "auth-failures", address)[0]
        except Exception:  # the storage is down: the limiter's own fallback logs it
            log.warning("failed-authentication limit not checked: storage unavailable")
            return
        raise TooManyRequests(
            "Too many failed authentications from this address; wait and send a valid key.",
            retry_after=max(1, math.ceil(reset_at - time.time())),
        )

    def failed(self, address: str) -> None:
        """Count one failed authentication."""
        try:
            self._strategy().hit(self.limit, "auth-failures", address)
        except Exception:
            log.warning("failed authentication not counted: storage unavailable")


class KeyCheck:
    """A before-request hook admitting requests that carry one of the keys."""

    def __init__(self, keys: tuple[bytes, ...], failures: FailedAuthLimit | None = None) -> None:
        self._keys = keys
        self.failures = failures

    def __call__(self) -> None:
        if not self._keys or request.path in OPEN_PATHS:
            return
        address = request.remote_addr or "unknown"
        if self.failures is not None:
            # Before the key is compared: a guesser over the limit learns nothing more.
            self.failures.check(address)
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        token = presented.strip().encode("utf-8", "surrogateescape")
        matched = False
        for key in self._keys:  # no early exit: the time taken does not depend on which matched
            matched |= hmac.compare_digest(token, key)
        if scheme.lower() != "bearer" or not matched:
            if self.failures is not None:
                self.failures.failed(address)
            raise Unauthorized("Send a valid API key as 'Authorization: Bearer <key>'.")
        g.client_id = "key:" + _fingerprint(token)


def client_identity() -> str:
    """Who a rate limit counts against: the API key's fingerprint, else the client address."""
    identity: str = g.get("client_id") or f"addr:{request.remote_addr or 'unknown'}"
    return identity


def install(app: Flask, settings: Settings) -> Limiter:
    """Install forwarding, the key check, then the limiter (rejected keys are not counted)."""
    app.wsgi_app = TrustedForwarding(  # type: ignore[method-assign]
        app.wsgi_app, parse_networks(settings.forwarded_allow_ips)
    )
    check = KeyCheck(load_keys(settings))
    app.before_request(check)
    limiter = Limiter(
        key_func=client_identity,
        app=app,
        default_limits=[settings.rate_limit] if settings.rate_limit else [],
        default_limits_exempt_when=lambda: request.path in UNLIMITED_PATHS,
        # One count per key across every worker and machine sharing the Redis.
        storage_uri=limits_uri(settings.redis_url) if settings.redis_url else "memory://",
        # "20/minute" holds over any 60 s, not per calendar minute (a fixed window lets 40
        # through across a minute's edge).
        strategy="moving-window",
        # Should Redis go away, count per worker rather than fail every request.
        in_memory_fallback_enabled=True,
        headers_enabled=True,
        key_prefix="readout",
    )
    if settings.auth_failure_limit:
        check.failures = FailedAuthLimit(
            parse(settings.auth_failure_limit), lambda: limiter.limiter
        )
    return limiter
