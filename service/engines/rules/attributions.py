"""Statements introduced by "according to X" rather than by a speech verb."""

from __future__ import annotations

from spacy.tokens import Token

from service.engines.rules.actors import ActorRecord
from service.engines.rules.cues import ClaimCues
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence


def according(
    reading: Reading, sentence: Sentence, cues: ClaimCues
) -> tuple[ActorRecord | None, Token] | None:
    """(source, verb of the clause) of "..., according to X"; the source is X, the owner of X
    ("according to X's office") or whose document X is ("a statement from X")."""
    for token in sentence.tokens:
        if token.lower_ not in cues.attributions:
            continue
        source = next(
            (o for p in token.children if p.lower_ == "to" for o in p.children if o.dep_ == "pobj"),
            None,
        )
        if source is None:
            continue
        claimant = (
            reading.resolve(sentence, source)
            or next(
                (
                    a
                    for c in source.children
                    if c.dep_ in {"poss", "compound", "amod", "nmod"}
                    and (a := reading.resolve(sentence, c, create=False)) is not None
                ),
                None,
            )
            or _document_owner(reading, sentence, source)
        )
        anchor = token.head
        while not anchor.tag_.startswith("VB") and anchor.head.i != anchor.i:
            anchor = anchor.head
        return claimant, anchor
    return None


def _document_owner(reading: Reading, sentence: Sentence, source: Token) -> ActorRecord | None:
    """Whose document "according to" cites: "a statement from X", "figures published by X"."""
    phrases = [p for p in source.children if p.dep_ == "prep" and p.lower_ in {"from", "by", "of"}]
    phrases += [
        g for a in source.children if a.dep_ == "acl" for g in a.children if g.dep_ == "agent"
    ]
    return next(
        (
            actor
            for p in phrases
            for o in p.children
            if o.dep_ == "pobj"
            and (actor := reading.resolve(sentence, o, create=False)) is not None
        ),
        None,
    )
