"""Span offsets in the unit a client asked for: code points, UTF-16 code units or UTF-8 bytes."""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate

from schemas.contract import OffsetUnit, Span, SummaryResponse


class OffsetMap:
    """Converts code-point offsets of one text into another unit."""

    def __init__(self, text: str, unit: OffsetUnit) -> None:
        self._unit = unit
        self._wide: list[int] = []
        self._bytes: list[int] = []
        if unit is OffsetUnit.utf16:
            # Only characters beyond the BMP take two UTF-16 units: remember where they are.
            self._wide = [i for i, char in enumerate(text) if ord(char) > 0xFFFF]
        elif unit is OffsetUnit.utf8 and not text.isascii():
            widths = (
                1 if c < "\x80" else 2 if c < "\u0800" else 3 if c < "\U00010000" else 4
                for c in text
            )
            self._bytes = [0, *accumulate(widths)]

    def __call__(self, offset: int) -> int:
        """`offset` (code points) in this map's unit."""
        if self._unit is OffsetUnit.utf16:
            return offset + bisect_left(self._wide, offset)
        if self._bytes:
            return self._bytes[offset]
        return offset

    def span(self, span: Span) -> Span:
        """`span` with its offsets converted (its text unchanged)."""
        return Span(start=self(span.start), end=self(span.end), text=span.text)


def convert(response: SummaryResponse, text: str, unit: OffsetUnit) -> SummaryResponse:
    """Every span of `response` in `unit` (code points are returned as they are)."""
    response.meta.offset_unit = unit
    if unit is OffsetUnit.codepoint:
        return response
    at = OffsetMap(text, unit)
    for actor in response.actors:
        actor.mentions = [at.span(s) for s in actor.mentions]
    for call in response.calls:
        call.evidence = [at.span(s) for s in call.evidence]
    for claim in response.claims:
        claim.evidence = [at.span(s) for s in claim.evidence]
        if claim.quote_span is not None:
            claim.quote_span = at.span(claim.quote_span)
    return response
