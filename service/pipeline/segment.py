"""Sentence numbering with a rule-based splitter (spaCy's tokenizer + sentencizer, no parse)."""

from __future__ import annotations

import datetime as dt
import re

import spacy
from spacy.language import Language

from schemas.article import SegmentedArticle

_BLOCK = re.compile(r"[^\n]+")
# A block longer than this is split before tokenising so no single Doc grows unbounded.
_MAX_BLOCK = 20_000


class Segmenter:
    """Splits an article into numbered sentences; build once per worker."""

    def __init__(self, nlp: Language | None = None) -> None:
        if nlp is None:
            nlp = spacy.blank("en")
            nlp.add_pipe("sentencizer")
        self._nlp = nlp

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
