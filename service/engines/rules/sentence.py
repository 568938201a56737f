"""A numbered sentence of an article and its parse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token


@dataclass(slots=True)
class Sentence:
    """A numbered sentence of the article and its parse.

    `tokens` and `ents` are read once here (and `text` is given): every pass over `doc` (and
    `doc.text`, `doc.ents`) builds new Python objects, and the finders pass over each sentence
    many times.
    """

    number: int
    base: int
    doc: Doc
    text: str = field(repr=False, compare=False)  # the text parsed, `doc.text` without a pass
    tokens: list[Token] = field(init=False, repr=False, compare=False)
    ents: Sequence[Span] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.tokens = list(self.doc)
        self.ents = self.doc.ents

    def start(self, token: Token) -> int:
        """Article offset of a token."""
        return self.base + token.idx

    def end(self, token: Token) -> int:
        """Article offset just after a token."""
        return self.base + token.idx + len(token.text)
