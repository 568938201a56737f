"""The result cache: an answer stored under a hash of everything that determines it.

The key covers the whole validated request except its `id` (so a field added to the request
changes the key by itself) and an identity of the answering side that the HTTP layer builds:
engine, model, instructor mode, prompt version, schema version and a fingerprint of the code
that checks and grounds answers. Only complete answers are stored: never an error, never an
answer from the fallback engine, never one with items set aside.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from schemas.contract import SummaryRequest, SummaryResponse, Usage
from service.store.kv import KeyValue, StoreError

log = logging.getLogger("readout.store")


class CacheResult(StrEnum):
    """What a lookup found (the metrics count hit and miss)."""

    hit = "hit"
    miss = "miss"
    bypass = "bypass"  # Cache-Control: no-cache
    off = "off"  # READOUT_CACHE=off, or no store
    error = "error"  # the store did not answer: treated as a miss


@dataclass(frozen=True, slots=True)
class Lookup:
    """The outcome of a lookup and, on a hit, the stored answer."""

    result: CacheResult
    key: str
    answer: SummaryResponse | None = None


def digest(value: object) -> str:
    """SHA-256 of `value` as canonical JSON."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def cache_key(request: SummaryRequest, identity: Mapping[str, str]) -> str:
    """The key of `request`'s answer: every request field but `id`, and the answering side."""
    fields = request.model_dump(mode="json", exclude={"id"})
    return "result:" + digest({"request": fields, "identity": dict(identity)})


def cacheable(answer: SummaryResponse, requested_engine: str) -> bool:
    """Whether `answer` is complete: the engine asked for answered, nothing set aside."""
    return answer.meta.engine.value == requested_engine and not answer.meta.rejected


class ResultCache:
    """Looks answers up and stores them in a `KeyValue` store."""

    def __init__(self, store: KeyValue | None, ttl_s: float, *, enabled: bool = True) -> None:
        self.store = store if enabled else None
        self.ttl_s = ttl_s

    def lookup(self, key: str, *, bypass: bool = False) -> Lookup:
        """The stored answer under `key`, if any (none looked for when `bypass`)."""
        if self.store is None:
            return Lookup(CacheResult.off, key)
        if bypass:
            return Lookup(CacheResult.bypass, key)
        try:
            raw = self.store.get(key)
        except StoreError as error:
            log.warning("result cache lookup failed: %s", error)
            return Lookup(CacheResult.error, key)
        if raw is None:
            return Lookup(CacheResult.miss, key)
        try:
            answer = SummaryResponse.model_validate_json(raw)
        except ValueError:
            log.warning("result cache entry unreadable; answering afresh")
            return Lookup(CacheResult.miss, key)
        return Lookup(CacheResult.hit, key, answer)

    def store_answer(self, key: str, answer: SummaryResponse) -> None:
        """Store `answer` under `key` (a failure to store is logged, never raised)."""
        if self.store is None:
            return
        try:
            self.store.set(key, answer.model_dump_json().encode("utf-8"), self.ttl_s)
        except StoreError as error:
            log.warning("result cache store failed: %s", error)


def as_cached(answer: SummaryResponse, request_id: str, latency_ms: int) -> SummaryResponse:
    """A stored answer for a new request: its own id and latency, no tokens spent."""
    meta = answer.meta.model_copy(
        update={
            "cached": True,
            "latency_ms": latency_ms,
            "attempts": 0,
            "repairs": 0,
            "usage": Usage(),
        }
    )
    return answer.model_copy(update={"id": request_id, "meta": meta})
