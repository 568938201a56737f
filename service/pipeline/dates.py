"""Resolve the date words of an article ("on Sunday", "last Friday", "Oct 23") to calendar days.

A weekday names the most recent such day on or before publication ("last" one week earlier
when the weekday is the publication's own); a month and day without a year take the
publication's year, or the year before when that would fall after publication.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?P<weekday>" + "|".join(_WEEKDAYS) + r")"
_PATTERNS = [
    re.compile(r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b"),
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>\d{4})\b)?", re.I),
    re.compile(
        r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
        + _MONTH
        + r"(?:,?\s+(?P<year>\d{4})\b)?",
        re.I,
    ),
    re.compile(
        r"\b(?:(?P<rel>last|this|on|past)\s+)?"
        + _WEEKDAY
        + r"(?:['\u2019]s)?\b(?:\s+(?P<part>morning|afternoon|evening|night))?",
        re.I,
    ),
    re.compile(
        r"\b(?P<yesterday>yesterday)\b|\b(?P<today>today|tonight|this morning|"
        r"this afternoon|this evening|earlier today)\b",
        re.I,
    ),
]


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date expression found in a text, with its resolution (None if it names no day)."""

    start: int
    end: int
    text: str
    date: dt.date | None


def _resolve_match(match: re.Match[str], published: dt.date | None) -> dt.date | None:
    groups = match.groupdict()
    if groups.get("iso"):
        try:
            return dt.date.fromisoformat(groups["iso"])
        except ValueError:
            return None
    if published is None:
        return None
    if groups.get("yesterday"):
        return _days_before(published, 1)
    if groups.get("today"):
        return published
    if groups.get("weekday"):
        target = _WEEKDAYS.index(groups["weekday"].lower())
        back = (published.weekday() - target) % 7
        if back == 0 and (groups.get("rel") or "").lower() in {"last", "past"}:
            back = 7
        return _days_before(published, back)
    month = _MONTHS[groups["month"].lower().rstrip(".")]
    day = int(groups["day"])
    year = int(groups["year"]) if groups.get("year") else published.year
    try:
        resolved = dt.date(year, month, day)
    except ValueError:
        return None
    if not groups.get("year") and resolved > published:
        try:
            resolved = dt.date(year - 1, month, day)
        except ValueError:
            return None
    return resolved


def _days_before(published: dt.date, days: int) -> dt.date | None:
    """`days` before `published`, or None before 0001-01-01."""
    try:
        return published - dt.timedelta(days=days)
    except OverflowError:
        return None


def find_dates(text: str, published: dt.date | None) -> Iterator[DateMention]:
    """Yield every date expression in `text`, left to right, without overlaps."""
    found: list[tuple[int, int, re.Match[str]]] = []
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e, _ in found):
                continue
            found.append((start, end, match))
    for start, end, match in sorted(found, key=lambda item: item[0]):
        yield DateMention(start, end, text[start:end], _resolve_match(match, published))


def resolve(date_text: str, published: dt.date | None) -> dt.date | None:
    """The day `date_text` names, or None when it names none or cannot be resolved."""
    for mention in find_dates(date_text, published):
        if mention.date is not None:
            return mention.date
    return None
