"""Datelines ("OSLO, June 10 - ", "WARSAW (Reuters) - ", "LIMA, May 2 (Agency) - "): where a
sentence's text begins, and whether a date belongs to the dateline (the day of publication,
not of an event)."""

from __future__ import annotations

import re

# Capitals with diacritics too ("LOMÉ", "ŁÓDŹ").
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u017f"
DATELINE = re.compile(
    rf"[{_UPPER}][{_UPPER} .'\u2019-]+(?:\([A-Za-z .]+\))?"
    r"(?:,\s+[A-Z][a-z]+\.?\s+\d{1,2})?(?:\s+\([A-Za-z .]+\))?\s+[-\u2013\u2014]+\s+"
)
# What follows a date written in a dateline: an agency in brackets, then the closing dash.
_CLOSING = re.compile(r"\s*(?:\([^)]*\)\s*)?[-\u2013\u2014]+\s")


def after_dateline(text: str, start: int, end: int) -> int:
    """Where a sentence starts once its dateline, if any, is skipped."""
    match = DATELINE.match(text, start, end)
    return match.end() if match else start


def dated_by_dateline(text: str, end: int) -> bool:
    """Whether the date that ends at `end` is a dateline's ("LOMÉ, Feb 11 -")."""
    return _CLOSING.match(text, end) is not None
