"""Calls: communications that took place, found on the dependency parse."""

from __future__ import annotations

from spacy.tokens import Token

from schemas.contract import ActorKind, Medium
from service.engines.rules.actors import ActorRecord
from service.engines.rules.call_dates import CallDates
from service.engines.rules.call_merge import FoundCall, merge, without_served_states
from service.engines.rules.cues import CallCues
from service.engines.rules.participants import Participants
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence
from service.engines.rules.sides import EventSides
from service.engines.rules.syntax import (
    agents,
    clause,
    conjuncts,
    listed_after,
    preps,
    subjects,
)

_PAST = {"VBD", "VBN"}
_MOST_SIDES = 6


class CallFinder:
    """Finds calls in a reading."""

    def __init__(self, cues: CallCues) -> None:
        self.cues = cues
        self.participants = Participants(cues)
        self.sides = EventSides(cues, self.participants)
        self.dates = CallDates(cues)

    def find(self, reading: Reading) -> list[FoundCall]:
        """Every call of the article, merged when the same participants meet on one day."""
        found: list[FoundCall] = []
        for sentence in reading.sentences:
            if sentence.number == 1 and reading.headline:
                continue  # a headline restates a call of the body, in words too loose to read
            nouns: set[int] = set()
            for token in sentence.doc:
                trigger = self._trigger(token)
                if trigger is None:
                    continue
                if trigger[1] is not None:
                    nouns.add(trigger[1].i)
                found += self._call(reading, sentence, *trigger) or self._clause_call(
                    reading, sentence, *trigger
                )
            for token in sentence.doc:
                if token.i not in nouns and self._event_noun(token):
                    found += self._noun_call(reading, sentence, token) or self._subject_call(
                        reading, sentence, token
                    )
            self._joined(reading, sentence, found)
        return merge(found)

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
        if word in cues.verbs or word in cues.object_verbs or self._by_medium(token):
            return token, noun
        return None

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
        if verb.dep_ == "amod" or self._planned(verb, noun, clause(verb)):
            return []
        if any(t.lower_ in cues.cancelled for t in sentence.doc):
            return []
        region = self.sides.region(verb, noun)
        people = self.sides.people(reading, sentence, region)
        if not _plausible(people):
            return []
        initiator = None
        if verb.lower_ in cues.phoning:
            said = self.participants.people(reading, sentence, subjects(verb))
            initiator = said[0] if said else None
        calls = self._calls(reading, sentence, verb, region, people[:1], people[1:], initiator)
        return [self.dates.sentence_date(reading, sentence, c) for c in calls]

    def _subject_call(self, reading: Reading, sentence: Sentence, noun: Token) -> list[FoundCall]:
        """ "Talks between X and Y took place on Friday, chaired by Z": a call noun as the
        subject of a past verb."""
        cues = self.cues
        verb = noun.head
        if noun.dep_ not in {"nsubj", "nsubjpass"} or verb.tag_ not in _PAST:
            return []
        if verb.lower_ not in cues.occurred:
            return []
        if self._planned(verb, noun, clause(verb)) or any(
            t.lower_ in cues.cancelled or t.lower_ in cues.planned_heads for t in noun.subtree
        ):
            return []
        if any(t.lower_ in cues.cancelled for t in sentence.doc):
            return []
        if any(c.lower_ in {"the", "this", "that"} for c in noun.children):
            return []  # "The meeting was ...": a call already reported
        region = self.sides.region(verb, noun)
        people = self.sides.people(reading, sentence, region)
        if not _plausible(people):
            return []
        calls = self._calls(reading, sentence, noun, region, people[:1], people[1:], None)
        return [self.dates.sentence_date(reading, sentence, c) for c in calls]

    def _event_noun(self, token: Token) -> bool:
        """A singular call noun ("a video call", "talks") that is not a summing-up plural."""
        return (
            token.lower_ in self.cues.event_nouns
            and token.tag_ in {"NN", "NNS"}
            and not any(c.dep_ == "nummod" for c in token.children)
        )

    def _planned(self, verb: Token, noun: Token | None, tokens: list[Token]) -> bool:
        cues = self.cues
        auxes = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
        perfect = any(c.lower_ in {"have", "'ve"} for c in auxes)
        for child in verb.children:
            if (
                child.dep_ in {"aux", "auxpass"}
                and (child.lower_ in cues.planned_heads or child.tag_ == "TO")
                and not (perfect and child.lower_ in cues.epistemic_modals)
            ):
                return True
            if child.dep_ == "neg" or child.lower_ in cues.negations:
                return True
            if child.dep_ == "mark" and child.lower_ in cues.conditionals:
                return True
        head = verb
        while head.dep_ in {"xcomp", "conj", "ccomp"} and head.head.i != head.i:
            if head.dep_ != "conj" and head.head.lower_ in cues.planned_heads:
                return True
            head = head.head
        if verb.dep_ in {"xcomp", "acl", "relcl"} and verb.head.lower_ in cues.planned_heads:
            return True
        if noun is not None and any(
            c.lower_ in cues.planned_words or c.lower_ in cues.negations for c in noun.children
        ):
            return True
        return any(t.lower_ in cues.planned_words and not self._elapsed(t) for t in tokens)

    def _elapsed(self, token: Token) -> bool:
        """ "an hour later", "days later": time gone by, not a plan."""
        if token.lower_ != "later" or token.i == 0:
            return False
        return token.doc[token.i - 1].lower_ in self.cues.elapsed_units or any(
            c.lower_ in self.cues.elapsed_units for c in token.children
        )

    def _call(
        self, reading: Reading, sentence: Sentence, verb: Token, noun: Token | None
    ) -> list[FoundCall]:
        cues = self.cues
        tokens = clause(verb)
        if self._planned(verb, noun, tokens):
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
        partner_heads += _partners(verb, noun)
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
            partner_heads.append(_name_head(verb.head))
        initiator_heads: list[Token] = []
        if not subject_heads and word in cues.object_verbs:
            # "X was called by his counterpart, Y": the agent is a side and made the call.
            initiator_heads = _agents(verb)
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
        calls = self._calls(reading, sentence, verb, tokens, sides, partners, initiator)
        if misparsed:
            return [self.dates.sentence_date(reading, sentence, c) for c in calls]
        return calls

    def _noun_call(self, reading: Reading, sentence: Sentence, noun: Token) -> list[FoundCall]:
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
        if any(t.lower_ in cues.cancelled for t in sentence.doc):
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
            if self._planned(verb, noun, tokens):
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
        partner_heads = _partners(noun, None)
        if noun.dep_ in {"nsubj", "nsubjpass", "dobj"} and verb is not None:
            partner_heads += _partners(verb, None)
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
        elif len(between) < 2:
            between = listed_after(between[0])
        partners = self.participants.people(reading, sentence, between + partner_heads)
        partners = [p for p in partners if p not in sides]
        return self._calls(reading, sentence, noun, tokens, sides, partners, None)

    def _calls(
        self,
        reading: Reading,
        sentence: Sentence,
        anchor: Token,
        tokens: list[Token],
        sides: list[ActorRecord],
        partners: list[ActorRecord],
        initiator: ActorRecord | None,
    ) -> list[FoundCall]:
        separate = (
            any(c.lower_ in self.cues.separately for c in anchor.children)
            or any(
                c.dep_ == "amod" and c.lower_ in self.cues.separate
                for n in (anchor, *anchor.children)
                if n.lower_ in self.cues.event_nouns
                for c in n.children
            )
            # "held calls with three counterparts": one call each
            or any(n.lower_ in self.cues.several for n in (anchor, *anchor.children))
        )
        groups = [[*sides, p] for p in partners] if separate and sides else [sides + partners]
        calls: list[FoundCall] = []
        for people in map(without_served_states, groups):
            if len(people) < 2:
                continue
            call = FoundCall(participants=people, sentences=[sentence.number])
            call.initiator = self._requested_by(reading, sentence, tokens) or initiator
            call.medium = self._medium(tokens, anchor.lower_)
            self.dates.clause_date(reading, sentence, tokens, call)
            if call.date is None:
                self.dates.governing(reading, sentence, anchor, call)
            else:
                self.dates.days_apart(sentence, anchor, call)
            if call.date is None:
                self.dates.previous(reading, sentence, call)
            published = reading.article.published_at
            if call.date is not None and published is not None and call.date > published:
                continue
            calls.append(call)
        return calls

    def _joined(self, reading: Reading, sentence: Sentence, found: list[FoundCall]) -> None:
        """ "The session was chaired by X and attended by Y": X and Y took part in the last call."""
        if not found or found[-1].sentences[-1] < sentence.number - 1:
            return
        call = found[-1]
        for token in sentence.doc:
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


def _plausible(people: list[ActorRecord]) -> bool:
    """Sides read off a clause make a call when a named person is among them: states alone
    ("US and Russian negotiators held talks") stand for people the article names elsewhere."""
    return 2 <= len(people) <= _MOST_SIDES and any(a.kind is ActorKind.person for a in people)


def _partners(holder: Token, noun: Token | None) -> list[Token]:
    """Heads of "with"/"to"/"between" phrases on a verb or call noun, also when the parser hung
    them on a place ("talks in Lima between X and Y")."""
    heads: list[Token] = []
    for item in (holder, noun):
        if item is None:
            continue
        places = [c for p in preps(item, {"in", "at"}) for c in p.children if c.dep_ == "pobj"]
        for owner in (item, *places):
            for prep in preps(owner, {"with", "to", "between"}):
                for link in conjuncts(prep):  # "with X and with Y"
                    heads += [t for c in link.children if c.dep_ == "pobj" for t in conjuncts(c)]
    return heads


def _name_head(token: Token) -> Token:
    """The name a title is a compound of ("Ambassador" in "Ambassador Haruto Ishida")."""
    while token.dep_ == "compound" and token.head.i != token.i:
        token = token.head
    return token


def _agents(verb: Token) -> list[Token]:
    """The heads of a passive verb's "by" phrase, when it has a passive subject."""
    if not any(c.dep_ == "nsubjpass" for c in verb.children):
        return []
    if any(c.dep_ in {"oprd", "xcomp", "attr"} for c in verb.children):
        return []  # "X was called a traitor by Y": naming, not phoning
    return agents(verb)


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
