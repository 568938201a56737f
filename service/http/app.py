"""The application factory: settings, engines and routes are built here, never at import."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from flask import Flask, Response, g, request

from service.config import Settings
from service.http import answers, headers, security, telemetry, viewer
from service.http.jobs import register_job_routes
from service.http.openapi import build_spec
from service.http.problems import register_error_handlers
from service.http.routes import register_routes
from service.http.state import ReadinessCheck, ReadoutState
from service.pipeline.build import build_engines, build_summariser
from service.pipeline.engine import Engine

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("readout.access")


def create_app(
    settings: Settings | None = None,
    *,
    engines: dict[str, Engine] | None = None,
    checks: dict[str, ReadinessCheck] | None = None,
) -> Flask:
    """Build the Readout app; tests pass their own settings or engines."""
    settings = settings if settings is not None else Settings()
    if engines is None:
        engines, built_checks = build_engines(settings)
        checks = built_checks if checks is None else checks
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    summariser = build_summariser(settings, engines)
    app.extensions["readout"] = ReadoutState(settings, summariser, checks or {})
    spec = build_spec(summariser.allowed)
    app.extensions["readout.spec"] = spec
    register_error_handlers(app)
    app.before_request(_start_request)
    telemetry.install(app)
    # Before the rate limiter: after-request hooks run in reverse, so this one sees its headers.
    headers.install(app)
    app.extensions["readout.limiter"] = security.install(app, settings)
    answers.install(app, settings)
    register_routes(app, spec)
    register_job_routes(app, spec, settings)
    viewer.install(app)
    spec.register(app)
    app.after_request(_finish_request)
    return app


def _start_request() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    fields: dict[str, Any] = {
        "request_id": g.get("request_id"),
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "request_bytes": request.content_length,
        "response_bytes": response.calculate_content_length(),
        "duration_ms": round(
            (time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1
        ),
        **g.get("log_fields", {}),
    }
    access_log.info("request", extra=fields)
    return response
