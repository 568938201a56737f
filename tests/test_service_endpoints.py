"""Schema, OpenAPI, docs, health and readiness endpoints; configuration from the environment."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys

import httpx
import openai
import pytest
import respx
from flask import Flask
from flask.testing import FlaskClient

from schemas.contract import SummaryResponse
from service import create_app
from service.config import Settings
from tests.conftest import LLM_BASE, answer, article, completion, make_settings


def test_respx_intercepts_the_pinned_openai_sdk() -> None:
    assert importlib.metadata.version("openai") == "2.54.0"
    with respx.mock(base_url=LLM_BASE) as router:
        route = router.get("/models").mock(
            return_value=httpx.Response(200, json={"object": "list", "data": []})
        )
        client = openai.OpenAI(api_key="k", base_url=LLM_BASE, max_retries=0)
        assert list(client.models.list()) == []
        assert route.call_count == 1


def test_schema_is_the_json_schema_of_the_200_body(client: FlaskClient) -> None:
    body = client.get("/v1/schema").get_json()
    assert body == SummaryResponse.model_json_schema()
    assert {"actors", "calls", "claims", "meta"} <= set(body["properties"])


def test_openapi_is_derived_from_the_models(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    post = spec["paths"]["/v1/summaries"]["post"]
    assert "application/json" in post["requestBody"]["content"]
    assert "application/json" in post["responses"]["200"]["content"]
    for status in ("400", "413", "415", "422", "502", "503", "504"):
        assert "application/problem+json" in post["responses"][status]["content"]
    schemas = spec["components"]["schemas"]
    assert any(name.startswith("SummaryRequest") for name in schemas)


def test_docs_page_works_offline(client: FlaskClient) -> None:
    page = client.get("/docs/redoc/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/docs/openapi.json" in html
    assert "https://" not in html.split("<script", 1)[0]


def test_healthz_makes_no_upstream_call(client: FlaskClient, llm: respx.MockRouter) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    assert llm.calls.call_count == 0


def test_readyz_reports_the_background_probe(
    app: Flask, client: FlaskClient, llm: respx.MockRouter
) -> None:
    probe = app.extensions["readout"].probes["llm_upstream"]
    llm.get("/models").mock(return_value=httpx.Response(200, json={"object": "list", "data": []}))
    probe.probe_now()
    assert client.get("/readyz").status_code == 200
    llm.get("/models").mock(side_effect=httpx.ConnectError("down"))
    assert client.get("/readyz").status_code == 200  # until the probe runs again
    probe.probe_now()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["llm_upstream"]["ok"] is False


def test_readyz_fails_on_a_rejected_key(
    app: Flask, client: FlaskClient, llm: respx.MockRouter
) -> None:
    llm.get("/models").mock(return_value=httpx.Response(401, json={"error": {}}))
    app.extensions["readout"].probes["llm_upstream"].probe_now()
    assert client.get("/readyz").status_code == 503


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "OPENAI_API_KEY": "sk-env",
        "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1",
        "READOUT_MODEL": "local-model",
        "READOUT_MODE": "json_schema",
        "READOUT_MAX_ATTEMPTS": "4",
        "READOUT_TIMEOUT_S": "12.5",
        "READOUT_MAX_CHARS": "5000",
        "READOUT_MAX_BODY_BYTES": "65536",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-env"
    assert (settings.model, settings.mode.value, settings.max_attempts) == (
        "local-model",
        "json_schema",
        4,
    )
    assert (settings.timeout_s, settings.max_chars, settings.max_body_bytes) == (12.5, 5000, 65536)
    assert "sk-env" not in repr(settings)


def test_invalid_configuration_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READOUT_MODE", "telepathy")
    with pytest.raises(ValueError, match="READOUT_MODE"):
        Settings()


def test_importing_the_service_builds_nothing() -> None:
    code = (
        "import sys, service, service.http.app, service.engines.llm.engine;"
        "from service.http.app import create_app;"
        "import gc, openai;"
        "assert not [o for o in gc.get_objects() if isinstance(o, openai.OpenAI)]"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize(
    ("mode", "wrap"),
    [("json_schema", "{}"), ("json", "{}"), ("md_json", "```json\n{}\n```")],
)
def test_json_modes_parse_the_message_content(mode: str, wrap: str, llm: respx.MockRouter) -> None:
    content = wrap.replace("{}", json.dumps(answer("fjord-patrols")))
    route = llm.post("/chat/completions").mock(
        return_value=completion(None, finish_reason="stop", content=content)
    )
    client = create_app(make_settings(mode=mode)).test_client()
    response = client.post("/v1/summaries", json={"text": article("fjord-patrols")})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(response.get_json()["claims"]) == 5
    assert "tools" not in json.loads(route.calls.last.request.content)
