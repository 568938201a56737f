"""SIGTERM to the real gunicorn master while requests are in flight."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.fakeupstream import FakeUpstream
from tests.liveserver import LiveService

ARTICLE = (Path(__file__).parent / "fixtures" / "articles" / "fjord-patrols.txt").read_text("utf-8")
UPSTREAM_LATENCY_S = 1.5
GRACEFUL_TIMEOUT_S = 6
IN_FLIGHT = 8
REFUSED_WITHIN_S = 1.3


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    """A fake upstream answering validly (after 1.5 s once the test sets its latency)."""
    with FakeUpstream("valid") as server:
        yield server


def _wait_until_refused(url: str, since: float) -> tuple[float, list[int]]:
    """Seconds from `since` until a new connection is refused, and what earlier probes got."""
    answered: list[int] = []
    while time.monotonic() - since < REFUSED_WITHIN_S + 1:
        try:
            answered.append(httpx.get(f"{url}/healthz", timeout=2).status_code)
        except httpx.ConnectError:
            return time.monotonic() - since, answered
        time.sleep(0.05)
    raise AssertionError("new connections were still accepted")


def _post(url: str) -> int:
    response = httpx.post(
        f"{url}/v1/summaries", json={"text": ARTICLE, "published_at": "2026-03-16"}, timeout=30
    )
    return response.status_code


def test_sigterm_drains_in_flight_requests_refuses_new_ones_and_exits_in_time(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    """In-flight requests finish with 200; new connections are refused; gunicorn exits in time."""
    env = {
        "OPENAI_BASE_URL": fake.url,
        "READOUT_ENGINE": "llm",
        "READOUT_TIMEOUT_S": "10",
        "READOUT_GRACEFUL_TIMEOUT_S": str(GRACEFUL_TIMEOUT_S),
    }
    service = LiveService(env, tmp_path / "gunicorn.log", workers=2).start()
    try:
        with ThreadPoolExecutor(IN_FLIGHT) as pool:
            # Warm both workers up (first requests pay for lazy set-up), then slow the upstream.
            assert set(pool.map(_post, [service.url] * 2 * IN_FLIGHT)) == {200}
            fake.set_scenario("valid", latency=UPSTREAM_LATENCY_S)
            futures = [pool.submit(_post, service.url) for _ in range(IN_FLIGHT)]
            waited = time.monotonic() + UPSTREAM_LATENCY_S / 2
            while fake.calls < IN_FLIGHT and time.monotonic() < waited:
                time.sleep(0.01)
            assert fake.calls == IN_FLIGHT, "every request should be waiting on the upstream"

            signalled = time.monotonic()
            service.terminate()
            refused_after, answered = _wait_until_refused(service.url, signalled)
            assert not any(f.done() for f in futures), "refused while requests were in flight"

            statuses = [f.result() for f in futures]
        assert statuses == [200] * IN_FLIGHT
        assert service.process is not None
        code = service.process.wait(timeout=GRACEFUL_TIMEOUT_S + 5)
        exited = time.monotonic() - signalled
    except (AssertionError, subprocess.TimeoutExpired):  # pragma: no cover - diagnostics
        print(service.log.read_text())
        raise
    finally:
        service.stop()
    assert code == 0
    assert exited < GRACEFUL_TIMEOUT_S
    # A gevent worker checks its alive flag once a second, then closes its listener.
    assert refused_after < REFUSED_WITHIN_S
    assert set(answered) <= {200}, "connections accepted before refusal are still answered"
    assert fake.calls == IN_FLIGHT
