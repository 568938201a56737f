"""The result cache: a repeated article costs no upstream call; errors and partial answers are
never kept; `Cache-Control` bypasses it; shared by every gunicorn worker of a machine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from flask.testing import FlaskClient

from schemas.contract import Rejected, SummaryResponse
from service import create_app
from service.store.cache import cacheable
from tests.conftest import answer, article, completion, make_settings
from tests.fakeupstream import FakeUpstream
from tests.liveserver import LiveService
from tests.redisserver import RedisServer

ARTICLE = {"text": article("fjord-patrols"), "published_at": "2026-03-16"}


@pytest.fixture
def cached(llm: respx.MockRouter, tmp_path: Path) -> FlaskClient:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    return create_app(make_settings(cache=True, cache_dir=tmp_path / "store")).test_client()


def _post(client: FlaskClient, body: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = client.post("/v1/summaries", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    found: dict[str, Any] = response.get_json()
    return found


def test_a_repeated_article_is_answered_from_the_cache(
    cached: FlaskClient, llm: respx.MockRouter
) -> None:
    first = _post(cached, {**ARTICLE, "id": "first"})
    again = _post(cached, {**ARTICLE, "id": "again"})
    assert llm.calls.call_count == 1
    assert first["meta"]["cached"] is False and again["meta"]["cached"] is True
    assert again["id"] == "again"
    assert again["meta"]["usage"]["total_tokens"] == 0 and again["meta"]["attempts"] == 0
    assert first["meta"]["usage"]["total_tokens"] > 0
    assert {k: v for k, v in again.items() if k not in {"id", "meta"}} == {
        k: v for k, v in first.items() if k not in {"id", "meta"}
    }
    unnamed = _post(cached, ARTICLE)
    assert unnamed["meta"]["cached"] is True and unnamed["id"] not in {"first", "again"}


@pytest.mark.parametrize(
    "change",
    [{"title": "Another title"}, {"published_at": "2026-03-17"}, {"offset_unit": "utf16"}],
)
def test_any_field_but_the_id_is_part_of_the_key(
    cached: FlaskClient, llm: respx.MockRouter, change: dict[str, str]
) -> None:
    _post(cached, ARTICLE)
    changed = _post(cached, {**ARTICLE, **change})
    assert changed["meta"]["cached"] is False
    assert llm.calls.call_count == 2


def test_the_model_is_part_of_the_key(llm: respx.MockRouter, tmp_path: Path) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    store = tmp_path / "store"
    for model in ("model-one", "model-two", "model-one"):
        client = create_app(make_settings(cache=True, cache_dir=store, model=model)).test_client()
        _post(client, ARTICLE)
    assert llm.calls.call_count == 2


def test_no_cache_skips_the_lookup_and_stores_the_fresh_answer(
    llm: respx.MockRouter, tmp_path: Path
) -> None:
    older, newer = answer("fjord-patrols"), answer("fjord-patrols")
    newer["summary"] = newer["summary"] + " Updated."
    llm.post("/chat/completions").mock(side_effect=[completion(older), completion(newer)])
    client = create_app(make_settings(cache=True, cache_dir=tmp_path / "store")).test_client()
    _post(client, ARTICLE)
    fresh = _post(client, ARTICLE, **{"Cache-Control": "no-cache"})
    assert fresh["meta"]["cached"] is False and fresh["summary"].endswith("Updated.")
    hit = _post(client, ARTICLE)
    assert hit["meta"]["cached"] is True and hit["summary"] == fresh["summary"]
    assert llm.calls.call_count == 2


def test_no_store_keeps_nothing(cached: FlaskClient, llm: respx.MockRouter) -> None:
    _post(cached, ARTICLE, **{"Cache-Control": "no-store"})
    assert _post(cached, ARTICLE)["meta"]["cached"] is False
    assert llm.calls.call_count == 2


def test_errors_are_never_cached(llm: respx.MockRouter, tmp_path: Path) -> None:
    failing = [httpx.Response(500, json={"error": {"message": "boom"}})] * 3
    llm.post("/chat/completions").mock(side_effect=[*failing, completion(answer("fjord-patrols"))])
    client = create_app(make_settings(cache=True, cache_dir=tmp_path / "store")).test_client()
    assert client.post("/v1/summaries", json=ARTICLE).status_code == 502
    assert _post(client, ARTICLE)["meta"]["cached"] is False
    assert llm.calls.call_count == 4


def test_only_complete_answers_from_the_engine_asked_for_are_kept(cached: FlaskClient) -> None:
    complete = SummaryResponse.model_validate(_post(cached, ARTICLE))
    assert cacheable(complete, "llm")
    assert not cacheable(complete, "rules")  # a fallback's answer
    partial = complete.model_copy(deep=True)
    partial.meta.rejected = [Rejected(kind="claim", ref="K2", reason="no evidence")]
    assert not cacheable(partial, "llm")


def test_cache_off_answers_afresh_every_time(llm: respx.MockRouter, tmp_path: Path) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    client = create_app(make_settings(cache=False, cache_dir=tmp_path / "store")).test_client()
    assert [_post(client, ARTICLE)["meta"]["cached"] for _ in range(2)] == [False, False]
    assert llm.calls.call_count == 2


def test_a_configured_redis_holds_the_cache(
    llm: respx.MockRouter, redis_server: RedisServer, tmp_path: Path
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    settings = make_settings(cache=True, cache_dir=tmp_path / "store", redis_url=redis_server.url)
    _post(create_app(settings).test_client(), ARTICLE)
    # Another app (another machine) on the same Redis answers from it.
    assert _post(create_app(settings).test_client(), ARTICLE)["meta"]["cached"] is True
    client = redis_server.client()
    try:
        assert client.keys("readout:result:*")
    finally:
        client.close()
    assert llm.calls.call_count == 1


def test_the_embedded_redis_leaves_the_cache_on_disk(
    llm: respx.MockRouter, redis_server: RedisServer, tmp_path: Path
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    settings = make_settings(
        cache=True, cache_dir=tmp_path / "store", redis_url=redis_server.url, redis_embedded=True
    )
    client = create_app(settings).test_client()
    _post(client, ARTICLE)
    assert _post(client, ARTICLE)["meta"]["cached"] is True
    redis = redis_server.client()
    try:
        assert redis.keys("readout:result:*") == []
    finally:
        redis.close()
    assert (tmp_path / "store" / "cache.db").exists()


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream("valid") as server:
        yield server


def test_the_cache_is_shared_by_every_worker_of_the_machine(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    env = {
        "OPENAI_BASE_URL": fake.url,
        "READOUT_ENGINE": "llm",
        "READOUT_CACHE": "on",
        "READOUT_CACHE_DIR": str(tmp_path / "store"),
    }
    log = tmp_path / "gunicorn.log"
    with LiveService(env, log, workers=2) as service:
        first = httpx.post(f"{service.url}/v1/summaries", json=ARTICLE, timeout=30)
        assert first.status_code == 200 and first.json()["meta"]["cached"] is False
        workers = service.worker_pids()
        answered_by: dict[int, bool] = {}
        for _ in range(40):  # new connections until both workers have answered
            again = httpx.post(f"{service.url}/v1/summaries", json=ARTICLE, timeout=30)
            assert again.json()["meta"]["cached"] is True
            if len(_summary_workers(log)) == 2:
                break
        answered_by = _summary_workers(log)
    assert fake.calls == 1
    assert set(answered_by) == set(workers), "one worker answered everything"
    assert sum(answered_by.values()) == 1  # a single miss; the other worker only hit


def _summary_workers(log: Path) -> dict[int, bool]:
    """Worker PID to whether it answered a summary afresh (a cache miss)."""
    found: dict[int, bool] = {}
    for line in log.read_text().splitlines():
        if line.startswith("{") and '"/v1/summaries"' in line:
            record = json.loads(line)
            found[record["process"]] = found.get(record["process"], False) or (
                record.get("cache") == "miss"
            )
    return found
