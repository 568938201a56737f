"""Sentence numbering with a rule-based splitter (spaCy's tokenizer + sentencizer, no parse).

The tokenizer is bounded (`service.engines.tokenizer`), so segmenting costs time proportional
to the text whatever its punctuation.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re

import spacy
from spacy.language import Language

from schemas.article import SegmentedArticle
from service.engines.tokenizer import bound_tokenizer

_BLOCK = re.compile(r"[^\n]+")
# Opening punctuation: it belongs to the sentence after it. A straight quote mark at the end of
# a sentence, after a space, opens the next one too.
_OPENING = frozenset("\"'\u201c\u2018\u201e\u00ab\u2039([{")
# Template-like text is never cut: "{{ 7*7 }}", "{% if x %}" (bounded, so matching stays linear).
_TEMPLATE = re.compile(r"\{\{[^\n]{0,200}?\}\}|\{%[^\n]{0,200}?%\}")
# Abbreviations after which a lower-case word goes on the same sentence ("Nora Fenwick Sr. by
# video link", "Gen. de Villiers").
_ABBREVIATION = re.compile(r"\b(?:Sr|Jr|Dr|Mr|Mrs|Ms|St|Gen|Lt|Col|Capt|Sgt|Gov|Sen|Rep|Prof)\.$")
# A block longer than this is split before tokenising so no single Doc grows unbounded.
_MAX_BLOCK = 20_000


class Segmenter:
    """Splits an article into numbered sentences; build once per worker."""

    def __init__(self, nlp: Language | None = None) -> None:
        if nlp is None:
            nlp = spacy.blank("en")
            nlp.add_pipe("sentencizer")
        self._nlp = bound_tokenizer(nlp)

    def segment(self, text: str, published_at: dt.date | None = None) -> SegmentedArticle:
        """Number the sentences of `text`: each line is a block, split further into sentences."""
        blocks = [
            (m.start() + offset, piece)
            for m in _BLOCK.finditer(text)
            for offset, piece in _chunks(m.group())
            if piece.strip()
        ]
        sentences: list[tuple[int, int]] = []
        docs = self._nlp.pipe(piece for _, piece in blocks)
        for (base, _piece), doc in zip(blocks, docs, strict=True):
            for sent in doc.sents:
                start, end = _trim(text, base + sent.start_char, base + sent.end_char)
                if start < end:
                    sentences.append((start, end))
        sentences = mend(text, sentences)
        return SegmentedArticle(text=text, sentences=tuple(sentences), published_at=published_at)


def _chunks(block: str) -> list[tuple[int, str]]:
    if len(block) <= _MAX_BLOCK:
        return [(0, block)]
    return [(i, block[i : i + _MAX_BLOCK]) for i in range(0, len(block), _MAX_BLOCK)]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def mend(text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Move opening punctuation to the sentence it opens; join sentences cut after an
    abbreviation or inside a template."""
    mended: list[tuple[int, int]] = []
    for start, end in sentences:
        if (
            mended
            and text[start].islower()
            and _ABBREVIATION.search(text, mended[-1][0], mended[-1][1])
            and "\n" not in text[mended[-1][1] : start]
        ):
            mended[-1] = (mended[-1][0], end)
            continue
        if mended:
            before_start, before_end = mended[-1]
            cut = _opening_tail(text, before_start, before_end)
            if cut is not None and "\n" not in text[cut:start]:
                head_end = _trim(text, before_start, cut)[1]
                start = cut
                if head_end > before_start:
                    mended[-1] = (before_start, head_end)
                else:
                    mended.pop()
        mended.append((start, end))
    inside = [m.span() for m in _TEMPLATE.finditer(text)] if "{" in text else []
    if not inside:
        return mended
    starts = [s for s, _e in inside]
    joined: list[tuple[int, int]] = []
    for start, end in mended:
        cut = _template_around(inside, starts, start)
        if joined and cut is not None:
            before_start = joined[-1][0]
            head_end = _trim(text, before_start, cut)[1] if cut > before_start else before_start
            if head_end > before_start and "\n" not in text[cut:start]:
                # Cut before the template instead of inside it.
                joined[-1] = (before_start, head_end)
                start = cut
            else:
                joined[-1] = (before_start, end)
                continue
        joined.append((start, end))
    return joined


def _opening_tail(text: str, start: int, end: int) -> int | None:
    """Where a run of opening punctuation ending the sentence begins (after a space), or None."""
    position = end
    while position > start and text[position - 1] in _OPENING:
        position -= 1
    if position == end or (position > start and not text[position - 1].isspace()):
        return None
    return position


def _template_around(inside: list[tuple[int, int]], starts: list[int], at: int) -> int | None:
    """The start of the template `at` falls strictly inside, or None (spans sorted, disjoint)."""
    n = bisect.bisect_left(starts, at) - 1
    if n >= 0 and inside[n][0] < at < inside[n][1]:
        return inside[n][0]
    return None
