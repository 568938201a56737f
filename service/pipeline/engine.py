"""What every extraction engine provides, and the deadline a request runs under."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

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


@dataclass(slots=True)
class EngineResult:
    """A validated draft and how it was obtained."""

    draft: Extraction
    model: str
    prompt_version: str
    attempts: int
    usage: Usage = field(default_factory=Usage)
    warnings: list[str] = field(default_factory=list)


class Engine(Protocol):
    """Turns a segmented article into a validated, groundable draft."""

    name: str

    def extract(
        self, article: SegmentedArticle, request: SummaryRequest, deadline: Deadline
    ) -> EngineResult:
        """Extract actors, calls and claims from `article`."""
        ...
