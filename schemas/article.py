"""The segmented article that grounding validates against, and exact-text location in it.

Matching is tolerant in documented ways only: quotes tolerate whitespace and quote-mark
variants; names additionally tolerate case and diacritics. Whatever matches is returned
as the characters that stand in the article.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

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
    if len(text) <= _CACHED_LENGTH:
        return _fold_cached(text, loose)
    return _fold(text, loose)


# Short texts (names, needles) are folded again and again: keep their results.
_CACHED_LENGTH = 80


@lru_cache(maxsize=16384)
def _fold_cached(text: str, loose: bool) -> Folded:
    return _fold(text, loose)


class _Table(dict[int, str]):
    """A `str.translate` table filled on demand: each character's folded form.

    Whitespace maps to a single space (runs are collapsed afterwards). A character whose folded
    form is not exactly one character other than a space is *irregular* and is folded on its own.
    """

    def __init__(self, loose: bool) -> None:
        super().__init__()
        self.loose = loose
        self.irregular: set[str] = set()

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char.isspace():
            piece = " "
        else:
            piece = _QUOTES.get(char, char)
            if self.loose:
                piece = "".join(
                    p.casefold()
                    for p in unicodedata.normalize("NFKD", piece)
                    if not unicodedata.combining(p)
                )
            if len(piece) != 1 or piece == " ":
                self.irregular.add(char)
        self[code] = piece
        return piece


_TABLES = {False: _Table(loose=False), True: _Table(loose=True)}
_SPACES = re.compile(" {2,}")


@lru_cache(maxsize=256)
def _splitter(irregular: str) -> re.Pattern[str]:
    return re.compile("[" + re.escape(irregular) + "]")


def _fold(text: str, loose: bool, *, fast: bool = True) -> Folded:
    table = _TABLES[loose]
    chars = set(text)
    for char in chars:
        if ord(char) not in table:
            table.__missing__(ord(char))  # fills the table and the irregular set
    irregular = chars & table.irregular
    run = _Runs(text, table, _mapped(text, chars, irregular, table) if fast else None)
    out: list[str] = []
    index: list[int] = []
    previous_space = True
    if not irregular:
        previous_space = _fold_run(run, 0, len(text), previous_space, out, index)
    else:
        position = 0
        for match in _splitter("".join(sorted(irregular))).finditer(text):
            at = match.start()
            previous_space = _fold_run(run, position, at, previous_space, out, index)
            piece = table[ord(text[at])]
            out.append(piece)
            index.extend([at] * len(piece))
            previous_space = False
            position = at + 1
        _fold_run(run, position, len(text), previous_space, out, index)
    folded = "".join(out)
    if folded.endswith(" "):
        folded = folded[:-1]
        index.pop()
    return Folded(folded, tuple(index))


@dataclass(frozen=True, slots=True)
class _Runs:
    """A text to fold run by run: through its table, or cut from its whole folded copy."""

    text: str
    table: _Table
    mapped: str | None

    def __call__(self, start: int, end: int) -> str:
        if self.mapped is not None:
            return self.mapped[start:end]
        return self.text[start:end].translate(self.table)


_SIGMA = "\u03a3"


def _mapped(text: str, chars: set[str], irregular: set[str], table: _Table) -> str | None:
    """The whole text with every regular character folded, by `str.lower` and `str.replace`.

    `str.translate` looks each character up in the table, about 50 ns a character: a quarter of
    a millisecond for a 5,000-character article, twice per request. Ordinary text needs far less:
    in the loose form most characters fold as `str.lower` folds them, and the rest (whitespace,
    curly quotes, accents) are few distinct characters, each replaced in one pass. When that
    cannot give what the table says (a lower-case form of another length, two characters with
    one lower-case form that fold apart), there is no shortcut: None, and the table is used.
    Positions of irregular characters hold anything; their runs never read them.
    """
    loose = table.loose
    if loose and _SIGMA in chars:
        return None  # str.lower makes it final or not by its context, not by the table
    targets: dict[str, str] = {}
    for char in chars:
        lowered = char.lower() if loose else char
        if len(lowered) != 1:
            return None
        if char in irregular:
            continue
        if targets.setdefault(lowered, table[ord(char)]) != table[ord(char)]:
            return None
    replace = {lowered: folded for lowered, folded in targets.items() if lowered != folded}
    if any(targets.get(folded, folded) != folded for folded in replace.values()):
        return None  # a replacement another replacement would change again
    folded_text = text.lower() if loose else text
    for lowered, folded in replace.items():
        folded_text = folded_text.replace(lowered, folded)
    return folded_text


def _fold_run(
    runs: _Runs,
    start: int,
    end: int,
    previous_space: bool,
    out: list[str],
    index: list[int],
) -> bool:
    """Fold the run `[start, end)`, whose characters all fold one to one; return
    `previous_space`."""
    if start >= end:
        return previous_space
    run = runs(start, end)
    position = 0
    if previous_space:
        position = len(run) - len(run.lstrip(" "))
    for match in _SPACES.finditer(run, position):
        kept = match.start() + 1
        out.append(run[position:kept])
        index.extend(range(start + position, start + kept))
        position = match.end()
    if position < len(run):
        out.append(run[position:])
        index.extend(range(start + position, end))
    return run.endswith(" ")


def _is_word_char(char: str) -> bool:
    return char.isalnum()


@dataclass(slots=True)
class SegmentedArticle:
    """An article and the character ranges of its numbered sentences (1-based numbers)."""

    text: str
    sentences: tuple[tuple[int, int], ...]
    published_at: dt.date | None = None
    _folds: dict[bool, Folded] = field(default_factory=dict, repr=False)
    memo: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

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
        # The folded text's source indices only grow: search from the window's start, stop past
        # its end (a long article is not scanned from the top for every cited sentence).
        position = hay.text.find(folded_needle, bisect.bisect_left(hay.index, lo) if lo else 0)
        while position != -1:
            start = hay.index[position]
            if start >= hi:
                return
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
