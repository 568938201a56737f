"""Calls: communications that took place, found on the dependency parse."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from schemas.contract import Medium
from service.dates import find_dates
from service.rules.actors import ActorRecord
from service.rules.cues import CallCues
from service.rules.reading import Reading, Sentence

_CLAUSE_SKIP = {"advcl", "ccomp", "relcl", "acl", "conj", "parataxis", "cc", "punct"}
_CONDITIONAL = {"if", "unless", "whether", "once", "until"}


@dataclass(slots=True)
class FoundCall:
    """A call before validation."""

    participants: list[ActorRecord]
    sentences: list[int]
    initiator: ActorRecord | None = None
    date_text: str | None = None
    date: object | None = None
    medium: Medium = Medium.unknown
    offsets: list[int] = field(default_factory=list)


def clause(token: Token) -> list[Token]:
    """The tokens of the clause a verb heads, without subordinate clauses or conjuncts."""
    out = [token]
    stack = [token]
    while stack:
        current = stack.pop()
        for child in current.children:
            if child.dep_ in _CLAUSE_SKIP:
                continue
            out.append(child)
            stack.append(child)
    return sorted(out, key=lambda t: t.i)


def conjuncts(token: Token) -> list[Token]:
    """A phrase head and the heads conjoined with it ("X and Y")."""
    return [token, *token.conjuncts]


def subjects(verb: Token) -> list[Token]:
    """The subject heads of a verb, inherited from the verb it is conjoined with if needed."""
    current: Token | None = verb
    while current is not None:
        found = [c for c in current.children if c.dep_ == "nsubj"]
        if found:
            return [t for s in found for t in conjuncts(s)]
        if current.dep_ in {"conj", "xcomp"} and current.head.i != current.i:
            current = current.head
        else:
            current = None
    return []


class CallFinder:
    """Finds calls in a reading."""

    def __init__(self, cues: CallCues) -> None:
        self.cues = cues

    def find(self, reading: Reading) -> list[FoundCall]:
        """Every call of the article, merged when the same participants meet on one day."""
        found: list[FoundCall] = []
        for sentence in reading.sentences:
            for token in sentence.doc:
                call = self._call(reading, sentence, token)
                if call is not None:
                    found.append(call)
        return _merge(found)

    def _trigger(self, token: Token) -> tuple[Token, Token | None] | None:
        """(verb, communication noun) when `token` reports a communication."""
        cues = self.cues
        word = token.lower_
        if not token.tag_.startswith("VB"):
            return None
        if any(
            c.lower_ in cues.not_call_particles and c.dep_ in {"prt", "prep"}
            for c in token.children
        ) and word in {"called", "calls", "call"}:
            return None
        noun = next(
            (c for c in token.children if c.dep_ in {"dobj", "pobj"} and c.lower_ in cues.nouns),
            None,
        )
        if word in cues.light_verbs:
            return (token, noun) if noun is not None else None
        if word in cues.verbs or word in cues.object_verbs:
            return token, noun
        return None

    def _planned(self, verb: Token, noun: Token | None, tokens: list[Token]) -> bool:
        cues = self.cues
        for child in verb.children:
            if child.dep_ in {"aux", "auxpass"} and (
                child.lower_ in cues.planned_heads or child.tag_ == "TO"
            ):
                return True
            if child.dep_ == "neg" or child.lower_ in cues.negations:
                return True
            if child.dep_ == "mark" and child.lower_ in _CONDITIONAL:
                return True
        head = verb
        while head.dep_ in {"xcomp", "conj", "ccomp"} and head.head.i != head.i:
            if head.dep_ != "conj" and head.head.lower_ in cues.planned_heads:
                return True
            head = head.head
        if verb.dep_ in {"xcomp", "acl", "relcl"} and verb.head.lower_ in cues.planned_heads:
            return True
        if noun is not None and any(c.lower_ in cues.planned_words for c in noun.children):
            return True
        return any(t.lower_ in cues.planned_words for t in tokens)

    def _call(self, reading: Reading, sentence: Sentence, token: Token) -> FoundCall | None:
        trigger = self._trigger(token)
        if trigger is None:
            return None
        verb, noun = trigger
        cues = self.cues
        tokens = clause(verb)
        if self._planned(verb, noun, tokens):
            return None
        word = verb.lower_
        subject_heads = subjects(verb)
        partner_heads: list[Token] = []
        if word in cues.object_verbs:
            partner_heads += [
                t
                for c in verb.children
                if c.dep_ == "dobj" and (noun is None or c.i != noun.i)
                for t in conjuncts(c)
            ]
        for holder in (verb, noun):
            if holder is None:
                continue
            for prep in holder.children:
                if prep.dep_ == "prep" and prep.lower_ in {"with", "to", "between"}:
                    partner_heads += [
                        t for c in prep.children if c.dep_ == "pobj" for t in conjuncts(c)
                    ]
        if not partner_heads and len(subject_heads) < 2:
            return None
        if word not in cues.object_verbs and word not in cues.joint_verbs and noun is None:
            return None
        people: list[ActorRecord] = []
        for head in subject_heads + partner_heads:
            actor = reading.resolve(sentence, head, create=False)
            if actor is not None and actor not in people:
                people.append(actor)
        if len(people) < 2:
            return None
        call = FoundCall(participants=people, sentences=[sentence.number])
        if word in {"phoned", "phones", "telephoned", "rang", "called", "calls"} and subject_heads:
            call.initiator = reading.resolve(sentence, subject_heads[0], create=False)
        call.initiator = self._requested_by(reading, sentence, tokens) or call.initiator
        call.medium = self._medium(tokens, word)
        self._date(reading, sentence, tokens, call)
        published = reading.article.published_at
        if call.date is not None and published is not None and call.date > published:  # type: ignore[operator]
            return None
        call.offsets = [sentence.start(verb)]
        return call

    def _requested_by(
        self, reading: Reading, sentence: Sentence, tokens: list[Token]
    ) -> ActorRecord | None:
        for token in tokens:
            if token.lower_ in self.cues.request_nouns:
                for prep in token.children:
                    if prep.lower_ == "of":
                        for obj in prep.children:
                            if obj.dep_ == "pobj":
                                return reading.resolve(sentence, obj, create=False)
        return None

    def _medium(self, tokens: list[Token], word: str) -> Medium:
        words = {t.lower_ for t in tokens}
        if words & self.cues.video_words:
            return Medium.video
        if words & self.cues.phone_words:
            return Medium.phone
        if words & self.cues.in_person_words or word in self.cues.in_person_words:
            return Medium.in_person
        return Medium.unknown

    def _date(
        self, reading: Reading, sentence: Sentence, tokens: list[Token], call: FoundCall
    ) -> None:
        starts = {sentence.start(t) for t in tokens}
        text = reading.article.text
        lo, hi = reading.article.sentence(sentence.number)
        for mention in find_dates(text[lo:hi], reading.article.published_at):
            start, end = lo + mention.start, lo + mention.end
            if any(start <= s < end for s in starts):
                call.date_text = mention.text
                call.date = mention.date
                return


def _merge(calls: list[FoundCall]) -> list[FoundCall]:
    merged: list[FoundCall] = []
    for call in calls:
        ids = {a.id for a in call.participants}
        twin = next(
            (
                m
                for m in merged
                if {a.id for a in m.participants} == ids
                and (m.date is None or call.date is None or m.date == call.date)
            ),
            None,
        )
        if twin is None:
            merged.append(call)
            continue
        twin.sentences = sorted({*twin.sentences, *call.sentences})
        if twin.date is None and call.date is not None:
            twin.date, twin.date_text = call.date, call.date_text
            twin.sentences = sorted(twin.sentences)
        twin.initiator = twin.initiator or call.initiator
        if twin.medium is Medium.unknown:
            twin.medium = call.medium
    return merged
