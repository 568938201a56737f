"""`GET /metrics` in one process: what each kind of request adds to the Prometheus metrics.

The metrics are process-wide (prometheus-client's registry), so each test reads the change it
caused, never an absolute value.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import respx
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from service import create_app
from tests.conftest import answer, article, completion, make_settings

Sample = Callable[[], float]


def sample(name: str, **labels: str) -> Sample:
    """A reader of one sample's current value (0 before it exists)."""
    return lambda: REGISTRY.get_sample_value(name, labels) or 0.0


def grew(reader: Sample, run: Callable[[], object]) -> float:
    """How much a sample grew while `run` ran."""
    before = reader()
    run()
    return reader() - before


def summarise(client: FlaskClient, **extra: str) -> Callable[[], int]:
    def run() -> int:
        response = client.post(
            "/v1/summaries",
            json={"text": article("fjord-patrols"), "published_at": "2026-03-16", **extra},
        )
        return response.status_code

    return run


def test_metrics_are_served_in_the_prometheus_text_format(client: FlaskClient) -> None:
    response = client.get("/metrics")

    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=0.0.4")
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert {
        "http_server_request_duration_seconds",
        "http_server_active_requests",
        "readout_upstream_calls",
        "readout_model_attempts",
        "readout_model_repairs",
        "gen_ai_client_token_usage",
        "readout_items_set_aside",
        "readout_cache_lookups",
        "readout_fallbacks",
        "readout_summaries",
    } <= names


def test_openmetrics_is_served_when_the_scraper_asks_for_it(client: FlaskClient) -> None:
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})

    assert response.content_type.startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


def test_an_answer_counts_its_request_upstream_call_attempt_and_tokens(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(
        return_value=completion(answer("fjord-patrols"), prompt_tokens=120, completion_tokens=80)
    )
    readers = {
        "request": sample(
            "http_server_request_duration_seconds_count",
            method="POST",
            route="/v1/summaries",
            status="200",
        ),
        "upstream_ok": sample("readout_upstream_calls_total", outcome="ok"),
        "attempts": sample("readout_model_attempts_total", engine="llm"),
        "repairs": sample("readout_model_repairs_total", engine="llm"),
        "input": sample(
            "gen_ai_client_token_usage_sum",
            gen_ai_token_type="input",
            gen_ai_request_model="test-model",
        ),
        "output": sample(
            "gen_ai_client_token_usage_sum",
            gen_ai_token_type="output",
            gen_ai_request_model="test-model",
        ),
        "answered": sample("readout_summaries_total", engine="llm", outcome="ok"),
    }
    before = {name: read() for name, read in readers.items()}

    assert summarise(client)() == 200

    grown = {name: read() - before[name] for name, read in readers.items()}
    assert grown == {
        "request": 1,
        "upstream_ok": 1,
        "attempts": 1,
        "repairs": 0,
        "input": 120,
        "output": 80,
        "answered": 1,
    }


def test_repairs_and_items_set_aside_are_counted(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    # An actor the article never names, in every answer: repaired twice, then set aside.
    bad = answer("fjord-patrols")
    bad["actors"] = [*bad["actors"], {**bad["actors"][0], "id": "A99", "name": "Nobody Atall"}]
    llm.post("/chat/completions").mock(return_value=completion(bad))
    readers = {
        "attempts": sample("readout_model_attempts_total", engine="llm"),
        "repairs": sample("readout_model_repairs_total", engine="llm"),
        "set_aside": sample("readout_items_set_aside_total", kind="actor"),
    }
    before = {name: read() for name, read in readers.items()}

    response = client.post(
        "/v1/summaries", json={"text": article("fjord-patrols"), "published_at": "2026-03-16"}
    )

    meta = response.get_json()["meta"]
    assert [r["kind"] for r in meta["rejected"]] == ["actor"]
    grown = {name: read() - before[name] for name, read in readers.items()}
    assert grown == {"attempts": meta["attempts"], "repairs": meta["repairs"], "set_aside": 1}
    assert meta["repairs"] > 0


@pytest.mark.parametrize(
    ("upstream", "outcome"),
    [
        (httpx.Response(500, json={"error": {}}), "server_error"),
        (httpx.Response(503, json={"error": {}}), "unavailable"),
        (httpx.Response(429, json={"error": {}}, headers={"Retry-After": "0"}), "rate_limited"),
        (httpx.Response(400, json={"error": {}}), "client_error"),
        (httpx.ConnectError("refused"), "connection_error"),
        (httpx.ReadTimeout("slow"), "timeout"),
    ],
)
def test_each_failed_upstream_call_is_counted_by_outcome(
    upstream: httpx.Response | Exception, outcome: str, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(side_effect=[upstream, completion(answer("fjord-patrols"))])
    client = create_app(make_settings(upstream_retries=1)).test_client()
    failed = sample("readout_upstream_calls_total", outcome=outcome)
    ok = sample("readout_upstream_calls_total", outcome="ok")
    before = ok()

    assert grew(failed, summarise(client)) == 1
    assert ok() - before == (0 if outcome == "client_error" else 1)


def test_a_failed_request_counts_its_attempts_and_problem(
    client: FlaskClient, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(return_value=completion("not json"))
    failed = sample("readout_summaries_total", engine="llm", outcome="model-output-invalid")
    attempts = sample("readout_model_attempts_total", engine="llm")
    status = sample(
        "http_server_request_duration_seconds_count",
        method="POST",
        route="/v1/summaries",
        status="502",
    )
    before = (attempts(), status())

    assert grew(failed, summarise(client)) == 1
    assert (attempts() - before[0], status() - before[1]) == (3, 1)


def test_a_fallback_to_the_rules_engine_is_counted(llm: respx.MockRouter) -> None:
    llm.post("/chat/completions").mock(return_value=httpx.Response(503, json={"error": {}}))
    client = create_app(make_settings(fallback="rules", upstream_retries=0)).test_client()
    fallbacks = sample("readout_fallbacks_total", engine="llm")
    by_rules = sample("readout_summaries_total", engine="rules", outcome="ok")
    before = by_rules()

    assert grew(fallbacks, summarise(client)) == 1
    assert by_rules() - before == 1


def test_unknown_paths_share_one_route_label(client: FlaskClient) -> None:
    unmatched = sample(
        "http_server_request_duration_seconds_count",
        method="GET",
        route="unmatched",
        status="404",
    )

    assert grew(unmatched, lambda: client.get("/wp-admin/setup.php")) == 1
    assert "wp-admin" not in client.get("/metrics").text


def test_requests_in_flight_return_to_zero(client: FlaskClient) -> None:
    active = sample("http_server_active_requests", method="GET")

    assert grew(active, lambda: client.get("/healthz")) == 0


def test_metrics_need_a_key_when_keys_are_configured_but_are_not_rate_limited(
    llm: respx.MockRouter,
) -> None:
    app = create_app(make_settings(api_keys="scrape-key", rate_limit="2/minute"))
    client = app.test_client()
    key = {"Authorization": "Bearer scrape-key"}

    assert client.get("/metrics").status_code == 401
    assert [client.get("/metrics", headers=key).status_code for _ in range(4)] == [200] * 4
