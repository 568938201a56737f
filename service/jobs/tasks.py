"""The functions RQ runs: one article of a job, a failure callback, a webhook delivery.

RQ names a job's function by import path, so these read the worker process's services
(summariser, records, webhook sender) from the context `service.jobs.worker` installs at start.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from pydantic import ValidationError
from redis import Redis
from rq.job import Job

from schemas.contract import SummaryRequest, SummaryResponse, Usage
from service.errors import InvalidRequest, ReadoutError
from service.jobs.outcome import Outcome, answer, problem_body
from service.jobs.queue import enqueue_webhook
from service.jobs.records import JobRecords
from service.jobs.webhooks import WebhookSender
from service.pipeline.summariser import Summariser
from service.store.cache import CacheResult, ResultCache, as_cached, cache_key, cacheable

log = logging.getLogger("readout.jobs")


@dataclass(slots=True)
class WorkerContext:
    """What a worker process's tasks use."""

    summariser: Summariser
    records: JobRecords
    webhooks: WebhookSender
    max_chars: int
    cache: ResultCache | None = None
    # What decides an answer besides the request (`service.pipeline.identity`), per engine.
    identity: Callable[[str], dict[str, str]] | None = None


_context: list[WorkerContext] = []


def install(context: WorkerContext) -> None:
    """Make `context` the services of this process's tasks."""
    _context[:] = [context]


def current() -> WorkerContext:
    """This process's services (installed by the worker)."""
    if not _context:
        raise RuntimeError("no worker context: run tasks inside `readout worker`")
    return _context[0]


def _instance(job_id: str, index: int) -> str:
    return f"/v1/jobs/{job_id}#article-{index}"


def run_article(job_id: str, index: int, article: dict[str, Any]) -> str:
    """Summarise article `index` of job `job_id` and record its result (or skip it)."""
    context = current()
    what, webhook_due = context.records.begin(job_id, index)
    if what == "run":
        started = time.perf_counter()
        outcome = _summarise(context, article, _instance(job_id, index))
        result = outcome.result(index, article.get("id"))
        what, webhook_due = context.records.finish(job_id, index, result, outcome.usage)
        log.info(
            "article",
            extra={
                "job_id": job_id,
                "index": index,
                "status": outcome.status,
                "usage": outcome.usage.model_dump(),
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
    if webhook_due:
        enqueue_webhook(context.records.redis, job_id)
    return what


def _summarise(context: WorkerContext, article: dict[str, Any], instance: str) -> Outcome:
    try:
        request = SummaryRequest.model_validate(article)
    except ValidationError:  # validated by the API; only a tampered queue gets here
        error = InvalidRequest(422, "invalid-request", "Invalid request fields", "Invalid article.")
        return Outcome(422, problem_body(error, instance), Usage())
    return _answer_once(context, request, instance)


def _answer_once(context: WorkerContext, request: SummaryRequest, instance: str) -> Outcome:
    """The article's answer, from the result cache when it was answered before (a redo is free)."""
    cache, identity = context.cache, context.identity
    if cache is None or identity is None:
        return answer(context.summariser, request, instance, context.max_chars)
    started = time.perf_counter()
    engine = request.engine.value if request.engine else context.summariser.default_engine
    key = cache_key(request, identity(engine))
    found = cache.lookup(key)
    if found.answer is not None:
        latency_ms = round((time.perf_counter() - started) * 1000)
        hit = as_cached(found.answer, request.id or uuid.uuid4().hex, latency_ms)
        return Outcome(200, hit.model_dump(mode="json"), hit.meta.usage)
    outcome = answer(context.summariser, request, instance, context.max_chars)
    if outcome.status == 200 and found.result is not CacheResult.off:
        summary = SummaryResponse.model_validate(outcome.body)
        if cacheable(summary, engine):
            cache.store_answer(key, summary)
    return outcome


def article_failed(
    job: Job,
    connection: Redis,
    exc_type: type[BaseException] | None,
    exc_value: BaseException | None,
    traceback: TracebackType | None,
) -> None:
    """RQ's failure callback: once an article has no run left, record it as a 500 problem.

    Reached when the article's function raised outside the pipeline (Redis gone mid-way), ran
    past its RQ timeout, or its worker died; while runs are left, RQ retries it.
    """
    if job.retries_left:
        return
    job_id, index, article = job.args
    log.error(
        "article given up",
        extra={"job_id": job_id, "index": index, "error_type": getattr(exc_type, "__name__", "")},
    )
    error = ReadoutError("The article could not be processed; its worker failed repeatedly.")
    outcome = Outcome(500, problem_body(error, _instance(job_id, index)), Usage())
    _what, webhook_due = current().records.finish(
        job_id, index, outcome.result(index, article.get("id")), outcome.usage
    )
    if webhook_due:
        enqueue_webhook(connection, job_id)


def deliver_webhook(job_id: str) -> str:
    """POST a completed job's summary to its callback URL, signed; its final state."""
    context = current()
    view = context.records.view(job_id)
    if view is None or view.callback_url is None:
        return "gone"
    state = context.webhooks.deliver(view.callback_url, view.summary() | _location(job_id))
    context.records.mark_webhook(job_id, state)
    return state


def _location(job_id: str) -> dict[str, str]:
    return {"location": f"/v1/jobs/{job_id}"}
