"""Where the result cache and idempotency records live: a shared Redis, or a disk store every
worker of the machine opens (diskcache, SQLite), behind one small interface."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from service.config import Settings
from service.store.redis import connect

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger("readout.store")


class StoreError(Exception):
    """The store did not answer; callers carry on without it."""


class KeyValue(Protocol):
    """Bytes under string keys, each with a time to live."""

    backend: str

    def get(self, key: str) -> bytes | None:
        """The value, or None."""
        ...

    def set(self, key: str, value: bytes, ttl_s: float) -> None:
        """Store `value`, replacing any."""
        ...

    def add(self, key: str, value: bytes, ttl_s: float) -> bool:
        """Store `value` only if `key` holds nothing; whether it did (atomic)."""
        ...

    def delete(self, key: str) -> None:
        """Forget `key`."""
        ...


class RedisKeyValue:
    """Keys in a Redis every machine shares, under a prefix."""

    backend = "redis"

    def __init__(self, client: Redis, prefix: str = "readout:") -> None:
        self._redis = client
        self._prefix = prefix

    def get(self, key: str) -> bytes | None:
        try:
            value = self._redis.get(self._prefix + key)
        except Exception as error:
            raise StoreError(str(error)) from error
        return value.encode() if isinstance(value, str) else value

    def set(self, key: str, value: bytes, ttl_s: float) -> None:
        try:
            self._redis.set(self._prefix + key, value, px=max(1, int(ttl_s * 1000)))
        except Exception as error:
            raise StoreError(str(error)) from error

    def add(self, key: str, value: bytes, ttl_s: float) -> bool:
        try:
            done = self._redis.set(self._prefix + key, value, px=max(1, int(ttl_s * 1000)), nx=True)
        except Exception as error:
            raise StoreError(str(error)) from error
        return bool(done)

    def delete(self, key: str) -> None:
        try:
            self._redis.delete(self._prefix + key)
        except Exception as error:
            raise StoreError(str(error)) from error


class DiskKeyValue:
    """A diskcache store in a private directory, shared by every process that opens it."""

    backend = "disk"

    def __init__(self, directory: Path, size_limit_bytes: int) -> None:
        from diskcache import Cache

        # A short SQLite timeout: a worker's event loop waits on it, so a busy store is a miss.
        self._cache = Cache(
            str(directory),
            timeout=1,
            size_limit=size_limit_bytes,
            eviction_policy="least-recently-stored",
        )

    def get(self, key: str) -> bytes | None:
        try:
            value = self._cache.get(key)
        except Exception as error:
            raise StoreError(str(error)) from error
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl_s: float) -> None:
        try:
            self._cache.set(key, value, expire=ttl_s)
        except Exception as error:
            raise StoreError(str(error)) from error

    def add(self, key: str, value: bytes, ttl_s: float) -> bool:
        try:
            return bool(self._cache.add(key, value, expire=ttl_s))
        except Exception as error:
            raise StoreError(str(error)) from error

    def delete(self, key: str) -> None:
        try:
            self._cache.delete(key)
        except Exception as error:
            raise StoreError(str(error)) from error

    def close(self) -> None:
        """Close the SQLite connections."""
        self._cache.close()


def _private_directory(path: Path) -> bool:
    """Create `path` (mode 0700) and check it is this user's alone: the store trusts its files."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        found = path.stat()
    except OSError:
        return False
    return found.st_uid == os.getuid() and not found.st_mode & 0o077


def disk_directory(settings: Settings) -> Path | None:
    """READOUT_CACHE_DIR, else the user's cache directory, else one under the temp directory."""
    if settings.cache_dir is not None:
        candidates = [settings.cache_dir]
    else:
        home_cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        candidates = [
            Path(home_cache) / "readout",
            Path(tempfile.gettempdir()) / f"readout-{os.getuid()}",
        ]
    for candidate in candidates:
        if _private_directory(candidate):
            return candidate
    log.warning(
        "no private directory for the result cache and idempotency records (tried %s); "
        "both are off: set READOUT_CACHE_DIR",
        ", ".join(map(str, candidates)),
    )
    return None


def open_store(settings: Settings) -> KeyValue | None:
    """The configured Redis when an operator set one; else the machine's disk store."""
    if settings.redis_url and not settings.redis_embedded:
        return RedisKeyValue(connect(settings.redis_url))
    directory = disk_directory(settings)
    if directory is None:
        return None
    return DiskKeyValue(directory, settings.cache_max_mb * 1024 * 1024)
