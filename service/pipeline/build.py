"""The engines and the summariser that settings ask for (the app, workers and batch share them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.config import Fallback, Settings
from service.pipeline.engine import Engine
from service.pipeline.lane import CpuLane
from service.pipeline.segment import Segmenter
from service.pipeline.summariser import Summariser

ReadinessCheck = Callable[[], dict[str, Any]]


def build_engines(settings: Settings) -> tuple[dict[str, Engine], dict[str, ReadinessCheck]]:
    """The enabled engines, and a readiness check for each that has an upstream."""
    engines: dict[str, Engine] = {}
    checks: dict[str, ReadinessCheck] = {}
    wanted = settings.enabled_engines()
    if "llm" in wanted:
        from service.engines.llm.engine import LLMEngine, build_client, upstream_check
        from service.engines.llm.prompt import load_prompt

        client = build_client(settings)
        engines["llm"] = LLMEngine(settings, client, load_prompt())
        checks["llm_upstream"] = lambda: upstream_check(client)
    if "rules" in wanted:
        from service.engines.rules import RulesEngine

        engines["rules"] = RulesEngine.load()
    return engines, checks


def build_summariser(settings: Settings, engines: dict[str, Engine]) -> Summariser:
    """The summariser over `engines`, with the fallback and the engines a request may ask for."""
    return Summariser(
        segmenter=Segmenter(),
        engines=engines,
        default_engine=settings.default_engine(),
        timeout_s=settings.timeout_s,
        fallback=engines.get("rules") if settings.fallback is Fallback.rules else None,
        allowed=settings.enabled_engines() & set(engines),
        max_attempts=settings.max_attempts,
        chunk_concurrency=settings.chunk_concurrency,
        lane=CpuLane(settings.cpu_budget_s),
    )
