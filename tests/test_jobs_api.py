"""The jobs API against a real Redis; articles run by an RQ worker inside the test process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import respx
from flask import Flask
from flask.testing import FlaskClient

from schemas.jobs import Job
from service import create_app
from service.http.jobs import EXTENSION, JobsService
from service.jobs.queue import QUEUE
from service.jobs.records import JobRecords
from tests.conftest import answer, article, completion, make_settings
from tests.jobsupport import run_queued
from tests.liveserver import free_port
from tests.redisserver import RedisServer

KEY_A, KEY_B = "key-for-desk-a", "key-for-desk-b"
A = {"Authorization": f"Bearer {KEY_A}"}
B = {"Authorization": f"Bearer {KEY_B}"}


def jobs_app(url: str | None, **overrides: Any) -> Flask:
    return create_app(make_settings(redis_url=url, api_keys=[KEY_A, KEY_B], **overrides))


@pytest.fixture
def app(llm: respx.MockRouter, jobs_redis: RedisServer, store: redis.Redis) -> Flask:
    return jobs_app(jobs_redis.url)


def fjord(**extra: Any) -> dict[str, Any]:
    return {"text": article("fjord-patrols"), "published_at": "2026-03-15", **extra}


def submit(client: FlaskClient, articles: list[dict[str, Any]], **extra: Any) -> str:
    response = client.post("/v1/jobs", json={"articles": articles, **extra}, headers=A)
    assert response.status_code == 202, response.get_json()
    location: str = response.headers["Location"]
    return location


def test_one_invalid_article_refuses_the_job_naming_its_index_and_enqueues_nothing(
    client: FlaskClient, store: redis.Redis
) -> None:
    articles = [fjord(), {"text": "   "}, fjord(colour="red"), "not an object", fjord()]
    response = client.post("/v1/jobs", json={"articles": articles}, headers=A)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["invalid_indexes"] == [1, 2, 3]
    fields = {error["field"] for error in problem["errors"]}
    assert {"articles.1.text", "articles.2.colour", "articles.3"} <= fields
    assert store.llen(f"rq:queue:{QUEUE}") == 0
    assert store.keys("readout:job:*") == []


def test_a_job_runs_every_article_and_answers_as_summaries_would(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    response = client.post("/v1/jobs", json={"articles": [fjord(id="first"), fjord()]}, headers=A)
    assert response.status_code == 202
    created = response.get_json()
    assert created["status"] == "queued" and created["total"] == 2
    assert response.headers["Location"] == f"/v1/jobs/{created['id']}"
    assert client.get(response.headers["Location"], headers=A).get_json()["status"] == "queued"

    run_queued(client.application)

    job = client.get(response.headers["Location"], headers=A).get_json()
    Job.model_validate(job)
    assert (job["status"], job["done"], job["failed"]) == ("done", 2, 0)
    assert [result["index"] for result in job["results"]] == [0, 1]
    first = job["results"][0]
    assert first["status"] == 200 and first["id"] == "first"
    direct = client.post("/v1/summaries", json=fjord(id="first"), headers=A).get_json()
    assert first["body"]["calls"] == direct["calls"]
    assert job["usage"]["total_tokens"] == 2 * 150


def test_an_article_that_fails_for_good_is_its_problem_and_the_job_completes(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(return_value=httpx.Response(500, json={"error": {}}))
    location = submit(client, [fjord()])
    run_queued(client.application)
    job = client.get(location, headers=A).get_json()
    assert (job["status"], job["done"], job["failed"]) == ("done", 1, 1)
    result = job["results"][0]
    assert result["status"] == 502
    assert result["body"]["type"] == "urn:readout:problem:upstream-failed"
    assert "usage" in result["body"]


def test_results_come_in_pages(client: FlaskClient, llm: respx.MockRouter) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    location = submit(client, [fjord(id=f"a{i}") for i in range(5)])
    run_queued(client.application)
    page = client.get(f"{location}?offset=1&limit=2", headers=A).get_json()
    assert [r["id"] for r in page["results"]] == ["a1", "a2"]
    assert page["next"] == f"{location}?offset=3&limit=2"
    last = client.get(page["next"], headers=A).get_json()
    assert [r["index"] for r in last["results"]] == [3, 4] and last["next"] is None
    bad = client.get(f"{location}?limit=0", headers=A)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"


def test_a_job_belongs_to_the_key_that_created_it(client: FlaskClient) -> None:
    location = submit(client, [fjord()])
    for method in (client.get, client.delete):
        other = method(location, headers=B)
        assert other.status_code == 404
        assert other.get_json()["type"] == "urn:readout:problem:not-found"
    assert client.get(location, headers=A).status_code == 200
    assert client.get(location).status_code == 401


def test_delete_cancels_the_articles_not_yet_started(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    route = llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    location = submit(client, [fjord(), fjord(), fjord()])
    cancelled = client.delete(location, headers=A)
    assert cancelled.status_code == 202
    assert cancelled.get_json()["status"] == "cancelled"
    run_queued(client.application)
    job = client.get(location, headers=A).get_json()
    assert (job["status"], job["cancelled"], job["done"], job["results"]) == ("cancelled", 3, 0, [])
    assert route.call_count == 0


def test_a_job_over_the_article_limit_is_refused(
    llm: respx.MockRouter, jobs_redis: RedisServer, store: redis.Redis
) -> None:
    client = jobs_app(jobs_redis.url, job_max_articles=2).test_client()
    response = client.post("/v1/jobs", json={"articles": [fjord()] * 3}, headers=A)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "articles"


def test_an_engine_not_enabled_is_refused_up_front(client: FlaskClient) -> None:
    response = client.post("/v1/jobs", json={"articles": [fjord(engine="rules")]}, headers=A)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "articles.0.engine"


@pytest.mark.parametrize("url", [None, "unreachable"])
def test_without_a_reachable_redis_the_jobs_api_answers_503(
    llm: respx.MockRouter, url: str | None
) -> None:
    redis_url = f"redis://127.0.0.1:{free_port()}/0" if url else None
    client = jobs_app(redis_url).test_client()
    for response in (
        client.post("/v1/jobs", json={"articles": [fjord()]}, headers=A),
        client.get("/v1/jobs/abc", headers=A),
        client.delete("/v1/jobs/abc", headers=A),
    ):
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["type"] == "urn:readout:problem:jobs-unavailable"
        assert response.headers["Retry-After"] == "5"


def test_job_records_expire_after_the_job_ttl(
    llm: respx.MockRouter, jobs_redis: RedisServer, store: redis.Redis
) -> None:
    client = jobs_app(jobs_redis.url, job_ttl_s=600).test_client()
    location = submit(client, [fjord()])
    assert 590 <= store.ttl(f"readout:job:{location.rsplit('/', 1)[1]}") <= 600


def test_stats_count_jobs_by_status_and_articles_waiting(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(answer("fjord-patrols")))
    submit(client, [fjord(), fjord()])
    submit(client, [fjord()])
    service: JobsService = client.application.extensions[EXTENSION]
    assert service.queue is not None
    assert service.queue.stats() == {
        "jobs": {"queued": 2, "running": 0, "done": 0, "cancelled": 0},
        "queue_depth": 3,
    }
    run_queued(client.application)
    assert service.queue.stats()["jobs"]["done"] == 2
    assert service.queue.stats()["queue_depth"] == 0


def test_an_article_run_twice_counts_once(client: FlaskClient, store: redis.Redis) -> None:
    location = submit(client, [fjord()])
    job_id = location.rsplit("/", 1)[1]
    records = JobRecords(store, 600)
    assert records.begin(job_id, 0) == ("run", False)
    result = {"index": 0, "id": None, "status": 200, "body": {}}
    assert records.finish(job_id, 0, result, make_usage(10)) == ("finished", False)
    assert records.finish(job_id, 0, result, make_usage(10)) == ("finished", False)
    assert records.begin(job_id, 0) == ("settled", False)
    view = records.view(job_id)
    assert view is not None
    assert (view.status, view.done, view.usage.total_tokens) == ("done", 1, 10)


def make_usage(tokens: int) -> Any:
    from schemas.contract import Usage

    return Usage(prompt_tokens=tokens, completion_tokens=0, total_tokens=tokens)


def test_the_openapi_document_describes_the_jobs_routes(client: FlaskClient) -> None:
    paths = client.get("/openapi.json", headers=A).get_json()["paths"]
    create = paths["/v1/jobs"]["post"]
    assert "202" in create["responses"]
    assert "application/problem+json" in create["responses"]["422"]["content"]
    one = paths["/v1/jobs/{job_id}"]
    assert {"get", "delete"} <= set(one)
    assert "application/problem+json" in one["get"]["responses"]["404"]["content"]
    assert {p["name"] for p in one["get"]["parameters"]} >= {"job_id", "offset", "limit"}


def test_a_job_body_may_be_larger_than_a_single_article_body(
    llm: respx.MockRouter, jobs_redis: RedisServer, store: redis.Redis, tmp_path: Path
) -> None:
    client = jobs_app(jobs_redis.url, max_body_bytes=20_000).test_client()
    articles = [fjord() for _ in range(20)]  # about 60 kB
    assert client.post("/v1/jobs", json={"articles": articles}, headers=A).status_code == 202


def test_an_html_article_is_extracted_and_its_length_checked_when_it_runs(
    llm: respx.MockRouter, jobs_redis: RedisServer, store: redis.Redis
) -> None:
    client = jobs_app(jobs_redis.url, max_chars=100).test_client()
    paragraph = "The minister of Ostmark met the envoys of Lindavia at the harbour. " * 5
    page = f"<html><body><article><h1>Talks</h1><p>{paragraph}</p></article></body></html>"
    location = submit(client, [{"html": page}])
    run_queued(client.application)
    [result] = client.get(location, headers=A).get_json()["results"]
    assert result["status"] == 422
    assert "extracted from html" in result["body"]["detail"]


def test_metrics_show_jobs_by_status_and_the_queue_depth(
    client: FlaskClient, store: redis.Redis
) -> None:
    submit(client, [fjord(), fjord(id="second")])
    scraped = client.get("/metrics", headers=A).get_data(as_text=True)
    assert 'readout_jobs{status="queued"} 1.0' in scraped
    assert 'readout_jobs{status="done"} 0.0' in scraped
    assert "readout_jobs_queue_depth 2.0" in scraped
