"""One article's answer as the status and body that `POST /v1/summaries` would have given."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from schemas.contract import Problem, SummaryRequest, Usage
from service.errors import PROBLEM_BASE, InvalidRequest, ReadoutError, UpstreamError
from service.pipeline.summariser import Summariser
from service.pipeline.webpage import read_page

log = logging.getLogger("readout.jobs")


@dataclass(frozen=True, slots=True)
class Outcome:
    """An HTTP status, its body (a summary or a problem) and the tokens it cost."""

    status: int
    body: dict[str, Any]
    usage: Usage

    def result(self, index: int, article_id: str | None) -> dict[str, Any]:
        """The entry of a job's `results` (and of a batch output line)."""
        body_id = self.body.get("id") if self.status == 200 else None
        return {
            "index": index,
            "id": body_id or article_id,
            "status": self.status,
            "body": self.body,
        }


def problem_body(error: ReadoutError, instance: str | None = None) -> dict[str, Any]:
    """The problem details an error becomes (the same members as the HTTP layer's)."""
    members: dict[str, Any] = {
        "type": PROBLEM_BASE + error.slug,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "instance": instance,
    }
    if error.retry_after is not None:
        members["retry_after"] = error.retry_after
    problem = Problem.model_validate(members | error.extensions())
    body: dict[str, Any] = problem.model_dump(mode="json", exclude_unset=True)
    return body


def too_long(request: SummaryRequest, max_chars: int, instance: str | None) -> Outcome | None:
    """The 422 of an article whose text (sent, or extracted from its html) is over `max_chars`."""
    request, text = read_page(request)
    if len(text) <= max_chars:
        return None
    what = "text" if request.html is None else "the text extracted from html"
    detail = f"{what} has {len(text)} characters; the limit is {max_chars}"
    error = InvalidRequest(422, "invalid-request", "Invalid request fields", detail)
    return Outcome(422, problem_body(error, instance), Usage())


def answer(
    summariser: Summariser,
    request: SummaryRequest,
    instance: str | None = None,
    max_chars: int | None = None,
) -> Outcome:
    """Summarise one article (refused past `max_chars`); every failure becomes its problem."""
    try:
        if max_chars is not None and (refused := too_long(request, max_chars, instance)):
            return refused
        summary = summariser.summarise(request)
    except UpstreamError as error:
        return Outcome(error.status, problem_body(error, instance), error.usage)
    except ReadoutError as error:
        return Outcome(error.status, problem_body(error, instance), Usage())
    except Exception as error:  # a bug must cost one article, never the worker or the job
        log.exception("article failed", extra={"error_type": type(error).__name__})
        return Outcome(
            500, problem_body(ReadoutError("An unexpected error occurred."), instance), Usage()
        )
    return Outcome(200, summary.model_dump(mode="json"), summary.meta.usage)
