"""Choosing the engine (`READOUT_ENGINE`, per request) and falling back to rules on LLM failure."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from flask.testing import FlaskClient

from service import create_app
from service.config import Settings
from tests.conftest import answer, article, completion, make_settings

TEXT = article("fjord-patrols")


def _client(**overrides: Any) -> FlaskClient:
    return create_app(make_settings(**overrides)).test_client()


def test_auto_without_llm_configuration_uses_rules(llm: respx.MockRouter) -> None:
    settings = Settings(openai_api_key=None, openai_base_url=None, engine="auto")
    assert settings.default_engine() == "rules"
    client = create_app(settings).test_client()
    response = client.post("/v1/summaries", json={"text": TEXT, "published_at": "2026-03-15"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["meta"]["engine"] == "rules"
    assert body["actors"] and body["calls"]
    assert llm.calls.call_count == 0


def test_auto_with_a_key_uses_the_llm(llm: respx.MockRouter) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    body = _client(engine="auto").post("/v1/summaries", json={"text": TEXT}).get_json()
    assert body["meta"]["engine"] == "llm"


def test_auto_with_only_a_base_url_uses_the_llm() -> None:
    settings = Settings(openai_api_key=None, openai_base_url="http://127.0.0.1:9/v1")
    assert settings.default_engine() == "llm"


def test_a_client_may_ask_for_rules_under_auto(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions")
    response = _client(engine="auto").post("/v1/summaries", json={"text": TEXT, "engine": "rules"})
    assert response.status_code == 200
    assert response.get_json()["meta"]["engine"] == "rules"
    assert route.call_count == 0


@pytest.mark.parametrize(
    ("settings", "asked"),
    [({"engine": "llm"}, "rules"), ({"engine": "rules"}, "llm")],
)
def test_engines_the_operator_did_not_enable_are_refused(
    llm: respx.MockRouter, settings: dict[str, Any], asked: str
) -> None:
    route = llm.post("/chat/completions")
    response = _client(**settings).post("/v1/summaries", json={"text": TEXT, "engine": asked})
    assert response.status_code == 422
    assert response.get_json()["type"] == "urn:readout:problem:engine-not-allowed"
    assert route.call_count == 0


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (httpx.Response(500, json={}), 502),
        (httpx.Response(429, headers={"Retry-After": "60"}, json={}), 503),
        (httpx.ConnectError("down"), 503),
    ],
)
def test_fallback_answers_with_rules_and_says_why(
    llm: respx.MockRouter, reply: Any, status: int
) -> None:
    if isinstance(reply, Exception):
        llm.post("/chat/completions").mock(side_effect=reply)
    else:
        llm.post("/chat/completions").mock(return_value=reply)
    response = _client(fallback="rules").post("/v1/summaries", json={"text": TEXT})
    assert response.status_code == 200
    meta = response.get_json()["meta"]
    assert meta["engine"] == "rules"
    assert any(f"({status})" in w and "llm engine failed" in w for w in meta["warnings"])


def test_fallback_covers_output_that_stays_unparsable(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion("{not json"))
    response = _client(fallback="rules").post("/v1/summaries", json={"text": TEXT})
    assert response.status_code == 200
    meta = response.get_json()["meta"]
    assert meta["engine"] == "rules" and route.call_count == 3
    assert meta["attempts"] >= 3 and meta["usage"]["total_tokens"] == 450


def test_an_ungrounded_item_is_set_aside_not_a_fallback(llm: respx.MockRouter) -> None:
    bad = answer("fjord-patrols")
    bad["actors"][5]["name"] = "Nobody In This Article"
    route = llm.post("/chat/completions").mock(return_value=completion(bad))
    response = _client(fallback="rules").post("/v1/summaries", json={"text": TEXT})
    assert response.status_code == 200
    meta = response.get_json()["meta"]
    assert meta["engine"] == "llm" and route.call_count == 3
    assert [(r["kind"], r["ref"]) for r in meta["rejected"]] == [("actor", "A6")]


def test_without_fallback_the_llm_failure_is_returned(llm: respx.MockRouter) -> None:
    llm.post("/chat/completions").mock(return_value=httpx.Response(500, json={}))
    assert _client().post("/v1/summaries", json={"text": TEXT}).status_code == 502


def test_fallback_does_not_hide_client_errors(llm: respx.MockRouter) -> None:
    client = _client(fallback="rules", max_input_tokens=200)
    assert client.post("/v1/summaries", json={"text": TEXT}).status_code == 422


def test_whether_an_engine_reads_in_chunks_is_asked_once_per_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from service.pipeline import summariser as module
    from service.pipeline.engine import Chunks

    asked: list[object] = []
    real = isinstance

    def counting(obj: object, kind: object) -> bool:
        if kind is Chunks:
            asked.append(obj)
        return real(obj, kind)  # type: ignore[arg-type]

    app = create_app(make_settings())
    summariser = app.extensions["readout"].summariser
    monkeypatch.setattr(module, "isinstance", counting, raising=False)
    engine = summariser.engines["llm"]
    assert summariser._chunked(engine) is engine
    assert summariser._chunked(engine) is engine
    assert asked == [engine]
