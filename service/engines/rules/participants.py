"""Call participants: the actors a side of a call names, groups and counterparts spelled out."""

from __future__ import annotations

from spacy.tokens import Token

from schemas.contract import ActorKind
from service.engines.rules.actors import ActorRecord
from service.engines.rules.cues import CallCues
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence
from service.engines.rules.syntax import conjuncts, preps


class Participants:
    """Resolves the phrase heads of a call's sides to actors."""

    def __init__(self, cues: CallCues) -> None:
        self.cues = cues

    def people(self, reading: Reading, sentence: Sentence, heads: list[Token]) -> list[ActorRecord]:
        """The actors that phrase heads name, groups and counted back-references spelled out."""
        people: list[ActorRecord] = []
        for head in heads:
            found = self._group(reading, sentence, head) or self._counted(reading, sentence, head)
            if not found and head.lower_ in self.cues.counterparts:
                named = _named_after(reading, sentence, head)
                found = [named] if named else self._counterparts(reading, sentence, head, people)
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
                found = [actor] if actor is not None else self._bodies_of(reading, sentence, head)
            people += [a for a in found if a not in people]
        return people

    def _bodies_of(self, reading: Reading, sentence: Sentence, head: Token) -> list[ActorRecord]:
        """ "BFMA procurement managers", "OECS heads of government": unnamed people who stand
        for the organisation or state that qualifies them; "Chilean and Bolivian officials": for
        each state."""
        if head.tag_ != "NNS":
            return []
        for child in head.lefts:
            if child.dep_ in {"compound", "nmod", "amod"}:
                actor = reading.resolve(sentence, child, create=False)
                if actor is not None and actor.kind is not ActorKind.person:
                    bodies = [actor]
                    # only a partner phrase: "Thai and Cambodian commanders held talks" names
                    # people the article names elsewhere
                    for other in child.conjuncts if head.dep_ == "pobj" else ():
                        more = reading.resolve(sentence, other, create=False)
                        if more is not None and more.kind is actor.kind and more not in bodies:
                            bodies.append(more)
                    return bodies
        return []

    def _group(self, reading: Reading, sentence: Sentence, head: Token) -> list[ActorRecord]:
        """ "the foreign ministers of X and Y": the ministers if named, else X and Y."""
        if head.lower_ not in self.cues.group_heads:
            return []
        owners: list[ActorRecord] = []
        named: list[ActorRecord] = []
        for prep in preps(head, {"of", "from"}):
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
        """ "her Maltese counterpart", "her Dutch and Belgian counterparts" unnamed: for each
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
        number: str | None
        if head.tag_ == "CD" and head.lower_ in self.cues.counted:
            # "after the two talked on Friday": the number alone stands for the people
            number = head.lower_ if any(c.lower_ == "the" for c in head.children) else None
        elif head.tag_ != "NNS":
            return []
        else:
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
        reporter = _reporter_span(sentence, head)
        seen: list[ActorRecord] = []
        for mention in reversed(reading.book.mentions()):
            if mention.start >= at or mention.start < lo:
                continue
            if reporter is not None and reporter[0] <= mention.start < reporter[1]:
                continue  # "an official said the two men had talked": not one of the two
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


def _reporter_span(sentence: Sentence, head: Token) -> tuple[int, int] | None:
    """Where the subject of the verb whose clause holds `head` stands ("X said the two ...")."""
    clause = next((t for t in head.ancestors if t.dep_ == "ccomp"), None)
    if clause is None:
        return None
    subject = next((c for c in clause.head.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.i > head.i:
        return None
    if any(t.lower_ in {"he", "she"} and t.i < head.i for t in clause.subtree):
        return None  # "X said she had raised it with Y when the two spoke": X is one of them
    return sentence.start(subject.left_edge), sentence.end(subject.right_edge)


def _named_after(reading: Reading, sentence: Sentence, head: Token) -> ActorRecord | None:
    """ "her Thai counterpart, Kittipong Saelim,": the person named in apposition right after,
    also when the parser hung the name elsewhere."""
    doc = head.doc
    if head.tag_ != "NN" or head.i + 2 >= len(doc) or doc[head.i + 1].text != ",":
        return None
    at = sentence.start(doc[head.i + 2])
    return next(
        (
            m.actor
            for m in reading.book.within(at, at + 1)
            if m.start == at and m.actor.kind is ActorKind.person
        ),
        None,
    )


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


def _member(
    reading: Reading, owner: ActorRecord, role: str, qualifiers: set[str]
) -> ActorRecord | None:
    """The person named in the article who holds `role` for `owner` ("Maltese minister")."""
    forms = set(owner.forms())
    spellings = reading.cues.calls.spellings
    qualifiers = {spellings.get(q, q) for q in qualifiers}
    affiliated = [
        a
        for a in reading.book.actors
        if a.kind is ActorKind.person and a.affiliation in forms and a.role is not None
    ]
    fitting = [a for a in affiliated if role in (a.role or "").lower()]
    if not fitting and qualifiers:
        fitting = [a for a in affiliated if qualifiers <= _role_words(a, spellings)]
    best = [a for a in fitting if qualifiers <= _role_words(a, spellings)]
    if qualifiers and not best:
        # "the foreign ministers of X": not X's economy minister.
        fitting = [
            a for a in fitting if _role_words(a, spellings) <= {role, *reading.cues.calls.ranks}
        ]
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


def _role_words(actor: ActorRecord, spellings: dict[str, str]) -> set[str]:
    words = (actor.role or "").lower().split()
    return {spellings.get(w, w) for w in words}
