"""Optional API keys (Bearer, compared in constant time) and per-client rate limits."""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, g, request
from flask_limiter import Limiter

from service.config import Settings
from service.errors import Unauthorized
from service.http import viewer
from service.store.redis import limits_uri

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


class KeyCheck:
    """A before-request hook admitting requests that carry one of the keys."""

    def __init__(self, keys: tuple[bytes, ...]) -> None:
        self._keys = keys

    def __call__(self) -> None:
        if not self._keys or request.path in OPEN_PATHS:
            return
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        token = presented.strip().encode("utf-8", "surrogateescape")
        matched = False
        for key in self._keys:  # no early exit: the time taken does not depend on which matched
            matched |= hmac.compare_digest(token, key)
        if scheme.lower() != "bearer" or not matched:
            raise Unauthorized("Send a valid API key as 'Authorization: Bearer <key>'.")
        g.client_id = "key:" + _fingerprint(token)


def client_identity() -> str:
    """Who a rate limit counts against: the API key's fingerprint, else the client address."""
    identity: str = g.get("client_id") or f"addr:{request.remote_addr or 'unknown'}"
    return identity


def install(app: Flask, settings: Settings) -> Limiter:
    """Register the key check, then the rate limiter (so rejected keys are not counted)."""
    app.before_request(KeyCheck(load_keys(settings)))
    return Limiter(
        key_func=client_identity,
        app=app,
        default_limits=[settings.rate_limit] if settings.rate_limit else [],
        default_limits_exempt_when=lambda: request.path in UNLIMITED_PATHS,
        # One count per key across every worker and machine sharing the Redis.
        storage_uri=limits_uri(settings.redis_url) if settings.redis_url else "memory://",
        # Should Redis go away, count per worker rather than fail every request.
        in_memory_fallback_enabled=True,
        headers_enabled=True,
        key_prefix="readout",
    )
