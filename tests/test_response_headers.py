"""Security headers on every response, Retry-After only where waiting helps, short 422s."""

from __future__ import annotations

import base64
import hashlib
import json
import re

import httpx
import pytest
import respx
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.config import Settings
from service.errors import MAX_FIELD_ERRORS
from service.http.headers import API_POLICY
from tests.conftest import article, make_settings

PROBLEM = "urn:readout:problem:"


@pytest.fixture(scope="module")
def rules_app() -> Flask:
    """The app as `bash scripts/serve` starts it with no key: the rules engine."""
    return create_app(Settings(engine="rules"))


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/healthz", None),
        ("GET", "/readyz", None),
        ("GET", "/v1/schema", None),
        ("GET", "/openapi.json", None),
        ("GET", "/docs/redoc/", None),
        ("GET", "/docs/swagger/", None),
        ("GET", "/docs/scalar/", None),
        ("GET", "/viewer", None),
        ("GET", "/nowhere", None),
        ("DELETE", "/v1/summaries", None),
        ("POST", "/v1/summaries", {"text": " "}),
        ("POST", "/v1/summaries", {"text": "Ministers met in Oslo on Monday."}),
    ],
)
def test_every_response_carries_the_security_headers(
    rules_app: Flask, method: str, path: str, body: dict[str, str] | None
) -> None:
    response = rules_app.test_client().open(path, method=method, json=body)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    if response.mimetype in {"application/json", "application/problem+json"}:
        assert policy == API_POLICY
    assert "Retry-After" not in response.headers


def test_docs_pages_allow_exactly_their_own_inline_scripts(rules_app: Flask) -> None:
    for page in ("redoc", "swagger", "scalar"):
        response = rules_app.test_client().get(f"/docs/{page}/")
        policy = response.headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", policy)
        assert script_src is not None
        allowed = set(script_src.group(1).split())
        inline = re.findall(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", response.data, re.S)
        hashes = {
            "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
            for body in inline
        }
        assert hashes and allowed == hashes, page
        assert "'unsafe-inline'" not in script_src.group(1)
        assert "default-src 'none'" in policy


def test_the_viewer_keeps_its_own_stricter_policy(rules_app: Flask) -> None:
    policy = rules_app.test_client().get("/viewer").headers["Content-Security-Policy"]
    assert "style-src 'self';" in policy and "unsafe-inline" not in policy


@pytest.fixture
def limited(llm: respx.MockRouter) -> FlaskClient:
    """An app with a rate limit of two requests a minute."""
    llm.get("/models").mock(return_value=httpx.Response(200, json={"data": []}))
    return create_app(make_settings(rate_limit="2/minute")).test_client()


def test_retry_after_only_on_a_429_and_the_429_body_says_it(limited: FlaskClient) -> None:
    first = limited.post("/v1/summaries", json={"text": " "})
    assert first.status_code == 422
    assert "Retry-After" not in first.headers
    assert "X-RateLimit-Remaining" in first.headers
    limited.post("/v1/summaries", json={"text": " "})
    refused = limited.post("/v1/summaries", json={"text": " "})
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["type"] == PROBLEM + "too-many-requests"
    assert 1 <= body["retry_after"] <= 61
    assert refused.headers["Retry-After"] == str(body["retry_after"])


def test_a_503_keeps_its_own_retry_after_under_a_rate_limit(
    llm: respx.MockRouter, limited: FlaskClient
) -> None:
    llm.post("/chat/completions").mock(
        return_value=httpx.Response(503, headers={"Retry-After": "2"}, json={"error": {}})
    )
    response = limited.post("/v1/summaries", json={"text": article("fjord-patrols")})
    assert response.status_code == 503
    # The problem's wait, not the rate-limit window's reset (up to a minute away).
    assert response.headers["Retry-After"] == "2"
    assert response.get_json()["retry_after"] == 2


def test_a_flood_of_unknown_fields_gets_a_short_422_that_counts_the_rest(
    rules_app: Flask,
) -> None:
    body = {"text": "Ministers met."} | {f"k{n}": 0 for n in range(70_000)}
    raw = json.dumps(body, separators=(",", ":"))
    assert len(raw) < 1_000_000
    response = rules_app.test_client().post(
        "/v1/summaries", data=raw, content_type="application/json"
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert len(problem["errors"]) == MAX_FIELD_ERRORS
    assert problem["errors"][0] == {
        "field": "k0",
        "message": "Extra inputs are not permitted",
        "type": "extra_forbidden",
    }
    assert problem["errors_omitted"] == 70_000 - MAX_FIELD_ERRORS
    assert len(response.data) < 20_000


def test_a_few_invalid_fields_are_all_listed(rules_app: Flask) -> None:
    response = rules_app.test_client().post(
        "/v1/summaries", json={"text": "x", "a": 1, "b": 2, "published_at": "yesterday"}
    )
    problem = response.get_json()
    assert response.status_code == 422
    assert {e["field"] for e in problem["errors"]} == {"a", "b", "published_at"}
    assert "errors_omitted" not in problem
