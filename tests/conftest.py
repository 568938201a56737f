"""Shared fixtures: settings, an app on a mocked LLM, canned articles and model answers."""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
import respx
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.config import Settings
from service.engines.rules import RulesEngine
from service.pipeline.segment import Segmenter
from service.pipeline.summariser import Summariser
from tests.redisserver import RedisServer

FIXTURES = Path(__file__).parent / "fixtures"
# Loopback only: were respx ever to let a call through, it would go nowhere but this machine.
LLM_BASE = "http://127.0.0.1:9/v1"


def article(name: str) -> str:
    """A fixture article's text."""
    return (FIXTURES / "articles" / f"{name}.txt").read_text(encoding="utf-8")


def answer(name: str) -> dict[str, Any]:
    """A canned model answer (the arguments of the Extraction tool call)."""
    loaded: dict[str, Any] = json.loads((FIXTURES / "answers" / f"{name}.json").read_text("utf-8"))
    return loaded


def completion(
    arguments: dict[str, Any] | str | None = None,
    *,
    finish_reason: str = "tool_calls",
    prompt_tokens: int = 100,
    completion_tokens: int = 50,
    refusal: str | None = None,
    content: str | None = None,
) -> httpx.Response:
    """An OpenAI chat completion answering with one Extraction tool call."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    if arguments is not None:
        message["tool_calls"] = [
            {
                "id": "call_1",
                "type": "function",
                "function": {
                    "name": "Extraction",
                    "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
                },
            }
        ]
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return httpx.Response(200, json=body)


_STORE = Path(tempfile.mkdtemp(prefix="readout-tests-"))
atexit.register(shutil.rmtree, _STORE, True)


def make_settings(**overrides: Any) -> Settings:
    """Settings for an LLM-backed app pointed at the mocked upstream (result cache off)."""
    values: dict[str, Any] = {
        "openai_api_key": "sk-test-secret",
        "openai_base_url": LLM_BASE,
        "model": "test-model",
        "engine": "llm",
        "timeout_s": 5.0,
        "backoff_s": 0.01,
        # Tests send one article many times and count upstream calls: cache only when asked.
        "cache": False,
        "cache_dir": _STORE,
        **overrides,
    }
    return Settings.model_validate(values)


@pytest.fixture
def llm() -> Iterator[respx.MockRouter]:
    """The LLM's HTTP, mocked; unmocked requests fail the test."""
    with respx.mock(base_url=LLM_BASE, assert_all_called=False) as router:
        yield router


@pytest.fixture
def app(llm: respx.MockRouter) -> Flask:
    """An LLM-backed app on the mocked upstream."""
    return create_app(make_settings())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of `app`."""
    return app.test_client()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real Redis on a free 127.0.0.1 port for this test, stopped by PID afterwards."""
    server = RedisServer(tmp_path / "redis").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def jobs_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One Redis for the module (each test starts from an empty one)."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def store(jobs_redis: RedisServer) -> Iterator[redis.Redis]:
    """A client of `jobs_redis`, emptied first."""
    client = jobs_redis.client()
    client.flushall()
    yield client
    client.close()


@pytest.fixture(scope="session")
def rules_summariser() -> Summariser:
    """A summariser on the rules engine alone, loaded once for every test that reads with it
    (a timeout wide enough for the longest gold article)."""
    return Summariser(
        segmenter=Segmenter(),
        engines={"rules": RulesEngine.load()},
        default_engine="rules",
        timeout_s=60,
        allowed=frozenset({"rules"}),
    )
