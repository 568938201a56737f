"""One request's path: segment, extract with an engine (or fall back), check item by item,
repair or set aside, ground, answer."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from schemas.article import SegmentedArticle
from schemas.contract import EngineName, Meta, SummaryRequest, SummaryResponse
from service.errors import InvalidRequest, LanguageNotSupported, OutputInvalid, UpstreamError
from service.pipeline import chunks
from service.pipeline.engine import Chunks, Deadline, Engine, EngineResult
from service.pipeline.grounding import ground
from service.pipeline.language import not_english
from service.pipeline.merge import merge
from service.pipeline.normalise import Countries, load_countries, normalise
from service.pipeline.offsets import convert
from service.pipeline.repairs import Settled, set_aside_invalid, settle
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
    chunk_concurrency: int = 16

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
        parts = [chunks.Chunk(1, (), ())]
        if isinstance(engine, Chunks):
            parts = chunks.plan(article, engine.count_tokens, engine.chunk_tokens)
            if len(parts) > 1:
                engine.check_article_tokens(sum(part.tokens for part in parts))
        settled: Settled | None = None
        try:
            if len(parts) > 1 and isinstance(engine, Chunks):
                settled = self._read_in_parts(engine, parts, article, request, deadline)
                result = EngineResult(settled.draft, engine.model, engine.prompt_version, 0)
            else:
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
            parts, settled = parts[:1], None
        if settled is None:
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
                chunks=len(parts),
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

    def _read_in_parts(
        self,
        engine: Chunks,
        parts: list[chunks.Chunk],
        article: SegmentedArticle,
        request: SummaryRequest,
        deadline: Deadline,
    ) -> Settled:
        """A long article read chunk by chunk, concurrently, and merged; when every chunk
        fails, the first failure is the request's."""
        done = chunks.run(
            engine, parts, article, request, deadline, self.max_attempts, self.chunk_concurrency
        )
        failed = [part.error for part in done if part.error is not None]
        if len(failed) == len(done):
            error = failed[0]
            for other in failed[1:]:
                error.attempts += other.attempts
                error.usage.add(other.usage.prompt_tokens, other.usage.completion_tokens)
            raise error
        merged = merge(done, chunks.opening(article))
        return set_aside_invalid(merged, article, request)
