"""One request's path: segment, extract with an engine (or fall back), check item by item,
repair or set aside, ground, answer."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from schemas.article import SegmentedArticle
from schemas.contract import EngineName, Meta, SummaryRequest, SummaryResponse
from service.errors import InvalidRequest, LanguageNotSupported, OutputInvalid, UpstreamError
from service.pipeline import chunks
from service.pipeline.engine import Chunks, Deadline, Engine, EngineResult
from service.pipeline.grounding import ground
from service.pipeline.lane import SMALL_ARTICLE, CpuLane
from service.pipeline.language import not_english
from service.pipeline.merge import merge
from service.pipeline.normalise import Countries, load_countries, normalise
from service.pipeline.offsets import convert
from service.pipeline.repairs import Settled, set_aside_invalid, settle
from service.pipeline.segment import Segmenter
from service.pipeline.webpage import read_page

T = TypeVar("T")


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
    # CPU-bound work runs in the lane: reading a page, the language check and segmenting an
    # article over SMALL_ARTICLE characters, and everything the engines named here do
    # (extracting, checking, grounding); the LLM engine waits on the event loop.
    lane: CpuLane | None = None
    cpu_engines: frozenset[str] = frozenset({"rules"})
    _chunkers: dict[int, bool] = field(default_factory=dict, repr=False)

    def summarise(self, request: SummaryRequest) -> SummaryResponse:
        """The grounded summary of one article."""
        started = time.perf_counter()
        name = request.engine.value if request.engine else self.default_engine
        chosen = self.engines.get(name)
        if chosen is None or name not in self.allowed:
            raise InvalidRequest(
                422,
                "engine-not-allowed",
                "Engine not available",
                f"The engine {name!r} is not enabled here; allowed: {sorted(self.allowed)}.",
            )
        engine: Engine = chosen
        chars = len(request.text or request.html or "")
        budget = self.lane.deadline() if self.lane else 0.0

        def prepare() -> tuple[SummaryRequest, str, SegmentedArticle]:
            read, text = read_page(request)
            self._check_language(chosen, text)
            return read, text, self.segmenter.segment(text, read.published_date())

        if chars <= SMALL_ARTICLE:
            request, text, article = prepare()
        else:
            request, text, article = self._cpu(prepare, budget, chars)
        warnings: list[str] = []
        deadline = Deadline(self.timeout_s)
        parts = [chunks.Chunk(1, (), ())]
        chunked = self._chunked(engine)
        if chunked is not None:
            parts = chunks.plan(article, chunked.count_tokens, chunked.chunk_tokens)
            if len(parts) > 1:
                chunked.check_article_tokens(sum(part.tokens for part in parts))
        settled: Settled | None = None
        try:
            if len(parts) > 1 and chunked is not None:
                settled = self._read_in_parts(chunked, parts, article, request, deadline)
                result = EngineResult(settled.draft, chunked.model, chunked.prompt_version, 0)
            else:
                asked = request
                result = self._run(
                    chosen, lambda: chosen.extract(article, asked, deadline), budget, chars
                )
        except UpstreamError as error:
            fallback = self.fallback
            if fallback is None or fallback is engine:
                raise
            if fallback.name in self.english_only and self._cpu(
                lambda: not_english(text), budget, chars
            ):
                raise  # the fallback could not read it either
            deadline = Deadline(self.timeout_s)
            # The fallback gets a budget of its own: the LLM may have used the first one up.
            budget = self.lane.deadline() if self.lane else 0.0
            asked = request
            result = self._run(
                fallback, lambda: fallback.extract(article, asked, deadline), budget, chars
            )
            result.attempts += error.attempts
            result.usage.add(error.usage.prompt_tokens, error.usage.completion_tokens)
            warnings.append(
                f"answered by the {fallback.name} engine because the {engine.name} "
                f"engine failed: {error.title} ({error.status})"
            )
            engine = fallback
            parts, settled = parts[:1], None
        answering, done = engine, settled
        return self._run(
            engine,
            lambda: self._answer(
                answering,
                result,
                done,
                article,
                request,
                text,
                deadline,
                warnings,
                len(parts),
                started,
            ),
            budget,
            chars,
        )

    def _answer(
        self,
        engine: Engine,
        result: EngineResult,
        settled: Settled | None,
        article: SegmentedArticle,
        request: SummaryRequest,
        text: str,
        deadline: Deadline,
        warnings: list[str],
        parts: int,
        started: float,
    ) -> SummaryResponse:
        """Check the draft item by item (repairing or setting aside), ground it, answer."""
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
                chunks=parts,
                rejected=settled.rejected,
                warnings=[*warnings, *settled.warnings, *grounded.warnings],
            ),
        )
        response = convert(response, text, request.offset_unit)
        if request.html is not None:
            response.text = text
        response.meta.latency_ms = round((time.perf_counter() - started) * 1000)
        return response

    def _chunked(self, engine: Engine) -> Chunks | None:
        """`engine` as a reader of long articles in chunks, if it is one. A runtime protocol
        check inspects the class every time; its answer is kept per engine."""
        known = self._chunkers.get(id(engine))
        if known is None:
            known = self._chunkers[id(engine)] = isinstance(engine, Chunks)
        return cast(Chunks, engine) if known else None

    def _cpu(self, fn: Callable[[], T], budget: float, chars: int) -> T:
        """`fn()` in the CPU lane within the request's budget (inline without a lane)."""
        return self.lane.run(fn, budget, chars=chars) if self.lane is not None else fn()

    def _run(self, engine: Engine, fn: Callable[[], T], budget: float, chars: int) -> T:
        """`fn()`, in the lane when `engine` is CPU-bound, on the event loop otherwise."""
        if engine.name in self.cpu_engines:
            return self._cpu(fn, budget, chars)
        return fn()

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
