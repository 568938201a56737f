"""Requests and answers counted into `service.metrics`, and `GET /metrics` to scrape them."""

from __future__ import annotations

import os
import time

from flask import Flask, Response, g, request
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector

from schemas.contract import Meta, Usage
from service import metrics
from service.errors import UpstreamError

METRICS_PATH = "/metrics"


def install(app: Flask) -> None:
    """Time every request, count requests in flight, and serve the metrics."""
    app.before_request(_start)
    app.after_request(_observe)
    app.teardown_request(_finish)
    app.add_url_rule(METRICS_PATH, endpoint="metrics", view_func=scrape, methods=["GET"])


def _start() -> None:
    g.metrics_started = time.perf_counter()
    metrics.ACTIVE_REQUESTS.labels(request.method).inc()


def _observe(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None:
        # The route template, never the raw path, so a scanner's paths add no label values.
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.REQUEST_DURATION.labels(request.method, route, str(response.status_code)).observe(
            time.perf_counter() - started
        )
    return response


def _finish(_error: BaseException | None) -> None:
    if g.pop("metrics_started", None) is not None:
        metrics.ACTIVE_REQUESTS.labels(request.method).dec()


def scrape() -> Response:
    """Every worker's metrics in the Prometheus text format (OpenMetrics when asked for)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encode(registry), headers={"Content-Type": content_type})


def count_answer(meta: Meta, requested: str) -> None:
    """Count what one answer's `meta` says: engine, attempts, repairs, tokens, set-asides."""
    engine = meta.engine.value
    metrics.SUMMARIES.labels(engine, "ok").inc()
    attempts = meta.attempts
    if engine != requested:
        # The rules engine answered for a failed engine: its attempts were that engine's, +1.
        metrics.FALLBACKS.labels(requested).inc()
        _count_attempts(requested, attempts - 1)
        attempts = 1
    _count_attempts(engine, attempts)
    if meta.repairs:
        metrics.MODEL_REPAIRS.labels(engine).inc(meta.repairs)
    for item in meta.rejected:
        metrics.ITEMS_SET_ASIDE.labels(item.kind).inc()
    _count_tokens(meta.usage, meta.model)


def count_failure(error: UpstreamError, requested: str, model: str) -> None:
    """Count a request whose engine failed and nothing answered for it."""
    metrics.SUMMARIES.labels(requested, error.slug).inc()
    _count_attempts(requested, error.attempts)
    _count_tokens(error.usage, model)


def _count_attempts(engine: str, attempts: int) -> None:
    if attempts > 0:
        metrics.MODEL_ATTEMPTS.labels(engine).inc(attempts)


def _count_tokens(usage: Usage, model: str) -> None:
    if usage.total_tokens <= 0:
        return
    metrics.TOKEN_USAGE.labels("input", model).observe(usage.prompt_tokens)
    metrics.TOKEN_USAGE.labels("output", model).observe(usage.completion_tokens)
