"""Every failure answers application/problem+json, shaped in one place; 4xx never call upstream."""

from __future__ import annotations

from typing import Any

import pytest
import respx
from flask.testing import FlaskClient

from schemas.article import SegmentedArticle
from schemas.contract import SummaryRequest
from service import create_app
from service.pipeline.engine import Deadline, EngineResult
from tests.conftest import make_settings

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("kwargs", "status", "slug"),
    [
        ({"data": "{", "content_type": "application/json"}, 400, "malformed-json"),
        ({"data": "[1, 2]", "content_type": "application/json"}, 400, "not-an-object"),
        ({"data": '"text"', "content_type": "application/json"}, 400, "not-an-object"),
        (
            {"data": "text=hello", "content_type": "application/x-www-form-urlencoded"},
            415,
            "unsupported-media-type",
        ),
        ({"data": "hello"}, 415, "unsupported-media-type"),
        ({"json": {"text": "   \n"}}, 422, "invalid-request"),
        ({"json": {"title": "no text"}}, 422, "invalid-request"),
        (
            {"json": {"text": "Talks were held.", "published_at": "2026-02-30"}},
            422,
            "invalid-request",
        ),
    ],
)
def test_bad_requests_are_problems_without_upstream_calls(
    client: FlaskClient, llm: respx.MockRouter, kwargs: dict[str, Any], status: int, slug: str
) -> None:
    route = llm.post("/chat/completions")
    response = client.post("/v1/summaries", **kwargs)
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["type"] == f"urn:readout:problem:{slug}"
    assert body["status"] == status and body["title"] and body["instance"] == "/v1/summaries"
    assert route.call_count == 0


def test_invalid_fields_are_listed_one_by_one(client: FlaskClient) -> None:
    response = client.post(
        "/v1/summaries", json={"text": " ", "published_at": "someday", "colour": "red"}
    )
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"text", "published_at", "colour"}


def test_text_over_max_chars_is_422(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions")
    client = create_app(make_settings(max_chars=50)).test_client()
    response = client.post("/v1/summaries", json={"text": "word " * 20})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "text"
    assert route.call_count == 0


def test_body_over_max_bytes_is_413(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions")
    client = create_app(make_settings(max_body_bytes=2048)).test_client()
    response = client.post("/v1/summaries", json={"text": "x" * 5000})
    assert response.status_code == 413
    assert response.mimetype == PROBLEM
    assert route.call_count == 0


def test_method_not_allowed_keeps_the_allow_header(client: FlaskClient) -> None:
    response = client.get("/v1/summaries")
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert "POST" in response.headers["Allow"]


def test_unknown_path_is_a_404_problem(client: FlaskClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404 and response.mimetype == PROBLEM


class _Broken:
    name = "llm"

    def extract(
        self, article: SegmentedArticle, request: SummaryRequest, deadline: Deadline
    ) -> EngineResult:
        raise KeyError("internal secret")


def test_unexpected_errors_are_a_generic_500() -> None:
    client = create_app(make_settings(), engines={"llm": _Broken()}).test_client()
    response = client.post("/v1/summaries", json={"text": "Ministers met."})
    assert response.status_code == 500
    assert response.mimetype == PROBLEM
    assert "internal secret" not in response.get_data(as_text=True)
    assert response.get_json()["type"] == "urn:readout:problem:internal-error"


def test_request_id_is_echoed_or_generated(client: FlaskClient) -> None:
    echoed = client.post(
        "/v1/summaries",
        data="{",
        content_type="application/json",
        headers={"X-Request-ID": "abc-123"},
    )
    assert echoed.headers["X-Request-ID"] == "abc-123"
    assert echoed.get_json()["request_id"] == "abc-123"
    generated = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["X-Request-ID"] != "bad id with spaces"
