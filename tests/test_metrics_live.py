"""`GET /metrics` under the real gunicorn with two workers: every worker's counts add up."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fakeupstream import FakeUpstream
from tests.liveserver import LiveService

ARTICLE = (Path(__file__).parent / "fixtures" / "articles" / "fjord-patrols.txt").read_text("utf-8")
REQUESTS = 16


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    """A fake upstream answering validly after 0.2 s, so requests overlap across workers."""
    with FakeUpstream("valid", latency=0.2) as server:
        yield server


def scrape(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of `GET /metrics`, keyed by name and labels."""
    response = httpx.get(f"{url}/metrics", timeout=10)
    assert response.status_code == 200
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def summarise(url: str) -> dict[str, Any]:
    response = httpx.post(
        f"{url}/v1/summaries", json={"text": ARTICLE, "published_at": "2026-03-16"}, timeout=30
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def processes_that_answered(log: Path) -> set[int]:
    """The worker PIDs whose access log lines record a summary."""
    pids = set()
    for line in log.read_text("utf-8").splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("logger") == "readout.access" and record.get("path") == "/v1/summaries":
                pids.add(int(record["process"]))
    return pids


def metrics_dirs(temp: Path) -> list[Path]:
    """The gunicorn master's private metrics directories under `temp`."""
    return list(temp.glob("readout-metrics-*"))


def wait_for_new_workers(service: LiveService, old: set[int]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = set(service.worker_pids())
        if len(pids) == 2 and not pids & old:
            try:
                if httpx.get(f"{service.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
        time.sleep(0.1)
    raise AssertionError("gunicorn did not replace its workers")


def test_counts_of_every_worker_add_up_and_survive_dead_workers(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {
        "OPENAI_BASE_URL": fake.url,
        "READOUT_ENGINE": "llm",
        "READOUT_TIMEOUT_S": "20",
        "TMPDIR": str(temp),
    }
    log = tmp_path / "gunicorn.log"
    service = LiveService(env, log, workers=2).start()
    try:
        assert len(metrics_dirs(temp)) == 1
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: summarise(service.url), range(REQUESTS)))
        usage = [a["meta"]["usage"] for a in answers]

        assert len(processes_that_answered(log)) == 2
        samples = scrape(service.url)
        summaries = {"method": "POST", "route": "/v1/summaries", "status": "200"}
        assert value(samples, "http_server_request_duration_seconds_count", **summaries) == REQUESTS
        assert (
            value(samples, "readout_upstream_calls_total", outcome="ok") == fake.calls == REQUESTS
        )
        assert value(samples, "readout_model_attempts_total", engine="llm") == REQUESTS
        tokens = {"gen_ai_request_model": "gpt-4o-mini"}
        assert value(
            samples, "gen_ai_client_token_usage_sum", gen_ai_token_type="input", **tokens
        ) == sum(u["prompt_tokens"] for u in usage)
        assert value(
            samples, "gen_ai_client_token_usage_sum", gen_ai_token_type="output", **tokens
        ) == sum(u["completion_tokens"] for u in usage)

        # Two requests hang upstream; both workers are killed under them.
        fake.set_scenario("slow:30")
        with ThreadPoolExecutor(2) as pool:
            hanging = [
                pool.submit(
                    httpx.post, f"{service.url}/v1/summaries", json={"text": ARTICLE}, timeout=30
                )
                for _ in range(2)
            ]
            deadline = time.monotonic() + 10
            while fake.calls < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert value(scrape(service.url), "http_server_active_requests", method="POST") == 2
            old = set(service.worker_pids())
            for pid in old:
                os.kill(pid, signal.SIGKILL)
            for future in hanging:
                with pytest.raises(httpx.TransportError):
                    future.result()
        wait_for_new_workers(service, old)

        after = scrape(service.url)
        # The dead workers' counts stay; their requests in flight no longer count.
        assert value(after, "http_server_request_duration_seconds_count", **summaries) == REQUESTS
        assert value(after, "readout_upstream_calls_total", outcome="ok") == REQUESTS
        assert value(after, "http_server_active_requests", method="POST") == 0
        assert value(after, "http_server_active_requests", method="GET") == 1  # this scrape
    finally:
        fake.set_scenario("valid")
        assert service.stop() == 0
    assert metrics_dirs(temp) == []
