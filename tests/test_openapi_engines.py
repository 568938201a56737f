"""The OpenAPI document offers in the request's `engine` only the engines this deployment
enables, so a client (or a fuzzer) that follows it is never refused for its engine."""

from __future__ import annotations

from typing import Any

import pytest
import respx
from flask import Flask

from service import create_app
from service.config import Settings
from tests.conftest import completion, make_settings

EMPTY = {"summary": "s", "key_points": [], "actors": [], "calls": [], "claims": []}
TEXT = "Kari Lunde spoke with Anna Berg by phone on Monday."


def engine_enum(app: Flask) -> list[str]:
    spec: dict[str, Any] = app.test_client().get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    [name] = [n for n in schemas if n.startswith("SummaryRequest.") and n.endswith(".EngineName")]
    enum: list[str] = schemas[name]["enum"]
    return enum


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (make_settings(engine="llm"), ["llm"]),
        (make_settings(engine="llm", fallback="rules"), ["llm", "rules"]),
        (make_settings(engine="auto"), ["llm", "rules"]),
        (Settings(engine="rules"), ["rules"]),
    ],
    ids=["llm-only", "llm-with-fallback", "auto", "rules-only"],
)
def test_the_engine_enum_lists_the_enabled_engines_and_each_is_served(
    settings: Settings, expected: list[str], llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(return_value=completion(EMPTY))
    app = create_app(settings)

    assert engine_enum(app) == expected
    client = app.test_client()
    statuses = [
        client.post("/v1/summaries", json={"text": TEXT, "engine": e}).status_code for e in expected
    ]
    assert statuses == [200] * len(expected)


def test_the_answer_schema_still_names_every_engine(llm: respx.MockRouter) -> None:
    spec = create_app(make_settings(engine="llm")).test_client().get("/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    [name] = [n for n in schemas if n.startswith("SummaryResponse.") and n.endswith(".EngineName")]

    assert schemas[name]["enum"] == ["llm", "rules"]
