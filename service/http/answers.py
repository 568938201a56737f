"""Every article paid for once: the result cache and `Idempotency-Key` around the summariser."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request

from schemas.contract import SummaryRequest, SummaryResponse
from service import metrics
from service.config import Settings
from service.errors import IdempotencyKeyInUse, InvalidRequest
from service.pipeline.identity import code_version, identity
from service.pipeline.summariser import Summariser
from service.store.cache import CacheResult, ResultCache, as_cached, cache_key, cacheable
from service.store.idempotency import Claim, Idempotency, IdempotencyRecord
from service.store.kv import open_store

_MAX_KEY_CHARS = 255


@dataclass(slots=True)
class Once:
    """The cache, the idempotency records and what identifies this app's answers."""

    cache: ResultCache
    idempotency: Idempotency
    code_version: str


def install(app: Flask, settings: Settings) -> None:
    """Open the store and keep the cache and idempotency records in `app.extensions`."""
    store = open_store(settings)
    app.extensions["readout.once"] = Once(
        cache=ResultCache(store, settings.cache_ttl_s, enabled=settings.cache),
        idempotency=Idempotency(store, settings.idempotency_ttl_s, settings.timeout_s * 2 + 30),
        code_version=code_version(),
    )


def _idempotency_key() -> str | None:
    raw = request.headers.get("Idempotency-Key")
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':  # the draft's sf-string form
        key = key[1:-1]
    if not key or len(key) > _MAX_KEY_CHARS or not key.isascii() or not key.isprintable():
        raise InvalidRequest(
            400,
            "invalid-idempotency-key",
            "Invalid Idempotency-Key",
            f"Idempotency-Key must be 1 to {_MAX_KEY_CHARS} printable ASCII characters.",
        )
    return key


def answer_once(
    parsed: SummaryRequest,
    settings: Settings,
    summariser: Summariser,
    summarise: Callable[[], SummaryResponse],
) -> Response:
    """The answer to `parsed`: replayed, cached, or from `summarise` (then kept)."""
    once: Once = current_app.extensions["readout.once"]
    key = _idempotency_key()
    if key is None:
        return _json(_cached_or_fresh(once, parsed, settings, summariser, summarise))
    scope = g.get("client_id") or "anonymous"
    record = once.idempotency.record(scope, key, parsed.model_dump(mode="json"))
    outcome = once.idempotency.begin(record)
    if outcome.claim is Claim.mismatch:
        raise InvalidRequest(
            422,
            "idempotency-key-reused",
            "Idempotency-Key reused",
            "This Idempotency-Key was sent before with a different body; use a new key.",
        )
    if outcome.claim is Claim.in_flight:
        raise IdempotencyKeyInUse()
    if outcome.claim is Claim.replay:
        replayed = Response(outcome.body, status=outcome.status, mimetype=outcome.content_type)
        replayed.headers["Idempotent-Replayed"] = "true"
        return replayed
    return _claimed(once, record, parsed, settings, summariser, summarise)


def _claimed(
    once: Once,
    record: IdempotencyRecord,
    parsed: SummaryRequest,
    settings: Settings,
    summariser: Summariser,
    summarise: Callable[[], SummaryResponse],
) -> Response:
    try:
        response = _json(_cached_or_fresh(once, parsed, settings, summariser, summarise))
    except BaseException:
        once.idempotency.abandon(record)  # errors are not kept: a retry runs again
        raise
    once.idempotency.finish(
        record, response.status_code, response.get_data(), response.mimetype or ""
    )
    return response


def _cached_or_fresh(
    once: Once,
    parsed: SummaryRequest,
    settings: Settings,
    summariser: Summariser,
    summarise: Callable[[], SummaryResponse],
) -> SummaryResponse:
    started = time.perf_counter()
    engine = parsed.engine.value if parsed.engine else summariser.default_engine
    key = cache_key(parsed, identity(settings, summariser, engine, once.code_version))
    directives = request.cache_control
    lookup = once.cache.lookup(key, bypass=bool(directives.no_cache))
    if lookup.answer is not None:
        metrics.CACHE_LOOKUPS.labels("hit").inc()
        latency_ms = round((time.perf_counter() - started) * 1000)
        g.log_fields = {
            "cache": "hit",
            "latency_ms": latency_ms,
            "text_chars": len(parsed.text or ""),
        }
        return as_cached(lookup.answer, parsed.id or uuid.uuid4().hex, latency_ms)
    if lookup.result in {CacheResult.miss, CacheResult.error}:
        metrics.CACHE_LOOKUPS.labels("miss").inc()
    answer = summarise()
    g.log_fields = {**g.get("log_fields", {}), "cache": lookup.result.value}
    if (
        lookup.result is not CacheResult.off
        and not directives.no_store
        and cacheable(answer, engine)
    ):
        once.cache.store_answer(key, answer)
    return answer


def _json(answer: SummaryResponse) -> Response:
    # `text` only answers a request that sent html; it is never null.
    body = answer.model_dump_json(exclude={"text"} if answer.text is None else None)
    return Response(body, mimetype="application/json")
