"""The day of a call: in its clause, its sentence, the clause it hangs on, the sentence before."""

from __future__ import annotations

import datetime as dt

from spacy.tokens import Token

from service.engines.rules.call_merge import FoundCall
from service.engines.rules.cues import CallCues
from service.engines.rules.dateline import dated_by_dateline
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence
from service.engines.rules.syntax import clause
from service.pipeline.dates import DateMention, find_dates


class CallDates:
    """Dates a call found in a sentence."""

    def __init__(self, cues: CallCues) -> None:
        self.cues = cues

    def sentence_date(self, reading: Reading, sentence: Sentence, call: FoundCall) -> FoundCall:
        """A call read off a misparsed clause takes the sentence's one date if its clause has
        none ("had held a conversation with X's minister, Y, on Thursday")."""
        if call.date is not None:
            return call
        days = [m for m in self.dates_in(reading, sentence.number) if m.date is not None]
        published = reading.article.published_at
        day = days[0].date if len(days) == 1 else None
        if day is not None and (published is None or day <= published):
            call.date, call.date_text = day, days[0].text
        return call

    def governing(
        self, reading: Reading, sentence: Sentence, anchor: Token, call: FoundCall
    ) -> None:
        """ "The list was agreed on Monday, when X spoke with Y": a "when" clause takes the day of
        the clause it hangs on."""
        verb = anchor if anchor.tag_.startswith("VB") else None
        if verb is None or verb.dep_ != "advcl":
            return
        when = next((c for c in verb.children if c.lower_ == "when" and c.dep_ == "advmod"), None)
        if when is None:
            return
        self.clause_date(reading, sentence, clause(verb.head), call)
        if call.date is not None:
            return
        # the parser may hang the clause on a later verb: the date written just before "when"
        text = reading.article.text
        at = sentence.start(when)
        for mention in self.dates_in(reading, sentence.number):
            lo, _ = reading.article.sentence(sentence.number)
            if mention.date is not None and text[lo + mention.end : at].strip(" ,") == "":
                call.date, call.date_text = mention.date, mention.text

    def days_apart(self, sentence: Sentence, anchor: Token, call: FoundCall) -> None:
        """ "said on Friday, a day after talks with Y": the talks were a day before the date of
        the clause; "two days before the summit" likewise after it."""
        prep = anchor.head
        if anchor.dep_ != "pobj" or prep.lower_ not in {"after", "before"}:
            return
        if call.date_text is None or any(call.date_text.startswith(t.text) for t in anchor.subtree):
            return
        day = (
            prep.head
            if prep.dep_ == "prep" and prep.head.lower_ in {"day", "days"}
            else next((c for c in prep.children if c.dep_ == "npadvmod"), None)
        )
        if day is None or day.lower_ not in {"day", "days"}:
            return
        count = next((c.lower_ for c in day.children if c.dep_ in {"det", "nummod"}), None)
        days = {"a": 1, "the": 1, "one": 1, "two": 2, "three": 3}.get(count or "")
        if days is None or call.date is None:
            return
        shift = dt.timedelta(days=-days if prep.lower_ == "after" else days)
        call.date = call.date + shift
        call.date_text = sentence.doc[day.left_edge.i : prep.i + 1].text

    def previous(self, reading: Reading, sentence: Sentence, call: FoundCall) -> None:
        """A call told without a day right after a sentence that dates the same event
        ("signed an accord on Wednesday." + "X and Y signed it after talks in Hanoi"): the day
        of that sentence, when it has one and the two share a verb or it names a meeting (or
        several: "held calls with three counterparts on Sunday." + "X spoke first with Y, ...")."""
        if sentence.number <= 1 or self.dates_in(reading, sentence.number):
            return
        before = next((s for s in reading.sentences if s.number == sentence.number - 1), None)
        if before is None:
            return
        days = [m for m in self.dates_in(reading, before.number) if m.date is not None]
        published = reading.article.published_at
        day = days[0].date if len(days) == 1 else None
        if day is None or (published is not None and day > published):
            return
        not_events = self.cues.not_events
        verbs = {_past_verb(t, not_events) for t in sentence.tokens} - {None}
        if any(_past_verb(t, not_events) in verbs for t in before.doc) or any(
            (t.lower_ in self.cues.event_nouns or t.lower_ in self.cues.several)
            and t.head.tag_ == "VBD"
            for t in before.doc
        ):
            call.date = day  # its words stand outside the call's sentence
            call.borrowed = True

    def dates_in(self, reading: Reading, number: int) -> list[DateMention]:
        """The dates written in sentence `number`, outside its dateline."""
        lo, hi = reading.article.sentence(number)
        text = reading.article.text
        base = next((s.base for s in reading.sentences if s.number == number), lo)
        return [
            m
            for m in find_dates(text[lo:hi], reading.article.published_at)
            if lo + m.start >= base and not dated_by_dateline(text, lo + m.end)
        ]

    def clause_date(
        self, reading: Reading, sentence: Sentence, tokens: list[Token], call: FoundCall
    ) -> None:
        """The date written inside the call's clause, if any."""
        starts = {sentence.start(t) for t in tokens}
        lo, _ = reading.article.sentence(sentence.number)
        for mention in self.dates_in(reading, sentence.number):
            start, end = lo + mention.start, lo + mention.end
            if any(start <= s < end for s in starts):
                call.date_text = mention.text
                call.date = mention.date
                return


def _past_verb(token: Token, not_events: frozenset[str]) -> str | None:
    """A past-tense verb that tells what happened ("signed"), not a report or an auxiliary."""
    if token.tag_ != "VBD" or token.dep_ in {"aux", "auxpass"} or token.lower_ in not_events:
        return None
    return token.lower_
