"""Who a pronoun names: "he"/"she" by the report that holds it, the recent subjects and the
genders learnt so far; "it" by the latest organisation that was a subject."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spacy.tokens import Token

from schemas.contract import ActorKind
from service.engines.rules.actors import ActorRecord, pronoun_gender
from service.engines.rules.sentence import Sentence

if TYPE_CHECKING:
    from service.engines.rules.reading import Reading


def pronoun(reading: Reading, sentence: Sentence, token: Token) -> ActorRecord | None:
    """He/she: the speaker whose report holds it, else the latest subject of the last two
    sentences, else the latest person named; skipping people known to be of the other
    gender (learnt from earlier pronouns)."""
    gender = pronoun_gender(token)

    def fits(actor: ActorRecord) -> bool:
        return actor.kind is ActorKind.person and reading.genders.get(actor.id, gender) == gender

    found = _reporter(reading, sentence, token)
    if found is not None and found.kind in {ActorKind.organisation, ActorKind.state}:
        # "Rojas's ministry said he had told ...": Rojas; "the Uruguayan ministry said he
        # had ...": a person of Uruguay (or of no known side) named before, never another side's
        owner = _owner_of_reporter(reading, sentence, token)
        if owner is not None:
            return owner if fits(owner) else None
        sides = {found.name, *found.aliases, found.affiliation} - {None}
        body = fits

        def fits(actor: ActorRecord) -> bool:
            return body(actor) and (actor.affiliation is None or actor.affiliation in sides)

        found = None
    if found is None or not fits(found):
        at = sentence.start(token)
        lo, _ = reading.article.sentence(max(1, sentence.number - 2))
        recent = [a for offset, a in reading.subjects if lo <= offset < at and fits(a)]
        found = recent[-1] if recent else None
        if found is None:
            before = [m.actor for m in reading.book.mentions() if m.start < at and fits(m.actor)]
            found = before[-1] if before else None
    if found is not None and gender is not None:
        reading.genders.setdefault(found.id, gender)
    return found


def _reporter(reading: Reading, sentence: Sentence, token: Token) -> ActorRecord | None:
    """ "X said (that) he ...": the subject of the nearest speech verb above the pronoun."""
    if token.dep_ not in {"nsubj", "nsubjpass"}:
        return None
    for verb in token.head.ancestors:
        if verb.lower_ in reading.cues.claims.verbs and verb.tag_.startswith("VB"):
            subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
            if subject is None or subject.i == token.i:
                return None
            return reading.resolve(sentence, subject, create=False)
    return None


def _owner_of_reporter(reading: Reading, sentence: Sentence, token: Token) -> ActorRecord | None:
    """The person whose body reports ("Rojas's ministry said he ..."): Rojas."""
    for verb in token.head.ancestors:
        if verb.lower_ in reading.cues.claims.verbs and verb.tag_.startswith("VB"):
            subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
            owner = (
                next((c for c in subject.children if c.dep_ == "poss"), None) if subject else None
            )
            if owner is None:
                return None
            found = reading.resolve(sentence, owner, create=False)
            return found if found is not None and found.kind is ActorKind.person else None
    return None


def it_antecedent(reading: Reading, sentence: Sentence, token: Token) -> ActorRecord | None:
    """ "It warned ...": the organisation that was the latest subject of the last two
    sentences."""
    at = sentence.start(token)
    lo, _ = reading.article.sentence(max(1, sentence.number - 2))
    recent = [a for offset, a in reading.subjects if lo <= offset < at]
    if recent and recent[-1].kind in {ActorKind.organisation, ActorKind.group}:
        return recent[-1]
    return None
