"""A numbered sentence of an article and its parse."""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token


@dataclass(slots=True)
class Sentence:
    """A numbered sentence of the article and its parse."""

    number: int
    base: int
    doc: Doc

    def start(self, token: Token) -> int:
        """Article offset of a token."""
        return self.base + token.idx

    def end(self, token: Token) -> int:
        """Article offset just after a token."""
        return self.base + token.idx + len(token.text)
