"""The exception tree of what the pipeline and the engines raise (no Flask: `service.http.problems`
turns each into an RFC 9457 problem body).

Exception tree::

    ReadoutError                      status, problem type slug, title
    ├── InvalidRequest (400/408/415/422) the client's request cannot be served
    │   └── LanguageNotSupported (422) the engine reads English only; names the language
    ├── Unauthorized (401)
    ├── IdempotencyKeyInUse (409)     the first request with this Idempotency-Key still runs
    ├── Overloaded (503)              this worker's upstream slots are all taken
    ├── JobsUnavailable (503)         the jobs API has no Redis, or cannot reach it
    ├── BudgetExceeded (503)          CPU-bound work ran past READOUT_CPU_BUDGET_S
    └── UpstreamError                 the LLM path failed; carries attempts and usage
        ├── OutputInvalid (502)       the model's output stayed invalid after every attempt
        ├── OutputTruncated (502)     the model's answer was cut off (finish_reason=length)
        ├── OutputRefused (502)       the model refused
        ├── UpstreamFailed (502)      the upstream kept answering 5xx
        │   └── UpstreamTooLarge (502) its answer ran past READOUT_MAX_UPSTREAM_BYTES
        ├── UpstreamUnavailable (503) rate-limited or unreachable; carries Retry-After
        └── DeadlineExceeded (504)    no answer within READOUT_TIMEOUT_S

Bodies never carry the model's raw output, the prompt or the upstream's error text.
"""

from __future__ import annotations

import math
from typing import Any

from schemas.contract import FieldError, Rejected, Usage

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "urn:readout:problem:"


class ReadoutError(Exception):
    """Base of the service's own errors."""

    status = 500
    slug = "internal-error"
    title = "Internal error"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.retry_after: int | None = None

    def extensions(self) -> dict[str, Any]:
        """Extra members of the problem body."""
        return {}

    def headers(self) -> dict[str, str]:
        """Extra response headers."""
        return {}


# A 422 lists at most this many field errors and says how many it left out.
MAX_FIELD_ERRORS = 50


class InvalidRequest(ReadoutError):
    """The request cannot be served as sent."""

    def __init__(
        self,
        status: int,
        slug: str,
        title: str,
        detail: str,
        errors: list[FieldError] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title = status, slug, title
        self.errors = errors[:MAX_FIELD_ERRORS] if errors is not None else None
        self.errors_omitted = max(0, len(errors) - MAX_FIELD_ERRORS) if errors else 0

    @classmethod
    def fields(
        cls,
        errors: list[FieldError],
        detail: str = "One or more fields are invalid.",
        *,
        omitted: int = 0,
    ) -> InvalidRequest:
        """A 422 naming each invalid field (the first MAX_FIELD_ERRORS; `omitted` more unnamed)."""
        invalid = cls(422, "invalid-request", "Invalid request fields", detail, errors)
        invalid.errors_omitted += omitted
        return invalid

    def extensions(self) -> dict[str, Any]:
        if self.errors is None:
            return {}
        listed: dict[str, Any] = {"errors": [e.model_dump() for e in self.errors]}
        if self.errors_omitted > 0:
            listed["errors_omitted"] = self.errors_omitted
        return listed


class LanguageNotSupported(InvalidRequest):
    """The engine asked for reads English only and the article is in another language."""

    def __init__(self, engine: str, language: str, name: str) -> None:
        super().__init__(
            422,
            "language-not-supported",
            "Language not supported",
            f"The {engine} engine reads English only; this article is in {name} ({language}).",
        )
        self.language = language

    def extensions(self) -> dict[str, Any]:
        return {"language": self.language}


class BodyTimeout(InvalidRequest):
    """The request body did not arrive within READOUT_BODY_TIMEOUT_S."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            408,
            "request-timeout",
            "Request body too slow",
            f"The request body did not arrive within {seconds:g} s (READOUT_BODY_TIMEOUT_S).",
        )


class Unauthorized(ReadoutError):
    """No valid API key."""

    status, slug, title = 401, "unauthorized", "Missing or invalid API key"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="readout"'}


class IdempotencyKeyInUse(ReadoutError):
    """A request with the same Idempotency-Key is still running."""

    status, slug, title = 409, "idempotency-key-in-use", "Idempotency-Key in use"

    def __init__(self) -> None:
        super().__init__(
            "A request with this Idempotency-Key is still being answered; retry after it ends."
        )
        self.retry_after = 1


class Overloaded(ReadoutError):
    """Every upstream slot of this worker is busy."""

    status, slug, title = 503, "overloaded", "Too many requests in flight"

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__("This worker is at its limit of concurrent upstream calls.")
        self.retry_after = retry_after


class JobsUnavailable(ReadoutError):
    """The jobs API has no Redis to keep jobs in, or cannot reach it."""

    status, slug, title = 503, "jobs-unavailable", "Jobs are unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.retry_after = 5


class BudgetExceeded(ReadoutError):
    """CPU-bound work (segmenting, the rules engine) ran past its time budget."""

    status, slug, title = 503, "processing-budget-exceeded", "The article took too long to process"

    def __init__(self, what: str, seconds: float) -> None:
        super().__init__(
            f"{what} did not finish within the time budget of {seconds:g} s per request "
            "(READOUT_CPU_BUDGET_S), waiting for this worker's previous articles included."
        )
        self.budget_s = seconds


class UpstreamError(ReadoutError):
    """The LLM path failed; says how many model attempts were made and what they cost."""

    status, slug, title = 502, "upstream-error", "Upstream error"

    def __init__(self, detail: str | None = None, *, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.attempts = 0
        self.usage = Usage()
        self.retry_after = math.ceil(retry_after) if retry_after is not None else None

    def extensions(self) -> dict[str, Any]:
        return {"attempts": self.attempts, "usage": self.usage.model_dump()}


class OutputInvalid(UpstreamError):
    """The model's output failed validation on every attempt (or, for a strict request, some
    items did and would have been set aside: `rejected` lists them)."""

    status, slug, title = 502, "model-output-invalid", "Model output stayed invalid"

    def __init__(self, detail: str | None = None, *, rejected: list[Rejected] | None = None):
        super().__init__(detail)
        self.rejected = rejected

    def extensions(self) -> dict[str, Any]:
        found = super().extensions()
        if self.rejected is not None:
            found["rejected"] = [item.model_dump() for item in self.rejected]
        return found


class OutputTruncated(UpstreamError):
    """The model's answer was cut off."""

    status, slug, title = 502, "model-output-truncated", "Model output was truncated"


class OutputRefused(UpstreamError):
    """The model declined to answer."""

    status, slug, title = 502, "model-refused", "The model refused to answer"


class UpstreamFailed(UpstreamError):
    """The upstream kept failing with server errors."""

    status, slug, title = 502, "upstream-failed", "The LLM upstream failed"


class UpstreamTooLarge(UpstreamFailed):
    """The upstream's answer ran past the byte limit; it was abandoned unread."""

    status, slug = 502, "upstream-answer-too-large"
    title = "The LLM upstream's answer was too large"


class UpstreamUnavailable(UpstreamError):
    """The upstream is rate-limiting or cannot be reached."""

    status, slug, title = 503, "upstream-unavailable", "The LLM upstream is unavailable"


class DeadlineExceeded(UpstreamError):
    """The request's deadline passed before the upstream answered."""

    status, slug, title = 504, "upstream-timeout", "The LLM upstream did not answer in time"
