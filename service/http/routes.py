"""HTTP routes: summaries, schema, health. Views parse, delegate and serialise; nothing more."""

from __future__ import annotations

import json
from typing import Any

import gevent
import gevent.monkey
from flask import Blueprint, Flask, Response, current_app, g, request
from pydantic import ValidationError
from spectree import Response as SpecResponse
from spectree import SpecTree
from werkzeug.exceptions import RequestEntityTooLarge

from schemas.contract import FieldError, Health, Problem, SummaryRequest, SummaryResponse
from service.errors import MAX_FIELD_ERRORS, BodyTimeout, InvalidRequest, UpstreamError
from service.http import answers, telemetry
from service.http.state import ReadoutState
from service.pipeline.webpage import read_page

_ERRORS = {
    f"HTTP_{code}": Problem for code in (400, 401, 408, 409, 413, 415, 422, 429, 500, 502, 503, 504)
}


def state() -> ReadoutState:
    """The running app's services."""
    found: ReadoutState = current_app.extensions["readout"]
    return found


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def parse_summary_request(max_chars: int) -> SummaryRequest:
    """The request body as a validated `SummaryRequest`, or a problem saying what is wrong."""
    body = read_json_object()
    unknown = [key for key in body if key not in SummaryRequest.model_fields]
    if len(unknown) > MAX_FIELD_ERRORS:
        # Thousands of unknown keys: the first few named, the rest counted, none validated.
        raise InvalidRequest.fields(
            [
                FieldError(
                    field=key, message="Extra inputs are not permitted", type="extra_forbidden"
                )
                for key in unknown[:MAX_FIELD_ERRORS]
            ],
            omitted=len(unknown) - MAX_FIELD_ERRORS,
        ) from None
    try:
        parsed = SummaryRequest.model_validate(body)
    except ValidationError as error:
        raise InvalidRequest.fields(field_errors(error)) from None
    parsed, text = read_page(parsed)
    if too_long := text_too_long(parsed, text, max_chars):
        raise InvalidRequest.fields([too_long])
    return parsed


def text_too_long(parsed: SummaryRequest, text: str, max_chars: int) -> FieldError | None:
    """The field error of an article `text` (sent, or extracted from html) over `max_chars`."""
    if len(text) <= max_chars:
        return None
    field = "text" if parsed.html is None else "html"
    what = "text" if field == "text" else "the text extracted from html"
    too_long = f"{what} has {len(text)} characters; the limit is {max_chars}"
    return FieldError(field=field, type="too_long", message=too_long)


def read_json_object() -> dict[str, Any]:
    """The body as a JSON object, read strictly, or a 400/413/415 problem."""
    if not _is_json(request.mimetype):
        raise InvalidRequest(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "Send a JSON object with Content-Type: application/json.",
        )
    raw = _read_body()
    try:
        body: Any = json.loads(raw, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise _malformed("The body is not valid UTF-8.") from None
    except _NotStrictJSONError as error:
        raise _malformed(str(error)) from None
    except RecursionError:
        raise _malformed("The body is nested too deeply.") from None
    except json.JSONDecodeError as error:
        raise _malformed(
            f"The body is not valid JSON: {error.msg} at position {error.pos}."
        ) from None
    except ValueError:
        # Valid JSON that Python will not read, such as an integer of more than 4300 digits.
        raise _malformed("The body holds a value too large to read.") from None
    if not isinstance(body, dict):
        raise InvalidRequest(
            400,
            "not-an-object",
            "Body is not a JSON object",
            f"Expected a JSON object, got {type(body).__name__}.",
        )
    return body


def _malformed(detail: str) -> InvalidRequest:
    """A 400 problem for a body that cannot be read as JSON."""
    return InvalidRequest(400, "malformed-json", "Malformed JSON", detail)


def _read_body() -> bytes:
    """The raw body; 413 when a body sent without Content-Length runs past the limit, 408 when
    it does not arrive within READOUT_BODY_TIMEOUT_S (under gevent, whose sockets a timeout
    can stop; elsewhere the body is already in memory or the server bounds it)."""
    seconds = state().settings.body_timeout_s
    if gevent.monkey.is_module_patched("socket"):
        with gevent.Timeout(seconds, BodyTimeout(seconds)):
            raw = request.get_data(cache=False)
    else:
        raw = request.get_data(cache=False)
    limit = request.max_content_length
    # werkzeug stops reading a streamed (chunked) body at the limit without complaint;
    # a byte left over means the body was over it.
    if (
        request.content_length is None
        and limit is not None
        and len(raw) >= limit
        and request.environ["wsgi.input"].read(1)
    ):
        raise RequestEntityTooLarge()
    return raw


class _NotStrictJSONError(ValueError):
    """Python's parser reads it, RFC 8259 does not allow it: a repeated key, NaN, Infinity."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict; a repeated key is ambiguous, so it is an error, not last-wins."""
    seen: set[str] = set()
    for key, _value in pairs:
        if key in seen:
            raise _NotStrictJSONError(f"The body repeats the key {key!r}; give each key once.")
        seen.add(key)
    return dict(pairs)


def _no_constant(name: str) -> Any:
    """Refuse NaN and Infinity, which Python's parser reads but JSON does not have."""
    raise _NotStrictJSONError(f"The body is not valid JSON: {name} is not a JSON value.")


def field_errors(error: ValidationError, prefix: str = "") -> list[FieldError]:
    """One `FieldError` per pydantic error, its field path after `prefix`."""
    return [
        FieldError(
            field=".".join([prefix, *map(str, item["loc"])] if prefix else map(str, item["loc"]))
            or "body",
            message=item["msg"],
            type=item["type"],
        )
        for item in error.errors(include_url=False, include_input=False)
    ]


def _json(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype="application/json")


def summaries() -> Response:
    """Summarise one article into grounded actors, calls and claims."""
    readout = state()
    parsed = parse_summary_request(readout.settings.max_chars)
    return answers.answer_once(
        parsed, readout.settings, readout.summariser, lambda: _summarise(readout, parsed)
    )


def _summarise(readout: ReadoutState, parsed: SummaryRequest) -> SummaryResponse:
    """A fresh answer from the summariser, counted and logged."""
    requested = parsed.engine.value if parsed.engine else readout.summariser.default_engine
    try:
        answer = readout.summariser.summarise(parsed)
    except UpstreamError as error:
        g.log_fields = {"attempts": error.attempts, "usage": error.usage.model_dump()}
        telemetry.count_failure(error, requested, readout.settings.model)
        raise
    meta = answer.meta
    telemetry.count_answer(meta, requested)
    g.log_fields = {
        "engine": meta.engine.value,
        "attempts": meta.attempts,
        "usage": meta.usage.model_dump(),
        "latency_ms": meta.latency_ms,
        "text_chars": len(parsed.text or ""),
    }
    return answer


def schema() -> Response:
    """JSON Schema of the 200 body of `POST /v1/summaries`."""
    return _json(json.dumps(SummaryResponse.model_json_schema()))


def healthz() -> Response:
    """Liveness: the process answers; no upstream call."""
    return _json(Health(status="ok").model_dump_json())


def readyz() -> Response:
    """Readiness: this process can answer (configuration, engines, the upstream's last probe)."""
    status, checks = state().readiness()
    body = Health(status=status, checks=checks)
    return _json(body.model_dump_json(), 503 if status == "not_ready" else 200)


def openapi() -> Response:
    """The OpenAPI document derived from the pydantic models."""
    spec: SpecTree = current_app.extensions["readout.spec"]
    return _json(json.dumps(spec.spec))


def register_routes(app: Flask, spec: SpecTree) -> None:
    """Document each route with `spec` and register it on `app`."""
    bp = Blueprint("api", __name__)
    documented = spec.validate(
        json=SummaryRequest,
        resp=SpecResponse(HTTP_200=SummaryResponse, **_ERRORS),
        tags=["summaries"],
        skip_validation=True,
        operation_id="createSummary",
    )
    bp.add_url_rule("/v1/summaries", view_func=documented(summaries), methods=["POST"])
    for rule, view, model, codes, op in (
        ("/v1/schema", schema, None, (500,), "getSchema"),
        ("/healthz", healthz, Health, (500,), "liveness"),
        ("/readyz", readyz, Health, (500,), "readiness"),
    ):
        models: dict[str, Any] = {f"HTTP_{c}": Problem for c in codes}
        if model is not None:
            models["HTTP_200"] = model
            if rule == "/readyz":
                models["HTTP_503"] = Health
        else:
            models["HTTP_200"] = None
        bp.add_url_rule(
            rule,
            view_func=spec.validate(
                resp=SpecResponse(**models), skip_validation=True, operation_id=op, tags=["service"]
            )(view),
            methods=["GET"],
        )
    bp.add_url_rule("/openapi.json", view_func=openapi, methods=["GET"])
    app.register_blueprint(bp)
