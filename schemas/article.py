"""The segmented article that grounding validates against, and exact-text location in it.

Matching is tolerant in documented ways only: quotes tolerate whitespace and quote-mark
variants; names additionally tolerate case and diacritics. Whatever matches is returned
as the characters that stand in the article.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

_QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
}


@dataclass(frozen=True, slots=True)
class Folded:
    """A normalised copy of a text with, for each of its characters, the source index."""

    text: str
    index: tuple[int, ...]


def fold(text: str, *, loose: bool) -> Folded:
    """Normalise quotes and whitespace (and, when `loose`, case and diacritics)."""
    out: list[str] = []
    index: list[int] = []
    previous_space = True
    for i, char in enumerate(text):
        if char.isspace():
            if not previous_space:
                out.append(" ")
                index.append(i)
            previous_space = True
            continue
        previous_space = False
        char = _QUOTES.get(char, char)
        if loose:
            decomposed = unicodedata.normalize("NFKD", char)
            for piece in decomposed:
                if unicodedata.combining(piece):
                    continue
                for lowered in piece.casefold():
                    out.append(lowered)
                    index.append(i)
        else:
            out.append(char)
            index.append(i)
    if out and out[-1] == " ":
        out.pop()
        index.pop()
    return Folded("".join(out), tuple(index))


def _is_word_char(char: str) -> bool:
    return char.isalnum()


@dataclass(slots=True)
class SegmentedArticle:
    """An article and the character ranges of its numbered sentences (1-based numbers)."""

    text: str
    sentences: tuple[tuple[int, int], ...]
    published_at: dt.date | None = None
    _folds: dict[bool, Folded] = field(default_factory=dict, repr=False)

    def folded(self, *, loose: bool) -> Folded:
        """The article folded once and cached."""
        if loose not in self._folds:
            self._folds[loose] = fold(self.text, loose=loose)
        return self._folds[loose]

    def sentence(self, number: int) -> tuple[int, int]:
        """The character range of sentence `number`; IndexError when it does not exist."""
        if not 1 <= number <= len(self.sentences):
            raise IndexError(number)
        return self.sentences[number - 1]

    def sentence_of(self, offset: int) -> int:
        """The number of the sentence holding character `offset` (nearest before it)."""
        best = 1
        for number, (start, _end) in enumerate(self.sentences, start=1):
            if start > offset:
                break
            best = number
        return best

    def find_all(
        self,
        needle: str,
        *,
        loose: bool,
        within: tuple[int, int] | None = None,
        whole_words: bool = False,
    ) -> Iterator[tuple[int, int]]:
        """Yield (start, end) of each occurrence of `needle` in the article."""
        folded_needle = fold(needle, loose=loose).text
        if not folded_needle:
            return
        hay = self.folded(loose=loose)
        lo, hi = within if within is not None else (0, len(self.text))
        position = hay.text.find(folded_needle)
        while position != -1:
            start = hay.index[position]
            end = hay.index[position + len(folded_needle) - 1] + 1
            if (
                lo <= start
                and end <= hi
                and not (whole_words and not self._on_word_boundaries(start, end))
            ):
                yield start, end
            position = hay.text.find(folded_needle, position + 1)

    def _on_word_boundaries(self, start: int, end: int) -> bool:
        before = self.text[start - 1] if start > 0 else " "
        after = self.text[end] if end < len(self.text) else " "
        starts_word = not (_is_word_char(before) and _is_word_char(self.text[start]))
        ends_word = not (_is_word_char(after) and _is_word_char(self.text[end - 1]))
        return starts_word and ends_word

    def find(
        self, needle: str, *, loose: bool, within: tuple[int, int] | None = None
    ) -> tuple[int, int] | None:
        """The first occurrence of `needle`, or None."""
        return next(self.find_all(needle, loose=loose, within=within), None)
