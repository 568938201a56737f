"""Fuzz the API from its own OpenAPI document: schemathesis, in process, the LLM mocked.

Every built-in check is on (server errors, status codes, content types, response schemas and
headers, positive data accepted, negative data rejected, unsupported methods, Allow headers).
Generation is deterministic, so a failure reproduces on the next run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service import create_app
from service.http.jobs import EXTENSION, JobsService
from service.jobs.webhooks import WebhookSender
from tests.conftest import LLM_BASE, completion, make_settings
from tests.redisserver import RedisServer

# Always valid against any article: no actor, call or claim to ground.
MINIMAL = {"summary": "s", "key_points": [], "actors": [], "calls": [], "claims": []}
MIN_CASES = 500
_CONFIG = {
    "seed": 20260315,
    "generation": {"mode": "all", "max-examples": 600, "deterministic": True},
    # Every built-in check; the response-time one only needs a (generous) limit to run.
    "checks": {"enabled": True, "max_response_time": 10.0},
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
    },
}


@pytest.fixture
def cases_run() -> Iterator[Counter[str]]:
    """Cases sent per operation; the article endpoint must have been fuzzed MIN_CASES times."""
    seen: Counter[str] = Counter()
    yield seen
    assert sum(seen.values()) >= (MIN_CASES if "POST /v1/summaries" in seen else 1), dict(seen)


@pytest.fixture
def upstream() -> Iterator[respx.MockRouter]:
    """The LLM's HTTP: every completion answers a minimal valid Extraction."""
    with respx.mock(base_url=LLM_BASE, assert_all_called=False) as router:
        router.post("/chat/completions").mock(return_value=completion(MINIMAL))
        router.get("/models").mock(return_value=httpx.Response(200, json={"data": []}))
        # Readiness reports the background probe's last result: take one, as a worker does.
        APP.extensions["readout"].probes["llm_upstream"].probe_now()
        yield router


# Loaded when the module is collected (schemathesis's lazy loader does not run on pytest 9);
# building the app makes no network call, and every upstream call a case causes is mocked.
APP = create_app(make_settings(engine="auto"))
schema = schemathesis.openapi.from_wsgi(
    "/openapi.json", APP, config=SchemathesisConfig.from_dict(_CONFIG)
)


class AnyCallback(WebhookSender):
    """Accepts every callback URL."""

    def check(self, url: str) -> None:
        """Accept."""


@pytest.fixture(scope="module", autouse=True)
def jobs_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A real Redis behind the jobs routes (no worker: jobs are queued, never run)."""
    server = RedisServer(Path(tmp_path_factory.mktemp("redis"))).start()
    unconfigured = APP.extensions[EXTENSION]
    jobs = JobsService(make_settings(engine="auto", redis_url=server.url))
    # Whether a callback may be called depends on DNS and the operator's list, which no schema
    # can say; test_webhooks.py tests that. Here any callback is accepted (and never called).
    jobs.webhooks = AnyCallback(make_settings())
    APP.extensions[EXTENSION] = jobs
    try:
        yield
    finally:
        APP.extensions[EXTENSION] = unconfigured
        server.stop()


@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=600,
    # The mocked upstream and the counter are meant to be shared by every example.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_openapi_document(
    case: schemathesis.Case, cases_run: Counter[str], upstream: respx.MockRouter
) -> None:
    cases_run[case.operation.label] += 1
    positive = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
    if not (positive and isinstance(case.body, dict) and "html" in case.body):
        case.call_and_validate()
        return
    # No schema can say which pages hold an article: a schema-valid page without one is a 422
    # that names the reason, every other check still applies.
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    if response.status_code == 422:
        assert response.json()["type"] in {
            "urn:readout:problem:html-without-text",
            "urn:readout:problem:language-not-supported",
        }
