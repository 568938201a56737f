"""The jobs API: submit many articles, read their results page by page, cancel."""

from __future__ import annotations

import json
from typing import Any

import redis
from flask import Blueprint, Flask, Response, current_app, g, request
from pydantic import ValidationError
from spectree import Response as SpecResponse
from spectree import SpecTree
from werkzeug.exceptions import NotFound

from schemas.contract import FieldError, Problem, SummaryRequest
from schemas.jobs import Job, JobCreated, JobEnvelope, JobPage, JobRequest, JobSummary
from service.config import Settings
from service.errors import InvalidRequest, JobsUnavailable
from service.http.routes import field_errors, read_json_object, state, text_too_long
from service.jobs.queue import JobQueue
from service.jobs.records import JobView
from service.jobs.webhooks import CallbackRefused, WebhookSender
from service.store.redis import connect

_ERRORS = {f"HTTP_{code}": Problem for code in (400, 401, 404, 413, 415, 422, 429, 500, 503)}
EXTENSION = "readout.jobs"


class JobsService:
    """The jobs API's services: the queue (None without Redis) and the webhook checks."""

    def __init__(self, settings: Settings) -> None:
        self.queue = JobQueue(connect(settings.redis_url), settings) if settings.redis_url else None
        self.webhooks = WebhookSender(settings)


def _jobs() -> tuple[JobQueue, WebhookSender]:
    service: JobsService = current_app.extensions[EXTENSION]
    if service.queue is None:
        raise JobsUnavailable(
            "Jobs are kept in Redis and none is configured: set READOUT_REDIS_URL "
            "(`readout serve` starts one itself when redis-server is installed)."
        )
    return service.queue, service.webhooks


def _owner() -> str:
    owner: str = g.get("client_id") or ""
    return owner


def _json(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status, headers, "application/json")


def _validate(body: dict[str, Any], webhooks: WebhookSender) -> JobEnvelope:
    """Every article checked; a 422 naming each bad index (and field) if any is invalid."""
    settings = state().settings
    try:
        envelope = JobEnvelope.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest.fields(field_errors(error)) from None
    errors: list[FieldError] = []
    if len(envelope.articles) > settings.job_max_articles:
        message = f"{len(envelope.articles)} articles; the limit is {settings.job_max_articles}"
        errors.append(FieldError(field="articles", type="too_long", message=message))
    allowed = state().summariser.allowed
    bad: list[int] = []
    for index, article in enumerate(envelope.articles):
        prefix = f"articles.{index}"
        try:
            parsed = SummaryRequest.model_validate(article)
        except ValidationError as error:
            errors += field_errors(error, prefix)
            bad.append(index)
            continue
        # Text sent as html is extracted, and its length checked, when the article runs: the
        # extraction of a thousand pages would hold this request for seconds.
        found = (
            None if parsed.text is None else text_too_long(parsed, parsed.text, settings.max_chars)
        )
        engine = parsed.engine.value if parsed.engine else None
        if engine is not None and engine not in allowed:
            message = f"the engine {engine!r} is not enabled here; allowed: {sorted(allowed)}"
            found = FieldError(field="engine", type="engine_not_allowed", message=message)
        if found is not None:
            errors.append(found.model_copy(update={"field": f"{prefix}.{found.field}"}))
            bad.append(index)
    if envelope.callback_url is not None:
        try:
            webhooks.check(envelope.callback_url)
        except CallbackRefused as refused:
            errors.append(FieldError(field="callback_url", type="refused", message=str(refused)))
    if errors:
        raise InvalidArticles(errors, bad)
    return envelope


class InvalidArticles(InvalidRequest):
    """A 422 for a job request, naming the indexes of its invalid articles."""

    def __init__(self, errors: list[FieldError], bad: list[int]) -> None:
        shown = ", ".join(map(str, bad[:20])) + (", …" if len(bad) > 20 else "")
        detail = (
            f"{len(bad)} invalid article(s), at index {shown}; nothing was enqueued."
            if bad
            else "The job is invalid; nothing was enqueued."
        )
        super().__init__(422, "invalid-request", "Invalid request fields", detail, errors)
        self.bad = bad

    def extensions(self) -> dict[str, Any]:
        return super().extensions() | {"invalid_indexes": self.bad}


def create_job() -> Response:
    """Queue a job of articles; 202 with its Location."""
    queue, webhooks = _jobs()
    request.max_content_length = state().settings.job_max_body_bytes
    envelope = _validate(read_json_object(), webhooks)
    try:
        job_id = queue.submit(_owner(), envelope.articles, envelope.callback_url)
    except redis.RedisError:
        raise JobsUnavailable("The jobs' Redis did not answer; nothing was enqueued.") from None
    total = len(envelope.articles)
    g.log_fields = {"job_id": job_id, "articles": total}
    body = JobCreated(id=job_id, status="queued", total=total).model_dump()
    return _json(body, 202, {"Location": f"/v1/jobs/{job_id}"})


def _find(job_id: str, offset: int = 0, limit: int = 0) -> JobView:
    queue, _ = _jobs()
    try:
        view = queue.view(job_id, offset, limit)
    except redis.RedisError:
        raise JobsUnavailable("The jobs' Redis did not answer.") from None
    if view is None or view.owner != _owner():
        raise NotFound("No job with this id (it may have expired).")
    return view


def get_job(job_id: str) -> Response:
    """A job's progress and a page of its results."""
    try:
        page = JobPage.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise InvalidRequest.fields(field_errors(error)) from None
    view = _find(job_id, page.offset, page.limit)
    end = page.offset + page.limit
    following = f"/v1/jobs/{job_id}?offset={end}&limit={page.limit}" if end < view.total else None
    body = view.summary() | {
        "results": view.results,
        "offset": page.offset,
        "limit": page.limit,
        "next": following,
    }
    return _json(body)


def cancel_job(job_id: str) -> Response:
    """Cancel the articles not yet started; those in flight finish."""
    queue, _ = _jobs()
    _find(job_id)
    try:
        queue.cancel(job_id)
    except redis.RedisError:
        raise JobsUnavailable("The jobs' Redis did not answer.") from None
    view = _find(job_id)
    return _json(view.summary(), 202)


def register_job_routes(app: Flask, spec: SpecTree, settings: Settings) -> None:
    """Build the jobs services and register the documented routes on `app`."""
    app.extensions[EXTENSION] = JobsService(settings)
    bp = Blueprint("jobs", __name__)
    documented = spec.validate(
        json=JobRequest,
        resp=SpecResponse(HTTP_202=JobCreated, **_ERRORS),
        tags=["jobs"],
        skip_validation=True,
        operation_id="createJob",
    )
    bp.add_url_rule("/v1/jobs", view_func=documented(create_job), methods=["POST"])
    read = spec.validate(
        query=JobPage,
        resp=SpecResponse(HTTP_200=Job, **_ERRORS),
        tags=["jobs"],
        skip_validation=True,
        operation_id="getJob",
    )
    bp.add_url_rule("/v1/jobs/<job_id>", view_func=read(get_job), methods=["GET"])
    cancel = spec.validate(
        resp=SpecResponse(HTTP_202=JobSummary, **_ERRORS),
        tags=["jobs"],
        skip_validation=True,
        operation_id="cancelJob",
    )
    bp.add_url_rule("/v1/jobs/<job_id>", view_func=cancel(cancel_job), methods=["DELETE"])
    app.register_blueprint(bp)
