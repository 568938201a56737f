"""One retry layer per failure kind: re-ask on invalid output, backoff on transient errors."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
import respx
from flask.testing import FlaskClient

from service import create_app
from tests.conftest import answer, article, completion, make_settings

TEXT = article("fjord-patrols")


def _post(client: FlaskClient) -> Any:
    return client.post("/v1/summaries", json={"text": TEXT, "published_at": "2026-03-15"})


def _invalid() -> dict[str, Any]:
    """Schema-invalid output (not an item that fails its checks): re-asked whole."""
    bad = answer("fjord-patrols")
    bad["claims"][0]["kind"] = "rumour-99"
    bad["claims"][0]["statement"] = "MODEL-OUTPUT-MARKER"
    return bad


def test_valid_at_once_makes_one_call(client: FlaskClient, llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    response = _post(client)
    assert response.status_code == 200
    assert route.call_count == 1
    assert response.get_json()["meta"]["attempts"] == 1


def test_invalid_then_valid_reasks_with_the_validation_error(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(
        side_effect=[completion(_invalid()), completion(answer("fjord-patrols"))]
    )
    response = _post(client)
    assert response.status_code == 200
    assert route.call_count == 2
    meta = response.get_json()["meta"]
    assert meta["attempts"] == 2
    assert meta["usage"] == {"prompt_tokens": 200, "completion_tokens": 100, "total_tokens": 300}
    reask = json.loads(route.calls[1].request.content)["messages"]
    assert len(reask) > 2
    assert "claims.0.kind" in json.dumps(reask)


def test_always_invalid_gives_502_after_max_attempts(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(_invalid()))
    response = _post(client)
    assert response.status_code == 502
    assert route.call_count == 3
    body = response.get_json()
    assert body["type"] == "urn:readout:problem:model-output-invalid"
    assert body["attempts"] == 3
    assert body["usage"]["total_tokens"] == 450
    assert "MODEL-OUTPUT-MARKER" not in json.dumps(body)  # never the model's output
    assert "rumour-99" not in json.dumps(body)


def test_max_attempts_setting_bounds_the_reasks(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(_invalid()))
    client = create_app(make_settings(max_attempts=2)).test_client()
    assert _post(client).status_code == 502
    assert route.call_count == 2


def test_unparsable_output_is_reasked(client: FlaskClient, llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(
        side_effect=[completion("{not json"), completion(answer("fjord-patrols"))]
    )
    assert _post(client).status_code == 200
    assert route.call_count == 2


def test_429_then_valid_retries_after_the_asked_delay(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(
                429, headers={"Retry-After": "0.2"}, json={"error": {"message": "slow"}}
            ),
            completion(answer("fjord-patrols")),
        ]
    )
    started = time.monotonic()
    response = _post(client)
    assert response.status_code == 200
    assert route.call_count == 2
    assert time.monotonic() - started >= 0.2
    assert response.get_json()["meta"]["attempts"] == 1  # a 429 is not a model attempt


def test_api_errors_are_not_fed_back_as_validation_errors(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(
        side_effect=[
            httpx.Response(500, json={"error": {"message": "boom"}}),
            completion(answer("fjord-patrols")),
        ]
    )
    assert _post(client).status_code == 200
    second = json.loads(route.calls[1].request.content)["messages"]
    assert len(second) == 2  # the same prompt, no re-ask turn


def test_always_500_gives_502_after_the_transient_retries(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(
        return_value=httpx.Response(500, json={"error": {"message": "secret upstream detail"}})
    )
    response = _post(client)
    assert response.status_code == 502
    assert route.call_count == 3  # 1 + READOUT_UPSTREAM_RETRIES (2)
    body = response.get_json()
    assert body["type"] == "urn:readout:problem:upstream-failed"
    assert "secret upstream detail" not in response.get_data(as_text=True)
    assert body["attempts"] == 0


def test_rate_limited_beyond_the_deadline_answers_503_at_once(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(
        return_value=httpx.Response(429, headers={"Retry-After": "30"}, json={})
    )
    started = time.monotonic()
    response = _post(client)
    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert route.call_count == 1
    assert response.headers["Retry-After"] == "30"
    assert response.mimetype == "application/problem+json"


def test_connection_errors_answer_503(client: FlaskClient, llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(side_effect=httpx.ConnectError("refused"))
    response = _post(client)
    assert response.status_code == 503
    assert route.call_count == 3
    assert response.headers["Retry-After"]


def _never_answers(request: httpx.Request) -> httpx.Response:
    """Wait out the client's read timeout, as a silent upstream would, then time out."""
    time.sleep(request.extensions["timeout"]["read"])
    raise httpx.ReadTimeout("no answer", request=request)


def test_never_answers_gives_504_within_the_deadline(llm: respx.MockRouter) -> None:
    route = llm.post("/chat/completions").mock(side_effect=_never_answers)
    client = create_app(make_settings(timeout_s=1.0)).test_client()
    started = time.monotonic()
    response = _post(client)
    assert response.status_code == 504
    assert response.get_json()["type"] == "urn:readout:problem:upstream-timeout"
    assert 0.9 < time.monotonic() - started < 2
    assert route.call_count == 1


@pytest.mark.parametrize(
    ("reply", "slug"),
    [
        (completion(answer("fjord-patrols"), finish_reason="length"), "model-output-truncated"),
        (completion(None, finish_reason="stop", refusal="I can't help."), "model-refused"),
    ],
)
def test_truncation_and_refusal_are_distinct_502s_without_reask(
    client: FlaskClient, llm: respx.MockRouter, reply: httpx.Response, slug: str
) -> None:
    route = llm.post("/chat/completions").mock(return_value=reply)
    response = _post(client)
    assert response.status_code == 502
    assert response.get_json()["type"] == f"urn:readout:problem:{slug}"
    assert response.get_json()["attempts"] == 1
    assert route.call_count == 1


def test_prompt_over_the_token_budget_is_422_without_upstream_call(
    llm: respx.MockRouter,
) -> None:
    route = llm.post("/chat/completions")
    client = create_app(make_settings(max_input_tokens=200)).test_client()
    response = client.post("/v1/summaries", json={"text": TEXT})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["type"] == "too_many_tokens"
    assert route.call_count == 0


def test_missing_upstream_usage_is_estimated_offline(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    reply = completion(answer("fjord-patrols"))
    body = json.loads(reply.content)
    del body["usage"]
    llm.post("/chat/completions").mock(return_value=httpx.Response(200, json=body))
    meta = _post(client).get_json()["meta"]
    assert meta["usage"]["prompt_tokens"] > 500
    assert meta["usage"]["completion_tokens"] > 100
    assert any("estimated" in w for w in meta["warnings"])


def test_upstream_503_is_unavailable_and_passes_on_its_retry_after(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(
        return_value=httpx.Response(503, headers={"Retry-After": "45"}, json={})
    )
    response = _post(client)
    assert response.status_code == 503
    assert response.get_json()["type"] == "urn:readout:problem:upstream-unavailable"
    assert response.headers["Retry-After"] == "45"
    assert route.call_count == 1  # 45 s is past the deadline: no retry
