"""Long articles read in chunks of whole sentences, concurrently, inside the request's deadline.

Every chunk shows the model the article's opening (the headline line and the first paragraph)
as context and keeps the article's global sentence numbers, so grounding is unchanged; it may
cite only the sentences it was shown. An article that fits one chunk is read exactly as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from schemas.article import SegmentedArticle
from schemas.contract import SummaryRequest
from service.errors import ReadoutError, UpstreamError
from service.pipeline.engine import Chunks, Deadline
from service.pipeline.repairs import Settled, settle

_SENTENCE_END = (".", "!", "?", '"', "\u201d", "\u2019", "'", ")")


@dataclass(frozen=True, slots=True)
class Chunk:
    """One part of a long article: the sentences it covers and those it shows."""

    number: int
    own: tuple[int, ...]
    shown: tuple[int, ...]
    tokens: int = 0


@dataclass(slots=True)
class Part:
    """What one chunk gave: its settled draft, or the error it failed with."""

    chunk: Chunk
    settled: Settled | None = None
    error: UpstreamError | None = None


def opening(article: SegmentedArticle) -> tuple[int, ...]:
    """The headline line (a first line without closing punctuation) and the first paragraph."""
    paragraphs: list[list[int]] = []
    previous_end = 0
    for number, (start, end) in enumerate(article.sentences, start=1):
        if not paragraphs or "\n" in article.text[previous_end:start]:
            if len(paragraphs) == 2:
                break
            paragraphs.append([])
        paragraphs[-1].append(number)
        previous_end = end
    if not paragraphs:
        return ()
    first = paragraphs[0]
    start, end = article.sentence(first[-1])
    headline = len(first) == 1 and not article.text[start:end].rstrip().endswith(_SENTENCE_END)
    if headline and len(paragraphs) > 1:
        return (*first, *paragraphs[1])
    return tuple(first)


def plan(article: SegmentedArticle, count: Callable[[str], int], limit: int) -> list[Chunk]:
    """Chunks of whole sentences, each under `limit` article tokens (a longer sentence alone)."""
    every = tuple(range(1, len(article.sentences) + 1))
    # A token is at least one byte: a text of at most `limit` bytes is one chunk, uncounted.
    if len(article.text) <= limit // 4 or len(article.text.encode("utf-8")) <= limit:
        return [Chunk(1, every, every)]
    # One count of the whole text settles most articles; sentence by sentence costs half as much
    # again (an encoder call each), so sentences are counted only when the article is split.
    if count(article.text) <= limit:
        return [Chunk(1, every, every)]
    sizes = [count(article.text[s:e]) for s, e in article.sentences]
    if sum(sizes) <= limit:
        return [Chunk(1, every, every)]
    context = opening(article)
    context_tokens = sum(sizes[n - 1] for n in context)
    if context_tokens > limit:
        context = context[:1]
    groups: list[list[int]] = [[]]
    used = [0]
    for number, size in enumerate(sizes, start=1):
        if groups[-1] and used[-1] + size > limit:
            groups.append([])
            used.append(0)
        groups[-1].append(number)
        used[-1] += size
    return [
        Chunk(n, tuple(own), tuple(sorted({*context, *own}) if n > 1 else own), tokens)
        for n, (own, tokens) in enumerate(zip(groups, used, strict=True), start=1)
    ]


def run(
    engine: Chunks,
    chunks: Sequence[Chunk],
    article: SegmentedArticle,
    request: SummaryRequest,
    deadline: Deadline,
    max_attempts: int,
    concurrency: int,
) -> list[Part]:
    """Every chunk extracted and settled, at most `concurrency` at a time (threads, which are
    greenlets under gunicorn's gevent workers), all inside the one deadline."""
    parts = [Part(chunk) for chunk in chunks]
    gate = threading.BoundedSemaphore(max(1, concurrency))
    fatal: list[ReadoutError] = []

    def work(part: Part) -> None:
        with gate:
            if fatal:
                return
            try:
                result = engine.extract_part(article, request, deadline, part.chunk.shown)
                part.settled = settle(
                    engine, result, article, request, deadline, max_attempts, part.chunk.shown
                )
            except UpstreamError as error:
                part.error = error
            except ReadoutError as error:  # overloaded, or an article too long: the request's
                fatal.append(error)

    threads = [threading.Thread(target=work, args=(part,), daemon=True) for part in parts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if fatal:
        raise fatal[0]
    return parts
