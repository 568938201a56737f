"""`Idempotency-Key`: the same key and body replay the stored response; another body is 422; a
key whose first request still runs is 409; keys belong to the API key and expire."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import respx
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from tests.conftest import answer, article, completion, make_settings

ARTICLE = {"text": article("fjord-patrols"), "published_at": "2026-03-16"}


def _app(llm: respx.MockRouter, tmp_path: Path, **overrides: Any) -> Flask:
    if not llm.routes:
        llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    return create_app(make_settings(cache_dir=tmp_path / "store", **overrides))


def _post(client: FlaskClient, key: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/v1/summaries", json=body, headers={"Idempotency-Key": key, **headers})


def test_the_same_key_and_body_replay_the_stored_response(
    llm: respx.MockRouter, tmp_path: Path
) -> None:
    client = _app(llm, tmp_path).test_client()
    first = _post(client, "order-7", ARTICLE)
    again = _post(client, "order-7", ARTICLE)
    assert first.status_code == again.status_code == 200
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_data() == first.get_data()  # the same id, the same meta
    assert llm.calls.call_count == 1
    # The draft's quoted form names the same key.
    assert _post(client, '"order-7"', ARTICLE).headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_another_body_is_a_422_problem(
    llm: respx.MockRouter, tmp_path: Path
) -> None:
    client = _app(llm, tmp_path).test_client()
    assert _post(client, "order-8", ARTICLE).status_code == 200
    reused = _post(client, "order-8", {**ARTICLE, "title": "Something else"})
    assert reused.status_code == 422
    assert reused.mimetype == "application/problem+json"
    assert reused.get_json()["type"] == "urn:readout:problem:idempotency-key-reused"
    assert llm.calls.call_count == 1


def test_the_same_key_while_the_first_runs_is_a_409_problem(
    llm: respx.MockRouter, tmp_path: Path
) -> None:
    entered, release = threading.Event(), threading.Event()

    def slow(request: httpx.Request) -> httpx.Response:
        entered.set()
        release.wait(5)
        return completion(answer("fjord-patrols"))

    llm.post("/chat/completions").mock(side_effect=slow)
    app = _app(llm, tmp_path)
    statuses: list[int] = []
    first = threading.Thread(
        target=lambda: statuses.append(_post(app.test_client(), "order-9", ARTICLE).status_code)
    )
    first.start()
    assert entered.wait(5)
    during = _post(app.test_client(), "order-9", ARTICLE)
    release.set()
    first.join(5)
    assert statuses == [200]
    assert during.status_code == 409
    assert during.get_json()["type"] == "urn:readout:problem:idempotency-key-in-use"
    after = _post(app.test_client(), "order-9", ARTICLE)
    assert after.headers["Idempotent-Replayed"] == "true"
    assert llm.calls.call_count == 1


def test_keys_belong_to_the_api_key_that_sent_them(llm: respx.MockRouter, tmp_path: Path) -> None:
    client = _app(llm, tmp_path, api_keys="alpha-key,beta-key").test_client()
    alpha, beta = {"Authorization": "Bearer alpha-key"}, {"Authorization": "Bearer beta-key"}
    assert _post(client, "shared", ARTICLE, **alpha).status_code == 200
    other = _post(client, "shared", {**ARTICLE, "title": "Beta's own"}, **beta)
    assert other.status_code == 200 and "Idempotent-Replayed" not in other.headers
    assert llm.calls.call_count == 2


def test_a_failed_request_is_not_kept_so_a_retry_runs_again(
    llm: respx.MockRouter, tmp_path: Path
) -> None:
    failing = [httpx.Response(500, json={"error": {"message": "boom"}})] * 3
    llm.post("/chat/completions").mock(side_effect=[*failing, completion(answer("fjord-patrols"))])
    client = _app(llm, tmp_path).test_client()
    assert _post(client, "order-10", ARTICLE).status_code == 502
    retried = _post(client, "order-10", ARTICLE)
    assert retried.status_code == 200 and "Idempotent-Replayed" not in retried.headers
    assert llm.calls.call_count == 4


def test_keys_expire(llm: respx.MockRouter, tmp_path: Path) -> None:
    client = _app(llm, tmp_path, idempotency_ttl_s=1).test_client()
    assert _post(client, "order-11", ARTICLE).status_code == 200
    time.sleep(1.2)
    assert _post(client, "order-11", {**ARTICLE, "title": "Later"}).status_code == 200


def test_an_unreadable_key_is_a_400_problem(llm: respx.MockRouter, tmp_path: Path) -> None:
    client = _app(llm, tmp_path).test_client()
    for key in ("", "x" * 256, "caf\u00e9"):
        response = _post(client, key, ARTICLE)
        assert response.status_code == 400, key
        assert response.get_json()["type"] == "urn:readout:problem:invalid-idempotency-key"
    assert llm.calls.call_count == 0
