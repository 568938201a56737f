"""Calls built from the sides a finder read: one call per partner when they met separately,
with the call's medium, initiator and date."""

from __future__ import annotations

from spacy.tokens import Token

from schemas.contract import ActorKind, Medium
from service.engines.rules.actors import ActorRecord
from service.engines.rules.call_dates import CallDates
from service.engines.rules.call_merge import FoundCall, without_served_states
from service.engines.rules.cues import CallCues
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence

_MOST_SIDES = 6


class CallBuilder:
    """Turns the sides of one reported communication into dated calls."""

    def __init__(self, cues: CallCues, dates: CallDates) -> None:
        self.cues = cues
        self.dates = dates

    def calls(
        self,
        reading: Reading,
        sentence: Sentence,
        anchor: Token,
        tokens: list[Token],
        sides: list[ActorRecord],
        partners: list[ActorRecord],
        initiator: ActorRecord | None,
    ) -> list[FoundCall]:
        """The calls between `sides` and `partners`, anchored on a verb or call noun."""
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
            # "spoke first with X, then with Y": one call after another
            or (
                sum(t.lower_ == "with" for t in anchor.subtree) >= 2
                and any(t.lower_ in self.cues.sequence for t in anchor.subtree)
            )
        )
        # "X and Y held a separate meeting": with no partner named, the sides met each other
        apart = separate and sides and partners
        groups = [[*sides, p] for p in partners] if apart else [sides + partners]
        calls: list[FoundCall] = []
        for people in map(without_served_states, groups):
            if len(people) < 2:
                continue
            call = FoundCall(participants=people, sentences=[sentence.number])
            call.initiator = self._requested_by(reading, sentence, tokens) or initiator
            call.medium = self._medium(tokens, anchor.lower_)
            self.dates.clause_date(reading, sentence, tokens, call)
            for purpose in (c for c in anchor.children if c.dep_ == "advcl"):
                if call.date is None and any(a.tag_ == "TO" for a in purpose.children):
                    # "met to settle the tariff dispute on March 3": the day of the purpose clause
                    self.dates.clause_date(reading, sentence, list(purpose.subtree), call)
            if call.date is None:
                self.dates.governing(reading, sentence, anchor, call)
            else:
                self.dates.days_apart(sentence, anchor, call)
            if call.date is None:
                self.dates.previous(reading, sentence, call)
            if call.date is None and call.date_text is None:
                # "last met in Lima in March": a time that is no day, kept apart from dated calls
                spoken = [t.text for t in tokens if t.ent_type_ == "DATE"]
                call.date_text = " ".join(spoken) or None
            published = reading.article.published_at
            if call.date is not None and published is not None and call.date > published:
                continue
            calls.append(call)
        return calls

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


def plausible(people: list[ActorRecord]) -> bool:
    """Sides read off a clause make a call when a named person is among them: states alone
    ("US and Russian negotiators held talks") stand for people the article names elsewhere."""
    return 2 <= len(people) <= _MOST_SIDES and any(a.kind is ActorKind.person for a in people)
