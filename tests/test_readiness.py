"""Readiness comes from a background probe: `/readyz` itself never calls the upstream."""

from __future__ import annotations

import itertools
import time

import httpx
import pytest
import respx
from flask import Flask

from service import create_app
from service.http.readiness import ReadinessProbe
from service.http.state import ReadoutState
from tests.conftest import make_settings

MODELS = {"object": "list", "data": []}


def _state(app: Flask) -> ReadoutState:
    found: ReadoutState = app.extensions["readout"]
    return found


def test_readyz_never_calls_the_upstream(llm: respx.MockRouter) -> None:
    models = llm.get("/models").mock(return_value=httpx.Response(200, json=MODELS))
    app = create_app(make_settings())
    client = app.test_client()
    for _ in range(50):
        client.get("/readyz")
    assert models.call_count == 0
    _state(app).probes["llm_upstream"].probe_now()
    for _ in range(50):
        assert client.get("/readyz").status_code == 200
    assert models.call_count == 1


def test_before_the_first_probe_the_process_is_not_ready(llm: respx.MockRouter) -> None:
    response = create_app(make_settings()).test_client().get("/readyz")
    assert response.status_code == 503
    upstream = response.get_json()["checks"]["llm_upstream"]
    assert upstream == {"ok": False, "reason": "not probed yet", "age_s": None, "interval_s": 30.0}


def test_readyz_reports_the_last_probe_and_its_age(llm: respx.MockRouter) -> None:
    llm.get("/models").mock(return_value=httpx.Response(200, json=MODELS))
    app = create_app(make_settings())
    _state(app).probes["llm_upstream"].probe_now()
    time.sleep(0.2)
    body = app.test_client().get("/readyz").get_json()
    assert body["status"] == "ready"
    assert body["checks"]["config"] == {"ok": True}
    assert body["checks"]["engines"] == {"ok": True, "loaded": ["llm"]}
    assert body["checks"]["llm_upstream"]["ok"] is True
    assert 0.1 <= body["checks"]["llm_upstream"]["age_s"] < 5


@pytest.mark.parametrize(
    "answer",
    [httpx.ConnectError("down"), httpx.Response(401, json={"error": {}})],
    ids=["unreachable", "key-rejected"],
)
def test_a_failing_upstream_makes_the_process_not_ready(
    llm: respx.MockRouter, answer: Exception | httpx.Response
) -> None:
    route = llm.get("/models")
    route.mock(side_effect=answer) if isinstance(answer, Exception) else route.mock(answer)
    app = create_app(make_settings())
    _state(app).probes["llm_upstream"].probe_now()
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "not_ready"
    assert body["checks"]["llm_upstream"]["ok"] is False
    assert body["checks"]["llm_upstream"]["reason"]


def test_with_the_rules_fallback_an_unreachable_upstream_is_reported_but_ready(
    llm: respx.MockRouter,
) -> None:
    llm.get("/models").mock(side_effect=httpx.ConnectError("down"))
    app = create_app(make_settings(fallback="rules"))
    _state(app).probes["llm_upstream"].probe_now()
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["llm_upstream"]["ok"] is False
    assert body["checks"]["fallback"] == {"ok": True, "engine": "rules", "answers_for": "llm"}


def test_the_rules_engine_alone_needs_no_probe() -> None:
    app = create_app(make_settings(engine="rules", openai_api_key=None, openai_base_url=None))
    assert _state(app).probes == {}
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ready"


def test_a_stale_result_counts_as_a_failure() -> None:
    probe = ReadinessProbe(lambda: {"ok": True}, interval_s=0.05)
    probe.probe_now()
    assert probe.report()["ok"] is True
    time.sleep(0.25)
    assert probe.report() | {"age_s": 0} == {
        "ok": False,
        "reason": "the last probe is stale",
        "age_s": 0,
        "interval_s": 0.05,
    }


def test_a_probe_that_raises_is_a_failed_probe_not_a_dead_thread() -> None:
    def broken() -> dict[str, object]:
        raise RuntimeError("boom")

    probe = ReadinessProbe(broken, interval_s=10)
    assert probe.probe_now().ok is False
    assert probe.report()["reason"] == "the probe itself failed"


def test_the_background_probe_runs_at_most_once_per_interval() -> None:
    calls: list[float] = []
    probe = ReadinessProbe(lambda: calls.append(time.monotonic()) or {"ok": True}, 0.2)
    probe.start()
    probe.start()  # idempotent: still one loop
    time.sleep(1.0)
    probe.stop()
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert 3 <= len(calls) <= 6
    assert all(gap >= 0.2 for gap in gaps)
