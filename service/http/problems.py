"""Every error the service answers with, shaped in one place as RFC 9457 problem details."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from flask import Flask, Response, current_app, g, request
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from schemas.contract import Problem
from service.errors import PROBLEM_BASE, PROBLEM_JSON, ReadoutError

log = logging.getLogger("readout.errors")


def problem_response(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    retry_after: int | None = None,
    **extensions: Any,
) -> Response:
    """A `application/problem+json` response."""
    members: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.path if request else None,
        "request_id": g.get("request_id"),
    }
    if retry_after is not None:
        members["retry_after"] = retry_after
    problem = Problem.model_validate(members | extensions)
    body = problem.model_dump_json(exclude_unset=True)
    response = Response(body, status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
        # Kept so the security-headers hook can put it back after the rate limiter's headers.
        g.retry_after = retry_after
    return response


def _from_readout_error(error: ReadoutError) -> Response:
    return problem_response(
        error.status,
        error.slug,
        error.title,
        error.detail,
        headers=error.headers(),
        retry_after=error.retry_after,
        **error.extensions(),
    )


def _from_http_exception(error: HTTPException) -> Response:
    original = error.get_response()
    headers = {
        name: value
        for name, value in original.headers.items()
        if name.lower() in {"allow", "retry-after", "www-authenticate"}
    }
    status = error.code or 500
    slug = (error.name or "error").lower().replace(" ", "-")
    retry_after = headers.pop("Retry-After", None)
    seconds = int(retry_after) if retry_after and retry_after.isdigit() else None
    if isinstance(error, RateLimitExceeded):
        seconds = _rate_limit_reset()
    return problem_response(
        status, slug, error.name or "Error", error.description, headers=headers, retry_after=seconds
    )


def _rate_limit_reset() -> int | None:
    """Seconds until the exceeded rate-limit window lets this client in again."""
    limiter = current_app.extensions.get("readout.limiter")
    current = limiter.current_limit if limiter is not None else None
    if current is None:
        return None
    reset_at: float = current.reset_at
    return max(1, math.ceil(reset_at - time.time()))


def _from_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", extra={"error_type": type(error).__name__})
    return problem_response(
        500, "internal-error", "Internal error", "An unexpected error occurred."
    )


def register_error_handlers(app: Flask) -> None:
    """Route every error through the problem shapes above."""
    app.register_error_handler(ReadoutError, _from_readout_error)
    app.register_error_handler(HTTPException, _from_http_exception)
    app.register_error_handler(Exception, _from_unexpected)
