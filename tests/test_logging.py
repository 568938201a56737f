"""Request logs: JSON, one line per request, with the useful fields and none of the secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from service import create_app
from service.logs import configure_logging
from tests.conftest import answer, article, completion, make_settings

SECRET_KEY = "sk-very-secret-key"


@pytest.fixture
def json_logs() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    yield
    root.handlers, root.level = saved[0], saved[1]


def _records(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_each_request_logs_one_json_line_with_its_fields(
    json_logs: None, llm: respx.MockRouter, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG")
    canned = answer("fjord-patrols")
    llm.post("/chat/completions").mock(return_value=completion(canned))
    client = create_app(
        make_settings(openai_api_key=SECRET_KEY, api_keys="client-key")
    ).test_client()
    text = article("fjord-patrols")
    response = client.post(
        "/v1/summaries",
        json={"text": text},
        headers={"X-Request-ID": "req-42", "Authorization": "Bearer client-key"},
    )
    assert response.status_code == 200
    err = capfd.readouterr().err
    access = [r for r in _records(err) if r["logger"] == "readout.access"]
    assert len(access) == 1
    line = access[0]
    assert line["request_id"] == "req-42" and line["status"] == 200
    assert line["method"] == "POST" and line["path"] == "/v1/summaries"
    assert line["engine"] == "llm" and line["attempts"] == 1
    assert line["usage"]["total_tokens"] == 150
    assert line["request_bytes"] > 0 and line["response_bytes"] > 0 and "duration_ms" in line
    for secret in (SECRET_KEY, "client-key", text[:60], canned["summary"], "Metadata (data"):
        assert secret not in err


def test_upstream_failures_log_attempts_but_not_upstream_text(
    json_logs: None, llm: respx.MockRouter, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG")
    llm.post("/chat/completions").mock(
        return_value=httpx.Response(500, json={"error": {"message": "upstream-internal-detail"}})
    )
    client = create_app(make_settings()).test_client()
    assert client.post("/v1/summaries", json={"text": "Ministers met."}).status_code == 502
    err = capfd.readouterr().err
    access = [r for r in _records(err) if r["logger"] == "readout.access"]
    assert access[0]["status"] == 502 and access[0]["attempts"] == 0
    assert "upstream-internal-detail" not in err
