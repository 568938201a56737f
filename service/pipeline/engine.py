"""What every extraction engine provides, and the deadline a request runs under."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from schemas.article import SegmentedArticle
from schemas.contract import SummaryRequest, Usage
from schemas.extraction import Extraction


class Deadline:
    """A point in monotonic time by which a request must be answered."""

    def __init__(self, seconds: float) -> None:
        self._at = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self._at - time.monotonic()


@dataclass(frozen=True, slots=True, order=True)
class ItemRef:
    """One item of a draft: its kind (actor, call, claim, summary, key_point) and the key the
    engine gave it."""

    kind: str
    ref: str


@dataclass(slots=True)
class EngineResult:
    """A structurally valid draft and how it was obtained."""

    draft: Extraction
    model: str
    prompt_version: str
    attempts: int
    usage: Usage = field(default_factory=Usage)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RepairRequest:
    """The items of a draft that failed their checks, each with its errors.

    `items` holds each failed item as the engine gave it (JSON-ready); `actors` the draft's
    declared actors, so that repaired items can refer to them.
    """

    items: list[tuple[ItemRef, dict[str, Any], list[str]]]
    actors: list[dict[str, Any]]


@runtime_checkable
class Engine(Protocol):
    """Turns a segmented article into a structurally valid draft."""

    name: str

    def extract(
        self, article: SegmentedArticle, request: SummaryRequest, deadline: Deadline
    ) -> EngineResult:
        """Extract actors, calls and claims from `article`."""
        ...


@runtime_checkable
class Repairs(Protocol):
    """An engine that can be asked to correct the items that failed their checks."""

    def repair(
        self,
        article: SegmentedArticle,
        request: SummaryRequest,
        deadline: Deadline,
        repair: RepairRequest,
        attempts_left: int,
        shown: tuple[int, ...] | None = None,
    ) -> EngineResult:
        """Corrected versions of `repair.items` (an item left out is withdrawn); `shown` is the
        part of the article the items were extracted from."""
        ...


@runtime_checkable
class Chunks(Engine, Repairs, Protocol):
    """An engine whose answers have an output budget: a long article is read in parts."""

    @property
    def chunk_tokens(self) -> int:
        """Article tokens per part."""
        ...

    @property
    def model(self) -> str:
        """The model that answers."""
        ...

    @property
    def prompt_version(self) -> str:
        """The prompt's version."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` in the engine's encoding."""
        ...

    def check_article_tokens(self, tokens: int) -> None:
        """Refuse (422) an article of `tokens` whose one prompt would exceed the input budget:
        reading it in parts does not make a longer article acceptable."""
        ...

    def extract_part(
        self,
        article: SegmentedArticle,
        request: SummaryRequest,
        deadline: Deadline,
        shown: tuple[int, ...],
    ) -> EngineResult:
        """Extract from the sentences `shown` only (global numbers kept)."""
        ...
