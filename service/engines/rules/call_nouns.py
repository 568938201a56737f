"""Calls named by a noun: "a call between X and Y", "talks with Y", "talks took place"."""

from __future__ import annotations

from spacy.tokens import Token

from schemas.contract import ActorKind
from service.engines.rules.actors import ActorRecord
from service.engines.rules.call_build import CallBuilder, plausible
from service.engines.rules.call_heads import partner_heads_of
from service.engines.rules.call_merge import FoundCall
from service.engines.rules.call_plans import planned
from service.engines.rules.cues import CallCues
from service.engines.rules.participants import Participants
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence
from service.engines.rules.sides import EventSides
from service.engines.rules.syntax import clause, conjuncts, listed_after, preps, subjects

_PAST = {"VBD", "VBN"}


class NounCalls:
    """Finds the calls that a call noun, not a verb, reports."""

    def __init__(
        self,
        cues: CallCues,
        participants: Participants,
        sides: EventSides,
        builder: CallBuilder,
    ) -> None:
        self.cues = cues
        self.participants = participants
        self.sides = sides
        self.builder = builder

    def is_event_noun(self, token: Token) -> bool:
        """A singular call noun ("a video call", "talks") that is not a summing-up plural."""
        return (
            token.lower_ in self.cues.event_nouns
            and token.tag_ in {"NN", "NNS"}
            and not any(c.dep_ == "nummod" for c in token.children)
        )

    def noun_call(self, reading: Reading, sentence: Sentence, noun: Token) -> list[FoundCall]:
        """A call named by a noun phrase: "a call between X and Y", "in talks with Y, X said"."""
        cues = self.cues
        verb = next((a for a in noun.ancestors if a.tag_.startswith("VB")), None)
        fronted = verb is not None and _fronted(noun, verb)
        above = [a for a in noun.ancestors if not (fronted and verb is not None and a.i == verb.i)]
        if any(
            a.lower_ in cues.planned_nouns
            or a.lower_ in cues.planned_heads
            or (
                a.lower_ in {"called", "calls", "call", "calling"}
                and any(c.lower_ in cues.not_call_particles for c in a.children)
            )
            for a in above
        ):
            return []
        if any(t.lower_ in cues.cancelled for t in sentence.tokens):
            return []  # "the meeting with the envoy had been cancelled"
        tokens = sorted(noun.subtree, key=lambda t: t.i)
        if fronted:
            # "In a phone conversation on Tuesday, X and Y agreed that ...": the verb reports
            # what was said in the call, not whether the call took place.
            if any(t.lower_ in cues.planned_words or t.lower_ in cues.negations for t in tokens):
                return []
        elif verb is not None:
            if verb.lower_ in cues.planned_heads:
                return []
            tokens = sorted({*tokens, *clause(verb)}, key=lambda t: t.i)
            if planned(cues, verb, noun, tokens):
                return []
        elif any(t.lower_ in cues.planned_words for t in tokens):
            return []
        between = [
            t
            for p in preps(noun, {"between"})
            for c in p.children
            if c.dep_ == "pobj"
            for t in conjuncts(c)
        ]
        partner_heads = partner_heads_of(noun, None)
        if noun.dep_ in {"nsubj", "nsubjpass", "dobj"} and verb is not None:
            partner_heads += partner_heads_of(verb, None)
        sides: list[ActorRecord] = []
        if not between:
            owners = [c for c in noun.children if c.dep_ == "poss"]
            if not owners and verb is not None and noun.dep_ != "nsubj":
                owners = subjects(verb)
                if not partner_heads and _told_during(noun, verb):
                    partner_heads = [c for c in verb.children if c.dep_ in {"dobj", "dative"}]
            sides = self.participants.people(reading, sentence, owners)
            if fronted and verb is not None and not partner_heads:
                # "In a phone conversation on Tuesday, X and Y agreed ...": the people named
                # between the fronted phrase and its verb.
                lo, hi = sentence.end(noun), sentence.start(verb)
                for mention in reading.book.within(lo, hi):
                    if mention.actor.kind is ActorKind.person and mention.actor not in sides:
                        sides.append(mention.actor)
        else:
            if len(between) < 2:
                between = listed_after(between[0])
            # "X hosted talks between Y and Z", the verb misread as the noun's modifier: the
            # host took part.
            hosts = [c for c in noun.children if c.dep_ == "amod" and c.lower_ in cues.hosting]
            sides = self.participants.people(
                reading, sentence, [s for h in hosts for s in subjects(h)]
            )
        partners = self.participants.people(reading, sentence, between + partner_heads)
        partners = [p for p in partners if p not in sides]
        return self.builder.calls(reading, sentence, noun, tokens, sides, partners, None)

    def subject_call(self, reading: Reading, sentence: Sentence, noun: Token) -> list[FoundCall]:
        """ "Talks between X and Y took place on Friday, chaired by Z": a call noun as the
        subject of a past verb."""
        cues = self.cues
        verb = noun.head
        if noun.dep_ not in {"nsubj", "nsubjpass"} or verb.tag_ not in _PAST:
            return []
        if verb.lower_ not in cues.occurred:
            return []
        if planned(cues, verb, noun, clause(verb)) or any(
            t.lower_ in cues.cancelled or t.lower_ in cues.planned_heads for t in noun.subtree
        ):
            return []
        if any(t.lower_ in cues.cancelled for t in sentence.tokens):
            return []
        if any(c.lower_ in {"the", "this", "that"} for c in noun.children):
            return []  # "The meeting was ...": a call already reported
        region = self.sides.region(verb, noun)
        people = self.sides.people(reading, sentence, region)
        if not plausible(people):
            return []
        calls = self.builder.calls(reading, sentence, noun, region, people[:1], people[1:], None)
        return [self.builder.dates.sentence_date(reading, sentence, c) for c in calls]


def _in_phrase_on(noun: Token, verb: Token) -> bool:
    """A call noun in an "in"/"during" phrase that hangs on `verb`."""
    prep = noun.head
    return prep.dep_ == "prep" and prep.lower_ in {"in", "during"} and prep.head.i == verb.i


def _fronted(noun: Token, verb: Token) -> bool:
    """ "In a phone conversation, X told Y": a call noun in a phrase before its verb."""
    return _in_phrase_on(noun, verb) and noun.head.i < verb.i


def _told_during(noun: Token, verb: Token) -> bool:
    """ "In a phone conversation, X told Y": an indefinite call noun in a phrase on the verb."""
    return _in_phrase_on(noun, verb) and any(c.lower_ in {"a", "an"} for c in noun.children)
