"""Calls: communications that took place, found on the dependency parse."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Token

from schemas.contract import ActorKind, Medium
from service.dates import find_dates
from service.rules.actors import ActorRecord
from service.rules.cues import CallCues
from service.rules.reading import Reading, Sentence

_CLAUSE_SKIP = {"advcl", "ccomp", "relcl", "acl", "conj", "parataxis", "cc", "punct"}
_SPELLING = {"defense": "defence"}
_CONDITIONAL = {"if", "unless", "whether", "once", "until"}
# Words of a role that do not change the post ("deputy minister" is still a minister).
_RANKS = {"deputy", "vice", "acting", "senior", "junior", "first"}


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
            if sentence.number == 1 and reading.headline:
                continue  # a headline restates a call of the body, in words too loose to read
            nouns: set[int] = set()
            for token in sentence.doc:
                trigger = self._trigger(token)
                if trigger is None:
                    continue
                if trigger[1] is not None:
                    nouns.add(trigger[1].i)
                found += self._call(reading, sentence, *trigger)
            for token in sentence.doc:
                if token.i not in nouns and self._event_noun(token):
                    found += self._noun_call(reading, sentence, token)
            self._joined(reading, sentence, found)
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
            if child.dep_ == "mark" and child.lower_ in _CONDITIONAL:
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
                if c.dep_ == "dobj" and (noun is None or c.i != noun.i)
                for t in conjuncts(c)
            ]
        partner_heads += _partners(verb, noun)
        if word in cues.joint_verbs:
            # "discussed the dispute with X": the parser hangs "with" on the object.
            partner_heads += [
                t
                for d in verb.children
                if d.dep_ == "dobj"
                for p in _preps(d, {"with"})
                for c in p.children
                if c.dep_ == "pobj"
                for t in conjuncts(c)
            ]
        if not subject_heads and verb.dep_ == "amod" and verb.i > 0:
            # "Solberg-Hauge phoned Minister X" misparsed as a modifier of X's name.
            subject_heads = [verb.doc[verb.i - 1]]
            partner_heads.append(verb.head)
        if word not in cues.object_verbs and word not in cues.joint_verbs and noun is None:
            return []
        sides = self._people(reading, sentence, subject_heads)
        partners = self._people(reading, sentence, partner_heads)
        partners = [p for p in partners if p not in sides]
        initiator = None
        if word in {"phoned", "phones", "telephoned", "rang", "called", "calls"} and sides:
            initiator = sides[0]
        return self._calls(reading, sentence, verb, tokens, sides, partners, initiator)

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
            for p in _preps(noun, {"between"})
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
            sides = self._people(reading, sentence, owners)
            if fronted and verb is not None and not partner_heads:
                # "In a phone conversation on Tuesday, X and Y agreed ...": the people named
                # between the fronted phrase and its verb.
                lo, hi = sentence.end(noun), sentence.start(verb)
                for mention in reading.book.within(lo, hi):
                    if mention.actor.kind is ActorKind.person and mention.actor not in sides:
                        sides.append(mention.actor)
        elif len(between) < 2:
            between = _listed_after(between[0])
        partners = self._people(reading, sentence, between + partner_heads)
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
        separate = any(c.lower_ in self.cues.separately for c in anchor.children)
        groups = [[*sides, p] for p in partners] if separate and sides else [sides + partners]
        calls: list[FoundCall] = []
        for people in groups:
            if len(people) < 2:
                continue
            call = FoundCall(participants=people, sentences=[sentence.number])
            call.initiator = self._requested_by(reading, sentence, tokens) or initiator
            call.medium = self._medium(tokens, anchor.lower_)
            self._date(reading, sentence, tokens, call)
            published = reading.article.published_at
            if call.date is not None and published is not None and call.date > published:  # type: ignore[operator]
                continue
            call.offsets = [sentence.start(anchor)]
            calls.append(call)
        return calls

    def _people(
        self, reading: Reading, sentence: Sentence, heads: list[Token]
    ) -> list[ActorRecord]:
        """The actors that phrase heads name, groups and counted back-references spelled out."""
        people: list[ActorRecord] = []
        for head in heads:
            found = self._group(reading, sentence, head) or self._counted(reading, sentence, head)
            if not found and head.lower_ in self.cues.counterparts:
                found = self._counterparts(reading, sentence, head, people)
            if not found:
                actor = reading.resolve(sentence, head, create=False)
                group = _group_above(head, self.cues.group_heads)
                if actor is not None and actor.kind is not ActorKind.person and group is not None:
                    # "the ministers of Brazil, Argentina and Chile" parsed with the later
                    # states conjoined to "ministers": they are sides of the group too.
                    actor = (
                        _member(reading, actor, *_role_of(group))
                        or _introduced(reading, sentence, actor)
                        or actor
                    )
                found = [actor] if actor is not None else []
            people += [a for a in found if a not in people]
        return people

    def _group(self, reading: Reading, sentence: Sentence, head: Token) -> list[ActorRecord]:
        """ "the foreign ministers of X and Y": the ministers if named, else X and Y."""
        if head.lower_ not in self.cues.group_heads:
            return []
        owners: list[ActorRecord] = []
        named: list[ActorRecord] = []
        for prep in _preps(head, {"of", "from"}):
            for obj in prep.children:
                if obj.dep_ != "pobj":
                    continue
                owners += [a for a in self._counted(reading, sentence, obj) if a not in owners]
                for side in conjuncts(obj):
                    actor = reading.resolve(sentence, side, create=False) or next(
                        (
                            a
                            for c in side.children
                            if c.dep_ in {"compound", "amod", "nmod", "poss"}
                            and (a := reading.resolve(sentence, c, create=False)) is not None
                        ),
                        None,
                    )
                    if actor is None or actor in owners or actor in named:
                        continue
                    (named if actor.kind is ActorKind.person else owners).append(actor)
        lo, hi = sentence.start(head.left_edge), sentence.end(head.right_edge)
        for mention in reading.book.within(lo, hi):
            if mention.actor.kind is ActorKind.person and mention.actor not in named:
                named.append(mention.actor)
        if len(named) >= 2 and len(named) >= len(owners):
            # "the presidents of X and Y, A and B, held talks": the people named.
            return named
        if not owners:
            return []
        out: list[ActorRecord] = []
        for owner in owners:
            member = _member(reading, owner, *_role_of(head)) or _introduced(
                reading, sentence, owner
            )
            out.append(member or owner)
        return out

    def _counterparts(
        self, reading: Reading, sentence: Sentence, head: Token, sides: list[ActorRecord]
    ) -> list[ActorRecord]:
        """ "her Bulgarian counterpart", "her British and French counterparts" unnamed: for each
        state, the person in the same post if the article names one, else the state."""
        if reading.resolve(sentence, head, create=False) is not None:
            return []
        states: list[ActorRecord] = []
        for child in head.children:
            if child.dep_ not in {"amod", "compound", "nmod"}:
                continue
            for word in conjuncts(child):
                actor = reading.resolve(sentence, word, create=False)
                if actor is not None and actor.kind is ActorKind.state and actor not in states:
                    states.append(actor)
        model = next((a for a in sides if a.kind is ActorKind.person and a.role), None)
        out: list[ActorRecord] = []
        for state in states:
            member = None
            if model is not None:
                words = (model.role or "").lower().split()
                member = _member(reading, state, words[-1], set(words[:-1]))
            out.append(member or state)
        return out

    def _counted(self, reading: Reading, sentence: Sentence, head: Token) -> list[ActorRecord]:
        """ "the two ministers", "both leaders": the people last named before them."""
        if head.tag_ != "NNS":
            return []
        number = next(
            (
                c.lower_
                for c in head.children
                if c.dep_ in {"nummod", "det", "predet"} and c.lower_ in self.cues.counted
            ),
            None,
        )
        if number is None or any(c.dep_ == "prep" for c in head.children):
            return []
        wanted = 2 if number == "both" else ["two", "three", "four"].index(number) + 2
        kind = ActorKind.state if head.lower_ in self.cues.country_nouns else ActorKind.person
        at = sentence.start(head)
        lo, _ = reading.article.sentence(max(1, sentence.number - 3))
        seen: list[ActorRecord] = []
        for mention in reversed(reading.book.mentions()):
            if mention.start >= at or mention.start < lo:
                continue
            if mention.actor.kind is kind and mention.actor not in seen:
                seen.append(mention.actor)
        if kind is ActorKind.state:
            paired = self._paired_states(reading, sentence, wanted)
            return paired or (seen[:wanted][::-1] if len(seen) >= wanted else [])
        role = head.lower_[:-1]
        fitting = [a for a in seen if a.role and role in a.role.lower()]
        chosen = fitting if len(fitting) >= wanted else seen
        return chosen[:wanted] if len(chosen) >= wanted else []

    def _paired_states(
        self, reading: Reading, sentence: Sentence, wanted: int
    ) -> list[ActorRecord]:
        """The states last named together ("Ethiopia and Eritrea"), for "both countries"."""
        for earlier in reversed(reading.sentences[max(0, sentence.number - 6) : sentence.number]):
            for token in reversed(earlier.doc):
                if token.dep_ == "conj" or not any(c.dep_ == "conj" for c in token.children):
                    continue
                group = [reading.resolve(earlier, t, create=False) for t in conjuncts(token)]
                states = [a for a in group if a is not None and a.kind is ActorKind.state]
                if len(states) == wanted == len(group) and len(set(a.id for a in states)) == wanted:
                    return states
        return []

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
            agents = [
                t
                for p in token.children
                if p.dep_ == "agent"
                for c in p.children
                if c.dep_ == "pobj"
                for t in conjuncts(c)
            ]
            for actor in self._people(reading, sentence, agents):
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


def _preps(token: Token, words: set[str]) -> list[Token]:
    return [c for c in token.children if c.dep_ == "prep" and c.lower_ in words]


def _partners(holder: Token, noun: Token | None) -> list[Token]:
    """Heads of "with"/"to"/"between" phrases on a verb or call noun, also when the parser hung
    them on a place ("talks in Doha between X and Y")."""
    heads: list[Token] = []
    for item in (holder, noun):
        if item is None:
            continue
        places = [c for p in _preps(item, {"in", "at"}) for c in p.children if c.dep_ == "pobj"]
        for owner in (item, *places):
            for prep in _preps(owner, {"with", "to", "between"}):
                heads += [t for c in prep.children if c.dep_ == "pobj" for t in conjuncts(c)]
    return heads


def _role_of(group: Token) -> tuple[str, set[str]]:
    """The post a group noun names and its qualifiers ("foreign ministers" -> minister, foreign)."""
    role = group.lower_[:-1] if group.lower_.endswith("s") else group.lower_
    qualifiers = {c.lower_ for c in group.children if c.dep_ in {"compound", "amod"} and c.is_alpha}
    return role, qualifiers


def _group_above(head: Token, group_heads: frozenset[str]) -> Token | None:
    """The group noun a conjunct hangs on ("ministers" above "Argentina" and "Chile")."""
    current = head
    while current.dep_ == "conj" and current.head.i != current.i:
        current = current.head
        if current.lower_ in group_heads and any(
            c.dep_ == "prep" and c.lower_ in {"of", "from"} for c in current.children
        ):
            return current
    doc = head.doc
    first = current
    if first.dep_ == "nsubj" and first.i >= 2 and doc[first.i - 1].text == ",":
        # "The ministers of Peru, Ecuador and Colombia met" parsed with two subjects.
        return next(
            (
                c
                for c in first.head.children
                if c.dep_ == "nsubj"
                and c.lower_ in group_heads
                and c.right_edge.i == first.i - 2
                and any(p.dep_ == "prep" and p.lower_ in {"of", "from"} for p in c.children)
            ),
            None,
        )
    return None


def _fronted(noun: Token, verb: Token) -> bool:
    """ "In a phone conversation, X told Y": a call noun in a phrase before its verb."""
    prep = noun.head
    return (
        prep.dep_ == "prep"
        and prep.lower_ in {"in", "during"}
        and prep.head.i == verb.i
        and prep.i < verb.i
    )


def _told_during(noun: Token, verb: Token) -> bool:
    """ "In a phone conversation, X told Y": an indefinite call noun in a phrase on the verb."""
    prep = noun.head
    return (
        prep.dep_ == "prep"
        and prep.lower_ in {"in", "during"}
        and prep.head.i == verb.i
        and any(c.lower_ in {"a", "an"} for c in noun.children)
    )


def _listed_after(first: Token) -> list[Token]:
    """The names listed after `first` when the parser cut the list short ("between A, B and C")."""
    doc = first.doc
    heads = [first]
    i = first.i + 1
    while i < len(doc) and doc[i].text in {",", "and"}:
        j = i + 1
        while j < len(doc) and doc[j].tag_ in {"NNP", "NNPS", "JJ", "DT"} and doc[j].text != ",":
            j += 1
        if j == i + 1 or doc[j - 1].tag_ not in {"NNP", "NNPS"}:
            break
        heads.append(doc[j - 1])
        i = j
        if doc[i - 1].i > first.i and i < len(doc) and doc[i].text not in {",", "and"}:
            break
    return heads


def _member(
    reading: Reading, owner: ActorRecord, role: str, qualifiers: set[str]
) -> ActorRecord | None:
    """The person named in the article who holds `role` for `owner` ("Bulgarian minister")."""
    forms = set(owner.forms())
    qualifiers = {_SPELLING.get(q, q) for q in qualifiers}
    affiliated = [
        a
        for a in reading.book.actors
        if a.kind is ActorKind.person and a.affiliation in forms and a.role is not None
    ]
    fitting = [a for a in affiliated if role in (a.role or "").lower()]
    if not fitting and qualifiers:
        fitting = [a for a in affiliated if qualifiers <= _role_words(a)]
    best = [a for a in fitting if qualifiers <= _role_words(a)]
    if qualifiers and not best:
        # "the foreign ministers of X": not X's economy minister.
        fitting = [a for a in fitting if _role_words(a) <= {role, *_RANKS}]
    chosen = best or fitting
    return chosen[0] if len(chosen) == 1 or best else None


def _introduced(reading: Reading, sentence: Sentence, owner: ActorRecord) -> ActorRecord | None:
    """ "The foreign ministers of X and Y met ... X's A and Y's B spent": the one person of
    `owner`, with no role given, first named in this sentence or the next."""
    lo, _ = reading.article.sentence(sentence.number)
    _, hi = reading.article.sentence(min(sentence.number + 1, len(reading.sentences)))
    first: dict[str, int] = {}
    for mention in reading.book.mentions():
        first.setdefault(mention.actor.id, mention.start)
    forms = set(owner.forms())
    people = [
        a
        for a in reading.book.actors
        if a.kind is ActorKind.person and a.affiliation in forms and a.role is None
    ]
    return people[0] if len(people) == 1 and lo <= first.get(people[0].id, -1) < hi else None


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


def _role_words(actor: ActorRecord) -> set[str]:
    words = (actor.role or "").lower().split()
    return {_SPELLING.get(w, w) for w in words}
