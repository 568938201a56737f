"""Speakers named by what they are rather than by a name of their own: news outlets, and
a state's unnamed government."""

from __future__ import annotations

from spacy.tokens import Span, Token

from service.engines.rules.actors import ActorBook, ActorRecord


def outlet_named(book: ActorBook, token: Token) -> ActorRecord | None:
    """A news outlet named with what it is ("the Velden daily Morgenpost", "the Harbour
    Ledger, a weekly newspaper"): an organisation under its proper name."""
    outlets = book.cues.outlets
    if token.tag_ not in {"NNP", "NNPS"} or not any(
        c.dep_ in {"compound", "amod", "appos"} and c.lower_ in outlets for c in token.children
    ):
        return None
    doc = token.doc
    start = token.i
    while (
        start > 0
        and doc[start - 1].tag_ in {"NNP", "NNPS"}
        and doc[start - 1].head.i == token.i
        and doc[start - 1].dep_ == "compound"
    ):
        start -= 1
    name = doc[start : token.i + 1].text
    return book.find(name) or book.organisation(name)


def unnamed_body(phrase: Span, head: Token) -> bool:
    """Whether the words before `head` are no name ("Arvland's government", "the military
    government"): lower case, a possessor or a state word."""
    return all(
        t.is_lower or t.dep_ in {"poss", "case"} or t.ent_type_ in {"GPE", "NORP"}
        for t in phrase
        if t.i < head.i
    )
