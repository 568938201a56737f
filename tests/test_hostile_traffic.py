"""Hostile traffic under gunicorn: no single request, handful of requests or upstream answer
stops the service answering `/healthz` and a normal summary within a second."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.fakeupstream import FakeUpstream
from tests.hostile import LONG_PROSE, PARENTHESES, Probe, answers, rss_mb, slow_bodies, trickle
from tests.liveserver import LiveService

pytestmark = pytest.mark.slow
BODY_TIMEOUT_S = 2.0
TIMEOUT_S = 2.0
PROBLEM = "urn:readout:problem:"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeUpstream]:
    """The fake LLM upstream, scripted per test."""
    with FakeUpstream() as server:
        yield server


@pytest.fixture(scope="module")
def service(fake: FakeUpstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    """One gevent worker, so every hostile request lands beside the probe's.

    The LLM is the default engine; the probe asks for the rules engine, which `auto` enables.
    """
    env = {
        "OPENAI_BASE_URL": fake.url,
        "READOUT_ENGINE": "auto",
        "READOUT_TIMEOUT_S": str(TIMEOUT_S),
        "READOUT_UPSTREAM_RETRIES": "0",
        "READOUT_BODY_TIMEOUT_S": str(BODY_TIMEOUT_S),
    }
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with LiveService(env, log, workers=1) as live:
        # Warm up: the first summary of each engine pays for lazy set-up.
        for engine in ("rules", "llm"):
            body = {"text": "Ministers met in Oslo on Monday.", "engine": engine}
            assert httpx.post(f"{live.url}/v1/summaries", json=body, timeout=30).status_code == 200
        yield live


def _post(url: str, text: str, engine: str = "rules") -> tuple[int, str, float]:
    started = time.monotonic()
    response = httpx.post(f"{url}/v1/summaries", json={"text": text, "engine": engine}, timeout=60)
    kind = response.json().get("type", "") if response.status_code != 200 else ""
    return response.status_code, kind, time.monotonic() - started


def test_the_four_request_outage_no_longer_happens(service: LiveService) -> None:
    """Four 100,000-character runs of `(` (once ~40 s of a stalled worker, then a dead one)."""
    with Probe(service.url).running() as probe, ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: _post(service.url, PARENTHESES), range(4)))
    assert [status for status, _, _ in results] == [200] * 4, results
    assert probe.within(1.0), probe.summary()
    assert probe.failures == []


def test_the_rules_engine_on_100000_characters_does_not_stall_the_worker(
    service: LiveService,
) -> None:
    with Probe(service.url).running() as probe:
        status, kind, took = _post(service.url, LONG_PROSE)
    assert (status, kind) in {(200, ""), (503, PROBLEM + "processing-budget-exceeded")}
    assert took > 1.0  # long enough for the probe to have asked several times meanwhile
    assert probe.within(1.0), probe.summary()
    assert len(probe.healthz) >= 3


def test_slow_bodies_get_408_and_cannot_pin_connections(service: LiveService) -> None:
    conns = slow_bodies(service.url, 300)
    try:
        with Probe(service.url).running() as probe:
            trickle(conns, BODY_TIMEOUT_S + 1.0)
        statuses = answers(conns, wait=5.0)
    finally:
        for conn in conns:
            conn.close()
    assert [status[:12] for status in statuses] == [b"HTTP/1.1 408"] * 300
    assert probe.within(1.0), probe.summary()
    assert probe.failures == []


def test_a_slow_drip_upstream_gets_504_at_the_deadline(
    fake: FakeUpstream, service: LiveService
) -> None:
    fake.set_scenario("drip:0.05")
    with Probe(service.url).running() as probe, ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: _post(service.url, LONG_PROSE[:3000], "llm"), range(4)))
    for status, kind, took in results:
        assert (status, kind) == (504, PROBLEM + "upstream-timeout")
        assert took < TIMEOUT_S + 1.0
    assert probe.within(1.0), probe.summary()


def test_50_mb_upstream_answers_leave_worker_memory_flat(
    fake: FakeUpstream, service: LiveService
) -> None:
    worker = service.worker_pids()[0]
    before = rss_mb(worker)
    fake.set_scenario("huge:50")
    with Probe(service.url).running() as probe, ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: _post(service.url, LONG_PROSE[:3000], "llm"), range(4)))
    assert {(status, kind) for status, kind, _ in results} == {
        (502, PROBLEM + "upstream-answer-too-large")
    }
    # Read whole, four such answers took the worker from 270 MB to 1.36 GB.
    assert rss_mb(worker) - before < 50
    assert probe.within(1.0), probe.summary()


def test_the_worker_survived_all_of_it(service: LiveService, tmp_path: Path) -> None:
    assert len(service.worker_pids()) == 1
    assert "WORKER TIMEOUT" not in service.log.read_text()
