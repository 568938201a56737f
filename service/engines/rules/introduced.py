"""Quotes introduced by a colon or a dash rather than a speech verb: "The minister was blunt:
"We will not pay."", "Brask put it plainly: "..."": the speaker is the subject before the colon."""

from __future__ import annotations

from spacy.tokens import Token

from service.engines.rules.actors import ActorRecord
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence

# A colon, an en or em dash, or a spaced hyphen standing for a dash ("was blunt - "..."").
_INTRODUCERS = {":", "-", "\u2013", "\u2014"}
_OPENING = {'"', "\u201c", "``", "''", "\u201e"}


def introduced_quote(
    reading: Reading, sentence: Sentence
) -> tuple[ActorRecord, Token, Token] | None:
    """(speaker, root of the sentence, verb before the colon) of a quote a colon introduces."""
    doc = sentence.doc
    mark = next(
        (
            t
            for t in doc
            if t.text in _INTRODUCERS
            and t.i + 1 < len(doc)
            and (doc[t.i + 1].text in _OPENING or doc[t.i + 1].tag_ == "``")
        ),
        None,
    )
    if mark is None:
        return None
    verb = next(
        (
            t
            for t in doc[: mark.i]
            if t.tag_.startswith("VB") and (t.dep_ == "ROOT" or t.head.i > mark.i)
        ),
        None,
    )
    if verb is None:
        return None
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None:
        return None
    speaker = reading.resolve(sentence, subject, create=False)
    if speaker is None:
        # "Brask's answer was blunt:": the owner of the answer
        owner = next((c for c in subject.children if c.dep_ == "poss"), None)
        speaker = reading.resolve(sentence, owner, create=False) if owner is not None else None
    if speaker is None:
        return None
    root = next(t for t in doc if t.dep_ == "ROOT")
    return speaker, root, verb
