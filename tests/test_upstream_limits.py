"""One deadline for the whole upstream exchange, and a byte limit on the upstream's answer."""

from __future__ import annotations

import gzip
import json
import time
import tracemalloc
from collections.abc import Iterator

import httpx
import pytest
import respx

from service import create_app
from service.config import Settings
from tests.conftest import article, completion, make_settings
from tests.fakeupstream import FakeUpstream

PROBLEM = "urn:readout:problem:"


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    """A fake upstream on 127.0.0.1, really reached over TCP."""
    with FakeUpstream() as server:
        yield server


def _post(fake: FakeUpstream, **settings: object) -> httpx.Response:
    app = create_app(make_settings(openai_base_url=fake.url, **settings))
    response = app.test_client().post("/v1/summaries", json={"text": article("fjord-patrols")})
    return httpx.Response(response.status_code, content=response.data)


def test_a_slow_drip_upstream_gets_504_within_the_deadline(fake: FakeUpstream) -> None:
    app = create_app(make_settings(openai_base_url=fake.url, timeout_s=1.0, upstream_retries=0))
    client = app.test_client()
    fake.set_scenario("valid")
    assert client.post("/v1/summaries", json={"text": article("fjord-patrols")}).status_code == 200
    fake.set_scenario("drip:0.05")
    started = time.monotonic()
    response = client.post("/v1/summaries", json={"text": article("fjord-patrols")})
    elapsed = time.monotonic() - started
    assert response.status_code == 504
    assert response.get_json()["type"] == PROBLEM + "upstream-timeout"
    # Every byte arrived within the per-read timeout: only a deadline on the whole exchange ends it.
    assert 0.9 < elapsed < 1.5
    assert fake.calls == 1


def test_a_slow_drip_upstream_frees_its_slot(fake: FakeUpstream) -> None:
    app = create_app(
        make_settings(
            openai_base_url=fake.url, timeout_s=1.0, upstream_retries=0, max_concurrent_upstream=1
        )
    )
    client = app.test_client()
    fake.set_scenario(["drip:0.05", "valid"])
    first = client.post("/v1/summaries", json={"text": article("fjord-patrols")})
    second = client.post("/v1/summaries", json={"text": article("fjord-patrols")})
    assert (first.status_code, second.status_code) == (504, 200)


def test_an_oversized_answer_is_a_502_and_never_held_whole(fake: FakeUpstream) -> None:
    fake.set_scenario("huge:50")
    tracemalloc.start()
    try:
        response = _post(fake)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 502
    body = response.json()
    assert body["type"] == PROBLEM + "upstream-answer-too-large"
    # Not retried, and no usage estimated from a body that was never read.
    assert fake.calls == 1
    assert body["attempts"] == 0
    assert body["usage"]["total_tokens"] == 0
    assert peak < 20_000_000, f"peak {peak / 1e6:.0f} MB while a 50 MB answer arrived"


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    llm: respx.MockRouter,
) -> None:
    big = json.dumps({"padding": " " * 5000}).encode()
    llm.post("/chat/completions").mock(
        return_value=httpx.Response(200, content=big, headers={"Content-Type": "application/json"})
    )
    app = create_app(make_settings(max_upstream_bytes=4096))
    response = app.test_client().post("/v1/summaries", json={"text": article("fjord-patrols")})
    assert response.status_code == 502
    assert response.get_json()["type"] == PROBLEM + "upstream-answer-too-large"
    assert llm.calls.call_count == 1


def test_a_compressed_answer_is_neither_asked_for_nor_accepted(llm: respx.MockRouter) -> None:
    plain = completion(json.loads(json.dumps({"summary": "x"}))).content
    route = llm.post("/chat/completions").mock(
        return_value=httpx.Response(
            200,
            content=gzip.compress(plain),
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
    )
    app = create_app(make_settings())
    response = app.test_client().post("/v1/summaries", json={"text": article("fjord-patrols")})
    assert route.calls[0].request.headers["Accept-Encoding"] == "identity"
    assert response.status_code == 502
    assert response.get_json()["type"] == PROBLEM + "upstream-failed"


def test_the_byte_limit_defaults_from_the_output_token_cap() -> None:
    assert Settings(max_output_tokens=1000).upstream_byte_limit() == 1000 * 32 + 256 * 1024
    assert Settings(max_upstream_bytes=65536).upstream_byte_limit() == 65536
