"""The completion request as the upstream receives it: what the SDK's `create` would have sent.

The engine posts instructor's arguments through the SDK's `post` instead of
`chat.completions.create`, skipping the SDK's parameter transform (a deep, type-directed copy).
That is only sound while the transform changes nothing in those arguments: these tests run the
transform over every body sent, in every instructor mode, and on a re-ask, and compare.
"""

from __future__ import annotations

import json
from typing import Any

import openai.resources.chat.completions.completions as sdk_completions
import pytest
import respx
from openai._utils import maybe_transform
from openai.types.chat import completion_create_params

from service import create_app
from tests.conftest import answer, article, completion, make_settings

ANSWER = answer("fjord-patrols")


def _answers(mode: str) -> list[Any]:
    if mode == "tools":
        return [completion(ANSWER)]
    return [completion(None, finish_reason="stop", content=json.dumps(ANSWER))]


def _sent(route: respx.Route) -> list[dict[str, Any]]:
    return [json.loads(call.request.content) for call in route.calls]


@pytest.mark.parametrize("mode", ["tools", "json_schema", "json", "md_json"])
def test_the_body_is_what_the_sdk_transform_would_send(mode: str, llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(side_effect=_answers(mode))
    client = create_app(make_settings(mode=mode)).test_client()
    response = client.post("/v1/summaries", json={"text": article("fjord-patrols")})
    assert response.status_code == 200, response.get_data(as_text=True)
    (body,) = _sent(route)
    expected = maybe_transform(body, completion_create_params.CompletionCreateParamsNonStreaming)
    assert body == expected
    assert body["model"] == "test-model" and body["temperature"] == 0
    assert body["messages"][0]["role"] == "system" and body["max_tokens"] > 0
    assert ("tools" in body) == (mode == "tools")


def test_a_re_ask_is_sent_as_the_sdk_would_send_it(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(
        side_effect=[completion('{"actors": [}'), completion(ANSWER)]
    )
    client = create_app(make_settings()).test_client()
    response = client.post("/v1/summaries", json={"text": article("fjord-patrols")})
    assert response.status_code == 200, response.get_data(as_text=True)
    bodies = _sent(route)
    assert len(bodies) == 2 and len(bodies[1]["messages"]) > len(bodies[0]["messages"])
    for body in bodies:
        transformed = completion_create_params.CompletionCreateParamsNonStreaming
        assert body == maybe_transform(body, transformed)


def test_the_request_carries_the_api_key_and_the_sdk_headers(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(ANSWER))
    client = create_app(make_settings()).test_client()
    assert client.post("/v1/summaries", json={"text": article("fjord-patrols")}).status_code == 200
    request = route.calls.last.request
    assert request.headers["authorization"] == "Bearer sk-test-secret"
    assert request.headers["content-type"] == "application/json"
    assert "x-stainless-lang" in request.headers


def test_the_sdk_transform_is_not_run_per_request(
    llm: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[object] = []
    monkeypatch.setattr(sdk_completions, "maybe_transform", lambda *a, **k: runs.append(a))
    llm.post("/chat/completions").mock(return_value=completion(ANSWER))
    client = create_app(make_settings()).test_client()
    assert client.post("/v1/summaries", json={"text": article("fjord-patrols")}).status_code == 200
    assert runs == []


def test_instructor_patches_the_completion_once_per_engine_not_per_request(
    llm: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    import instructor

    client = create_app(make_settings()).test_client()
    patched: list[object] = []
    real = instructor.patch
    monkeypatch.setattr(instructor, "patch", lambda *a, **k: patched.append(k) or real(*a, **k))
    llm.post("/chat/completions").mock(return_value=completion(ANSWER))
    for _ in range(2):
        response = client.post("/v1/summaries", json={"text": article("fjord-patrols")})
        assert response.status_code == 200
    assert patched == []
