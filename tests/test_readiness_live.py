"""Readiness under gunicorn against a counting fake upstream: polling costs the provider nothing,
an outage shows only once a probe has seen it (never with the rules fallback), and a recovery
within one interval."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.fakeupstream import FakeUpstream
from tests.liveserver import LiveService

INTERVAL_S = 1.0
WORKERS = 2
# A probe waits the interval plus up to 10% jitter; its own call takes a few milliseconds.
WITHIN = INTERVAL_S * 1.1 + 0.5
NOT_PROBED = "not probed yet"

pytestmark = pytest.mark.slow


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    """The counting fake upstream."""
    with FakeUpstream() as server:
        yield server


def _service(fake: FakeUpstream, log: Path, **env: str) -> LiveService:
    settings = {
        "OPENAI_BASE_URL": fake.url,
        "READOUT_ENGINE": "llm",
        "READOUT_READY_PROBE_S": str(INTERVAL_S),
        **env,
    }
    return LiveService(settings, log, workers=WORKERS)


def _started(service: LiveService, fake: FakeUpstream) -> None:
    """Every worker has probed once (each probes at boot) and `/readyz` answers 200: before that,
    a worker that gunicorn's accepting rarely hands a connection to may still be unprobed."""
    deadline = time.monotonic() + 10
    while fake.models_calls < WORKERS:
        assert time.monotonic() < deadline, "the workers did not probe at boot"
        time.sleep(0.05)
    _wait_for(service.url, 200, 10)


def _wait_for(url: str, status: int, limit: float) -> float:
    """Seconds until every worker answers `/readyz` with `status` (fails past `limit`)."""
    started = time.monotonic()
    with httpx.Client(timeout=2) as client:
        while time.monotonic() - started < limit:
            # Several in a row, each on a new connection (a kept-alive one stays with the worker
            # that accepted it), so that each worker (whichever accepts) has answered it.
            if all(
                client.get(f"{url}/readyz", headers={"Connection": "close"}).status_code == status
                for _ in range(8)
            ):
                return time.monotonic() - started
            time.sleep(0.05)
    raise AssertionError(f"/readyz did not answer {status} within {limit} s")


def test_a_thousand_polls_cost_at_most_one_probe_per_worker_per_interval(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    with _service(fake, tmp_path / "gunicorn.log") as service:
        _started(service, fake)
        before, started = fake.models_calls, time.monotonic()
        with httpx.Client(timeout=5) as client, ThreadPoolExecutor(8) as pool:
            statuses = list(
                pool.map(lambda _: client.get(f"{service.url}/readyz").status_code, range(1000))
            )
        elapsed = time.monotonic() - started
        probes = fake.models_calls - before
    assert statuses == [200] * 1000
    assert probes <= WORKERS * (elapsed / INTERVAL_S + 1), (probes, elapsed)


def test_an_outage_flips_readiness_only_once_probed_and_a_recovery_within_an_interval(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    with _service(fake, tmp_path / "gunicorn.log") as service:
        _started(service, fake)
        fake.models_status = 503
        probes_at_outage = fake.models_calls
        with httpx.Client(timeout=2) as client:
            # A worker that has not probed yet since it started says so; that is not the outage.
            while (response := client.get(f"{service.url}/readyz")).status_code == 200 or (
                response.json()["checks"]["llm_upstream"]["reason"] == NOT_PROBED
            ):
                time.sleep(0.02)
        # The first 503 came from a worker whose probe had called the upstream since it went down.
        assert fake.models_calls > probes_at_outage
        assert response.json()["checks"]["llm_upstream"]["reason"] == "upstream answered 503"
        _wait_for(service.url, 503, WITHIN)
        fake.models_status = 200
        assert _wait_for(service.url, 200, WITHIN + 1) < WITHIN


def test_with_the_rules_fallback_an_outage_never_takes_the_process_out(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    with _service(fake, tmp_path / "gunicorn.log", READOUT_FALLBACK="rules") as service:
        _started(service, fake)
        fake.models_status = 503
        probes_at_outage = fake.models_calls
        deadline = time.monotonic() + 3 * INTERVAL_S
        with httpx.Client(timeout=2) as client:
            while time.monotonic() < deadline:
                response = client.get(f"{service.url}/readyz")
                assert response.status_code == 200
                time.sleep(0.05)
        assert fake.models_calls >= probes_at_outage + WORKERS
        body = response.json()
        assert body["status"] == "degraded"
        assert body["checks"]["llm_upstream"]["ok"] is False
