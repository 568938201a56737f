"""`readout worker` as real processes on a real Redis, against the fake LLM upstream."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from flask.testing import FlaskClient
from rq.registry import StartedJobRegistry

from service import create_app
from service.jobs.queue import queue
from tests.conftest import make_settings
from tests.fakeupstream import FakeUpstream
from tests.jobsupport import READOUT, WorkerProcess, wait_for, worker_env
from tests.liveserver import LiveService
from tests.redisserver import RedisServer

pytestmark = pytest.mark.slow


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream("valid") as upstream:
        yield upstream


@pytest.fixture
def api(jobs_redis: RedisServer, store: redis.Redis, fake: FakeUpstream) -> FlaskClient:
    settings = make_settings(redis_url=jobs_redis.url, openai_base_url=fake.url)
    return create_app(settings).test_client()


def articles(count: int) -> list[dict[str, Any]]:
    return [
        {"text": f"Minister Ilse Varn of Ostmark met envoys on day {i}. Ostmark said so."}
        for i in range(count)
    ]


def job(api: FlaskClient, location: str) -> dict[str, Any]:
    found: dict[str, Any] = api.get(f"{location}?limit=1000").get_json()
    return found


def done(api: FlaskClient, location: str) -> dict[str, Any] | None:
    found = job(api, location)
    return found if found["status"] == "done" else None


def test_a_worker_has_several_articles_in_flight_at_once(
    api: FlaskClient, fake: FakeUpstream, jobs_redis: RedisServer, tmp_path: Path
) -> None:
    fake.set_scenario("valid", latency=5.0)
    worker = WorkerProcess(worker_env(jobs_redis.url, fake.url), tmp_path / "w.log", 6)
    try:
        location = api.post("/v1/jobs", json={"articles": articles(6)}).headers["Location"]
        wait_for(lambda: fake.calls >= 1, 30, "the first call")
        # One at a time, the second call would come 5 s after the first.
        wait_for(lambda: fake.calls == 6, 4.0, "six calls at once")
        assert job(api, location)["done"] == 0
        finished = wait_for(lambda: done(api, location), 20, "the job")
        assert {r["status"] for r in finished["results"]} == {200}
    finally:
        assert worker.stop() == 0, worker.output()


def test_sigterm_lets_the_articles_in_hand_finish(
    api: FlaskClient, fake: FakeUpstream, jobs_redis: RedisServer, tmp_path: Path
) -> None:
    fake.set_scenario("valid", latency=2.0)
    worker = WorkerProcess(worker_env(jobs_redis.url, fake.url), tmp_path / "w.log", 4)
    location = api.post("/v1/jobs", json={"articles": articles(4)}).headers["Location"]
    wait_for(lambda: fake.calls == 4, 20, "four articles in flight")
    assert worker.stop(timeout=20) == 0, worker.output()
    finished = job(api, location)
    assert (finished["status"], finished["done"]) == ("done", 4)


def test_articles_a_killed_worker_held_are_run_by_another(
    api: FlaskClient, fake: FakeUpstream, jobs_redis: RedisServer, tmp_path: Path
) -> None:
    fake.set_scenario("valid", latency=2.0)
    env = worker_env(jobs_redis.url, fake.url, READOUT_TIMEOUT_S="3")
    doomed = WorkerProcess(env, tmp_path / "doomed.log", 4)
    wait_for(lambda: "worker started" in doomed.output(), 30, "the first worker")
    location = api.post("/v1/jobs", json={"articles": articles(12)}).headers["Location"]
    connection = redis.Redis.from_url(jobs_redis.url)
    started = StartedJobRegistry(queue=queue(connection))
    wait_for(lambda: len(started.get_job_ids()) == 4, 20, "the first worker to take four")
    wait_for(lambda: fake.calls == 4, 20, "its four calls upstream")
    held = len(started.get_job_ids())
    doomed.kill()
    survivor = WorkerProcess(env, tmp_path / "survivor.log", 4)
    try:
        # The held articles count as abandoned 3 + 15 + 5 s after they started; RQ's
        # maintenance (every 10 s) then puts them back on the queue.
        finished = wait_for(lambda: done(api, location), 90, "the job", every=0.5)
        assert finished["done"] == 12 and finished["failed"] == 0
        assert [r["index"] for r in finished["results"]] == list(range(12))
        assert {r["status"] for r in finished["results"]} == {200}
        assert fake.calls >= 12 + held  # the four it held were asked again
        assert "job_id" in survivor.output()
    finally:
        assert survivor.stop() == 0, survivor.output()
        connection.close()


def test_an_article_answered_before_is_taken_from_the_result_cache(
    api: FlaskClient, fake: FakeUpstream, jobs_redis: RedisServer, tmp_path: Path
) -> None:
    env = worker_env(jobs_redis.url, fake.url, READOUT_CACHE="on")
    worker = WorkerProcess(env, tmp_path / "w.log", 2)
    try:
        repeated = articles(2)
        first = api.post("/v1/jobs", json={"articles": repeated}).headers["Location"]
        assert wait_for(lambda: done(api, first), 60, "the first job")["done"] == 2
        assert fake.calls == 2
        again = [dict(a, id=f"again-{i}") for i, a in enumerate(repeated)]
        second = api.post("/v1/jobs", json={"articles": again}).headers["Location"]
        finished = wait_for(lambda: done(api, second), 60, "the second job")
        assert fake.calls == 2  # the redo cost no upstream call
        bodies = [r["body"] for r in finished["results"]]
        assert [b["meta"]["cached"] for b in bodies] == [True, True]
        assert [b["id"] for b in bodies] == ["again-0", "again-1"]
        assert all(r["status"] == 200 for r in finished["results"])
    finally:
        assert worker.stop() == 0, worker.output()


def test_serve_runs_jobs_with_no_configuration_and_stops_its_worker(tmp_path: Path) -> None:
    service = LiveService({}, tmp_path / "serve.log", argv=[READOUT, "serve"]).start()
    try:
        [worker_pid] = wait_for(service.job_worker_pids, 10, "the job worker")
        [redis_pid] = service.redis_pids()
        with httpx.Client(base_url=service.url, timeout=10) as http:
            created = http.post("/v1/jobs", json={"articles": articles(2)})
            assert created.status_code == 202
            location = created.headers["Location"]
            finished = wait_for(
                lambda: (body := http.get(location).json())["status"] == "done" and body,
                60,
                "the job",
                every=0.2,
            )
        assert [r["status"] for r in finished["results"]] == [200, 200]
        assert finished["results"][0]["body"]["meta"]["engine"] == "rules"
    finally:
        code = service.stop()
    assert code == 0
    assert wait_for(lambda: not Path(f"/proc/{worker_pid}").exists(), 5, "the worker to exit")
    assert wait_for(lambda: not Path(f"/proc/{redis_pid}").exists(), 5, "Redis to exit")


def test_serve_without_redis_server_answers_jobs_with_503(tmp_path: Path) -> None:
    env = {"PATH": str(Path(sys.executable).parent)}
    with LiveService(env, tmp_path / "serve.log", argv=[READOUT, "serve"]) as service:
        assert service.job_worker_pids() == []
        response = httpx.post(f"{service.url}/v1/jobs", json={"articles": articles(1)}, timeout=5)
    assert response.status_code == 503
    assert response.json()["type"] == "urn:readout:problem:jobs-unavailable"
