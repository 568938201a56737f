"""API keys, rate limits and the per-worker cap on concurrent upstream calls."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import httpx
import pytest
import respx
from flask.testing import FlaskClient

from service import create_app
from tests.conftest import answer, article, completion, make_settings

ARTICLE = {"text": article("fjord-patrols")}


@pytest.fixture
def keyed(llm: respx.MockRouter) -> FlaskClient:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    return create_app(make_settings(api_keys="key-one, key-two")).test_client()


def test_requests_without_a_valid_key_are_401(keyed: FlaskClient, llm: respx.MockRouter) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic key-one"}):
        response = keyed.post("/v1/summaries", json=ARTICLE, headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "key-one" not in response.get_data(as_text=True)
    assert llm.calls.call_count == 0


def test_any_configured_key_is_accepted(keyed: FlaskClient) -> None:
    for key in ("key-one", "key-two"):
        response = keyed.post(
            "/v1/summaries", json=ARTICLE, headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 200


def test_health_endpoints_stay_open(keyed: FlaskClient, llm: respx.MockRouter) -> None:
    llm.get("/models").mock(return_value=httpx.Response(200, json={"data": []}))
    keyed.application.extensions["readout"].probes["llm_upstream"].probe_now()
    assert keyed.get("/healthz").status_code == 200
    assert keyed.get("/readyz").status_code == 200


def test_keys_can_come_from_a_file(tmp_path: Path, llm: respx.MockRouter) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    keys = tmp_path / "keys"
    keys.write_text("# one key a line\nfile-key\n", encoding="utf-8")
    client = create_app(make_settings(api_keys_file=str(keys))).test_client()
    ok = client.post("/v1/summaries", json=ARTICLE, headers={"Authorization": "Bearer file-key"})
    assert ok.status_code == 200
    assert client.post("/v1/summaries", json=ARTICLE).status_code == 401


def test_keys_never_reach_the_logs(keyed: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        keyed.post("/v1/summaries", json=ARTICLE, headers={"Authorization": "Bearer key-one"})
        keyed.post("/v1/summaries", json=ARTICLE, headers={"Authorization": "Bearer nope-key"})
    logged = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    assert "key-one" not in logged and "nope-key" not in logged


def test_rate_limit_answers_429_problem_with_retry_after(llm: respx.MockRouter) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    client = create_app(make_settings(rate_limit="2/minute")).test_client()
    statuses = [client.post("/v1/summaries", json=ARTICLE).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.post("/v1/summaries", json=ARTICLE)
    assert limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get("/healthz").status_code == 200
    assert llm.calls.call_count == 2


def test_rate_limits_count_per_key(llm: respx.MockRouter) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    client = create_app(make_settings(rate_limit="1/minute", api_keys="a-key,b-key")).test_client()

    def post(key: str) -> int:
        headers = {"Authorization": f"Bearer {key}"}
        return client.post("/v1/summaries", json=ARTICLE, headers=headers).status_code

    assert [post("a-key"), post("a-key"), post("b-key")] == [200, 429, 200]


def test_upstream_cap_answers_503_instead_of_queueing(llm: respx.MockRouter) -> None:
    entered, release = threading.Event(), threading.Event()

    def slow(request: httpx.Request) -> httpx.Response:
        entered.set()
        release.wait(5)
        return completion(answer("fjord-patrols"))

    llm.post("/chat/completions").mock(side_effect=slow)
    app = create_app(make_settings(engine="auto", max_concurrent_upstream=1))
    results: list[int] = []
    first = threading.Thread(
        target=lambda: results.append(
            app.test_client().post("/v1/summaries", json=ARTICLE).status_code
        )
    )
    first.start()
    assert entered.wait(5)
    second = app.test_client().post("/v1/summaries", json=ARTICLE)
    offline = app.test_client().post("/v1/summaries", json={**ARTICLE, "engine": "rules"})
    release.set()
    first.join(5)
    assert second.status_code == 503
    assert second.headers["Retry-After"] == "1"
    assert second.get_json()["type"] == "urn:readout:problem:overloaded"
    assert results == [200]
    assert offline.status_code == 200  # the cap counts upstream calls, not offline work
