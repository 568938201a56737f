"""Calls: communications that took place, found on the dependency parse.

The finder walks each sentence: a verb that reports a communication ("phoned", "held talks")
gives its sides from its subject and objects, or from its clause when the parse is loose;
call nouns go to `call_nouns`; the calls are built and dated in `call_build`.
"""

from __future__ import annotations

from spacy.tokens import Token

from service.engines.rules.call_build import CallBuilder, plausible
from service.engines.rules.call_dates import CallDates
from service.engines.rules.call_heads import name_head, partner_heads_of, passive_agents
from service.engines.rules.call_merge import FoundCall, merge
from service.engines.rules.call_nouns import NounCalls
from service.engines.rules.call_plans import planned
from service.engines.rules.cues import CallCues
from service.engines.rules.participants import Participants
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence
from service.engines.rules.sides import EventSides
from service.engines.rules.syntax import agents, clause, conjuncts, preps, subjects

_PAST = {"VBD", "VBN"}


class CallFinder:
    """Finds calls in a reading."""

    def __init__(self, cues: CallCues) -> None:
        self.cues = cues
        self.participants = Participants(cues)
        self.sides = EventSides(cues, self.participants)
        self.dates = CallDates(cues)
        self.builder = CallBuilder(cues, self.dates)
        self.nouns = NounCalls(cues, self.participants, self.sides, self.builder)

    def find(self, reading: Reading) -> list[FoundCall]:
        """Every call of the article, merged when the same participants meet on one day."""
        found: list[FoundCall] = []
        for sentence in reading.sentences:
            if sentence.number == 1 and reading.headline:
                continue  # a headline restates a call of the body, in words too loose to read
            nouns: set[int] = set()
            for token in sentence.tokens:
                trigger = self._trigger(token)
                if trigger is None:
                    continue
                if trigger[1] is not None:
                    nouns.add(trigger[1].i)
                found += self._call(reading, sentence, *trigger) or self._clause_call(
                    reading, sentence, *trigger
                )
            for token in sentence.tokens:
                if token.i not in nouns and self.nouns.is_event_noun(token):
                    found += self.nouns.noun_call(
                        reading, sentence, token
                    ) or self.nouns.subject_call(reading, sentence, token)
            self._joined(reading, sentence, found)
        return merge(found)

    def _trigger(self, token: Token) -> tuple[Token, Token | None] | None:
        """(verb, communication noun) when `token` reports a communication."""
        if not token.tag_.startswith("VB"):
            return None
        cues = self.cues
        word = token.lower_
        if word in {"called", "calls", "call"} and any(
            c.lower_ in cues.not_call_particles and c.dep_ in {"prt", "prep"}
            for c in token.children
        ):
            return None
        light = word in cues.light_verbs
        if not light and not (
            word in cues.verbs or word in cues.object_verbs or self._by_medium(token)
        ):
            return None  # most verbs: the cheap word tests first, the children only then
        noun = next(
            (c for c in token.children if c.dep_ in {"dobj", "pobj"} and c.lower_ in cues.nouns),
            None,
        )
        if light and noun is None:
            return None
        return token, noun

    def _by_medium(self, verb: Token) -> bool:
        """A past verb "by phone", "over a video link": a communication whatever the verb."""
        return verb.tag_ in _PAST and any(
            any(o.dep_ == "pobj" and o.lower_ in self.cues.medium_nouns for o in p.children)
            for p in preps(verb, set(self.cues.medium_preps))
        )

    def _clause_call(
        self, reading: Reading, sentence: Sentence, verb: Token, noun: Token | None
    ) -> list[FoundCall]:
        """A past communication whose sides the parse does not give cleanly: the actors named
        in its clause."""
        cues = self.cues
        reported = verb.lower_ in cues.verbs or noun is not None or self._by_medium(verb)
        if verb.tag_ not in _PAST or not reported:
            return []
        if verb.dep_ == "amod" or planned(cues, verb, noun, clause(verb)):
            return []
        if any(t.lower_ in cues.cancelled for t in sentence.tokens):
            return []
        region = self.sides.region(verb, noun)
        people = self.sides.people(reading, sentence, region)
        if not plausible(people):
            return []
        initiator = None
        if verb.lower_ in cues.phoning:
            said = self.participants.people(reading, sentence, subjects(verb))
            initiator = said[0] if said else None
        calls = self.builder.calls(
            reading, sentence, verb, region, people[:1], people[1:], initiator
        )
        return [self.dates.sentence_date(reading, sentence, c) for c in calls]

    def _call(
        self, reading: Reading, sentence: Sentence, verb: Token, noun: Token | None
    ) -> list[FoundCall]:
        cues = self.cues
        tokens = clause(verb)
        if planned(cues, verb, noun, tokens):
            return []
        word = verb.lower_
        subject_heads = subjects(verb)
        partner_heads: list[Token] = []
        if word in cues.object_verbs:
            partner_heads += [
                t
                for c in verb.children
                if c.dep_ == "dobj"
                and (noun is None or c.i != noun.i)
                and (word not in cues.hosting or self.sides.partner_object(c))
                for t in conjuncts(c)
            ]
        partner_heads += partner_heads_of(verb, noun)
        if word in cues.joint_verbs:
            # "discussed the dispute with X", "discussed the idea of a pool with X": the parser
            # hangs "with" on the object or on the object's "of" phrase.
            partner_heads += [
                t
                for d in verb.children
                if d.dep_ == "dobj"
                for o in (d, *(c for p in preps(d, {"of"}) for c in p.children))
                if o.dep_ in {"dobj", "pobj"}
                for p in preps(o, {"with"})
                for c in p.children
                if c.dep_ == "pobj"
                for t in conjuncts(c)
            ]
        misparsed = not subject_heads and verb.dep_ == "amod" and verb.i > 0
        if misparsed:
            # "Rognstad-Tveit phoned Minister X" misparsed as a modifier of X's name: the
            # partner is the name the title before it qualifies.
            subject_heads = [verb.doc[verb.i - 1]]
            partner_heads.append(name_head(verb.head))
        initiator_heads: list[Token] = []
        if not subject_heads and word in cues.object_verbs:
            # "X was called by his counterpart, Y": the agent is a side and made the call.
            initiator_heads = passive_agents(verb)
            if initiator_heads:
                subject_heads = initiator_heads
                partner_heads += [
                    t for c in verb.children if c.dep_ == "nsubjpass" for t in conjuncts(c)
                ]
        if word not in cues.object_verbs and word not in cues.joint_verbs and noun is None:
            return []
        sides = self.participants.people(reading, sentence, subject_heads)
        partners = self.participants.people(reading, sentence, partner_heads)
        partners = [p for p in partners if p not in sides]
        initiator = None
        if word in cues.phoning and sides:
            initiator = sides[0]
        calls = self.builder.calls(reading, sentence, verb, tokens, sides, partners, initiator)
        if misparsed:
            return [self.dates.sentence_date(reading, sentence, c) for c in calls]
        return calls

    def _joined(self, reading: Reading, sentence: Sentence, found: list[FoundCall]) -> None:
        """ "The session was chaired by X and attended by Y": X and Y took part in the last call."""
        if not found or found[-1].sentences[-1] < sentence.number - 1:
            return
        call = found[-1]
        for token in sentence.tokens:
            if token.lower_ not in self.cues.joined_by or token.tag_ != "VBN":
                continue
            verb = token
            while verb.dep_ == "conj" and verb.head.i != verb.i:
                verb = verb.head
            subject = [c for c in verb.children if c.dep_ == "nsubjpass"]
            if not subject or subject[0].lower_ not in self.cues.event_nouns:
                continue
            if not any(c.lower_ in {"the", "this", "that"} for c in subject[0].children):
                continue
            for actor in self.participants.people(reading, sentence, agents(token)):
                if actor not in call.participants:
                    call.participants.append(actor)
                    if sentence.number not in call.sentences:
                        call.sentences.append(sentence.number)
