"""Requests and answers counted into `service.metrics`, and `GET /metrics` to scrape them."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator

from flask import Flask, Response, current_app, g, request
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from redis.exceptions import RedisError

from schemas.contract import Meta, Usage
from service import metrics
from service.errors import UpstreamError
from service.jobs.queue import JobQueue

log = logging.getLogger("readout.metrics")

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
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    # The jobs routes' services, by extension name (importing that module here would be a cycle).
    jobs = current_app.extensions.get("readout.jobs")
    queue: JobQueue | None = getattr(jobs, "queue", None)
    if queue is not None:
        registry.register(_Jobs(queue))
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


class _ThisProcess(Collector):
    """This process's own metrics (no gunicorn: tests, `readout summarise`)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


class _Jobs(Collector):
    """Jobs by status and the queue's depth, read from Redis at scrape time (shared by every
    worker and machine, so one scrape of any worker tells the whole truth)."""

    def __init__(self, queue: JobQueue) -> None:
        self._queue = queue

    def collect(self) -> Iterator[Metric]:
        try:
            found = self._queue.stats()
        except RedisError as error:  # a scrape must not fail because Redis is away
            log.warning("jobs metrics unavailable", extra={"error_type": type(error).__name__})
            return
        jobs = GaugeMetricFamily("readout_jobs", "Live jobs by status", labels=["status"])
        for status, count in found["jobs"].items():
            jobs.add_metric([status], count)
        yield jobs
        yield GaugeMetricFamily(
            "readout_jobs_queue_depth",
            "Articles waiting in the jobs queue",
            value=found["queue_depth"],
        )
