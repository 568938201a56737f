"""One request's path: segment, extract with an engine (or fall back), check item by item,
repair or set aside, ground, answer."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from schemas.contract import EngineName, Meta, SummaryRequest, SummaryResponse
from service.errors import InvalidRequest, LanguageNotSupported, OutputInvalid, UpstreamError
from service.pipeline.engine import Deadline, Engine
from service.pipeline.grounding import ground
from service.pipeline.language import not_english
from service.pipeline.normalise import Countries, load_countries, normalise
from service.pipeline.offsets import convert
from service.pipeline.repairs import settle
from service.pipeline.segment import Segmenter
from service.pipeline.webpage import read_page


@dataclass(slots=True)
class Summariser:
    """Holds the engines of one app and answers summary requests."""

    segmenter: Segmenter
    engines: dict[str, Engine]
    default_engine: str
    timeout_s: float
    fallback: Engine | None = None
    allowed: frozenset[str] = field(default_factory=frozenset)
    max_attempts: int = 3
    countries: Countries = field(default_factory=load_countries)
    # Engines that read English only: other languages are refused before they run.
    english_only: frozenset[str] = frozenset({"rules"})

    def summarise(self, request: SummaryRequest) -> SummaryResponse:
        """The grounded summary of one article."""
        started = time.perf_counter()
        name = request.engine.value if request.engine else self.default_engine
        engine = self.engines.get(name)
        if engine is None or name not in self.allowed:
            raise InvalidRequest(
                422,
                "engine-not-allowed",
                "Engine not available",
                f"The engine {name!r} is not enabled here; allowed: {sorted(self.allowed)}.",
            )
        request, text = read_page(request)
        self._check_language(engine, text)
        article = self.segmenter.segment(text, request.published_date())
        warnings: list[str] = []
        deadline = Deadline(self.timeout_s)
        try:
            result = engine.extract(article, request, deadline)
        except UpstreamError as error:
            if self.fallback is None or self.fallback is engine:
                raise
            if self.fallback.name in self.english_only and not_english(text):
                raise  # the fallback could not read it either
            deadline = Deadline(self.timeout_s)
            result = self.fallback.extract(article, request, deadline)
            result.attempts += error.attempts
            result.usage.add(error.usage.prompt_tokens, error.usage.completion_tokens)
            warnings.append(
                f"answered by the {self.fallback.name} engine because the {engine.name} "
                f"engine failed: {error.title} ({error.status})"
            )
            engine = self.fallback
        settled = settle(engine, result, article, request, deadline, self.max_attempts)
        if request.strict and settled.rejected:
            refused = OutputInvalid(
                f"{len(settled.rejected)} item(s) failed their checks on every attempt; "
                "a strict request sets nothing aside.",
                rejected=settled.rejected,
            )
            refused.attempts, refused.usage = settled.attempts, settled.usage
            raise refused
        grounded = ground(settled.draft, article)
        response = SummaryResponse(
            id=request.id or uuid.uuid4().hex,
            summary=settled.draft.summary,
            key_points=settled.draft.key_points,
            actors=normalise(grounded.actors, self.countries),
            calls=grounded.calls,
            claims=grounded.claims,
            meta=Meta(
                engine=EngineName(engine.name),
                model=result.model,
                prompt_version=result.prompt_version,
                attempts=settled.attempts,
                repairs=settled.repairs,
                usage=settled.usage,
                latency_ms=0,
                rejected=settled.rejected,
                warnings=[*warnings, *settled.warnings, *grounded.warnings],
            ),
        )
        response = convert(response, text, request.offset_unit)
        if request.html is not None:
            response.text = text
        response.meta.latency_ms = round((time.perf_counter() - started) * 1000)
        return response

    def _check_language(self, engine: Engine, text: str) -> None:
        """Refuse an article that is not in English when the engine reads English only."""
        if engine.name not in self.english_only:
            return
        detected = not_english(text)
        if detected is not None:
            raise LanguageNotSupported(engine.name, detected.code, detected.name)
