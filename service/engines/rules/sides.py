"""The sides of a call read off its clause when the parse gives no clean subject and object.

The fallback behind the structural call finder: every actor named in the event's clause
(subject, objects, agents, "with"/"to"/"between" phrases, the people who led or chaired it)
takes part, people first; a state or organisation stays a side only when no person in the
clause stands for it.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from schemas.contract import ActorKind
from service.engines.rules.actors import ActorRecord
from service.engines.rules.cues import CallCues
from service.engines.rules.participants import Participants
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence
from service.engines.rules.syntax import conjuncts, dependents, subjects

# Dependencies that hang a side on the event: subjects, objects, passive agents.
_ARGUMENTS = {"nsubj", "nsubjpass", "dobj", "dative"}
# Dependencies of clauses of their own, whose actors are not the event's.
_CLAUSES = {"advcl", "ccomp", "relcl", "acl", "parataxis", "csubj", "xcomp"}


class EventSides:
    """Reads the participants of a call from the actors its clause names."""

    def __init__(self, cues: CallCues, participants: Participants) -> None:
        self.cues = cues
        self.participants = participants

    def region(self, verb: Token, noun: Token | None) -> list[Token]:
        """The tokens of the event's clause, with the people who led, chaired or hosted it; a
        verb's object only when the verb takes its partner as object ("met X", not "discussed
        X") or it is the call noun."""
        keep_object = verb.lower_ in self.cues.object_verbs
        tokens: dict[int, Token] = {}
        for child in verb.children:
            other_object = child.dep_ == "dobj" and (noun is None or child.i != noun.i)
            if other_object and not (keep_object and self.partner_object(child)):
                continue
            if child.dep_ in _CLAUSES or (child.dep_ == "conj" and child.tag_.startswith("VB")):
                continue  # "... and thanked her": another event
            tokens.update((t.i, t) for t in _phrase(child))
        tokens[verb.i] = verb
        if not any(t.dep_ in {"nsubj", "nsubjpass"} for t in tokens.values()):
            tokens.update((t.i, t) for s in subjects(verb) for t in _phrase(s))
            if verb.dep_ in {"acl", "relcl"} and not subjects(verb):
                # "The representative ..., Maelle Durand, conferred with X" read as a modifier
                tokens.update((t.i, t) for t in _phrase(verb.head) if t.i not in _span(verb))
        grown = True
        while grown:
            size = len(tokens)
            for token in list(tokens.values()):
                tokens.update((t.i, t) for t in self._leaders(token))
            grown = len(tokens) > size
        return sorted(tokens.values(), key=lambda t: t.i)

    def _leaders(self, token: Token) -> list[Token]:
        """ "a delegation led by X", "talks ..., chaired by X": the phrase of X."""
        return [
            t
            for child in token.children
            if child.dep_ in {"acl", "advcl"} and child.lower_ in self.cues.led_by
            for agent in child.children
            if agent.dep_ == "agent"
            for t in _phrase(agent)
        ]

    def partner_object(self, token: Token) -> bool:
        """An object that can be a side: a name, a pronoun, or a noun for people ("the Omani
        ambassador", "commanders"), not a thing or a crowd ("thousands of pilgrims")."""
        if token.tag_ in {"NNP", "NNPS", "PRP"} or token.ent_type_ in {"PERSON", "ORG", "GPE"}:
            return True
        return token.lower_ in self.cues.people_nouns

    def people(
        self, reading: Reading, sentence: Sentence, region: list[Token]
    ) -> list[ActorRecord]:
        """The actors who took part in the event whose clause is `region`."""
        inside = {t.i for t in region}
        heads = [
            t
            for token in region
            if token.dep_ in _ARGUMENTS or (token.dep_ == "pobj" and _side_prep(token.head))
            for t in conjuncts(token)
            if t.i in inside and not _aside(t, self.cues)
        ]
        if sum(h.tag_ != "PRP" for h in heads) >= 2:
            # "spoke with X to brief him": "him" is X, already a side
            heads = [h for h in heads if h.tag_ != "PRP" or h.dep_ in {"nsubj", "nsubjpass"}]
        found = self.participants.people(reading, sentence, heads)
        qualified: dict[str, bool] = {}
        for mention in reading.book.within(sentence.base, sentence.base + len(sentence.text)):
            token = _token_at(sentence, mention.start)
            if token is None or token.i not in inside or _aside(token, self.cues):
                continue
            actor = mention.actor
            if actor.kind is ActorKind.person:
                found += [actor] if actor not in found else []
                continue
            person = self._qualified(reading, sentence, token, mention.end, actor)
            qualified[actor.id] = qualified.get(actor.id, True) and person is not None
            if person is not None and person not in found:
                found.append(person)  # "Oman's minister of state, Salim ...", misparsed
            elif person is None and actor not in found:
                found.append(actor)
        people = [a for a in found if a.kind is ActorKind.person]
        served = {p.affiliation for p in people if p.affiliation}
        return [
            a
            for a in found
            if a.kind is ActorKind.person
            or not (qualified.get(a.id) or set(a.forms()) & served or a.name in served)
        ]

    def _qualified(
        self, reading: Reading, sentence: Sentence, token: Token, end: int, actor: ActorRecord
    ) -> ActorRecord | None:
        """The person a state or body's word only qualifies: "Austrian Foreign Minister Lena
        Gruber", "Chad's president, Colonel Abakar", "the head of the BFMA", "a Kenyan
        delegation led by X"."""
        head = token
        while head.head.i != head.i and (
            head.dep_ in {"amod", "compound", "poss", "nmod", "case", "appos"}
            or (head.dep_ == "pobj" and head.head.lower_ in {"of", "for"})
        ):
            head = head.head.head if head.dep_ == "pobj" else head.head
        doc = sentence.doc
        if head.i != token.i:
            named = reading.resolve(sentence, head, create=False)
            if (
                named is not None
                and named.kind is ActorKind.person
                and named.affiliation in {actor.name, *actor.forms()}
            ):
                return named  # "the head of the BFMA": its head, named elsewhere
            for t in _phrase(head) + self._leaders(head):
                if t.ent_type_ == "PERSON" and t.i != token.i:
                    named = reading.resolve(sentence, t, create=False)
                    if named is not None and named.kind is ActorKind.person:
                        return named
            after = head.right_edge.i + 1
            while after < len(doc) and doc[after].text == ")":
                after += 1
            if after + 1 < len(doc) and doc[after].text == "," and _person_at(doc, after + 1):
                # "the EU special envoy for the talks, Liisa Oksanen"
                named = reading.resolve(sentence, _name_end(doc, after + 1), create=False)
                if named is not None and named.kind is ActorKind.person:
                    return named
        i = next((t.i for t in sentence.tokens if sentence.start(t) >= end), len(doc))
        titles = reading.cues.actors.titles
        while i < len(doc):
            word = doc[i]
            if word.text == "(":
                close = next((t.i for t in doc[i:] if t.text == ")"), None)
                if close is None:
                    break
                i = close + 1
            elif word.lower_ in titles or word.lower_ in self.cues.title_glue:
                i += 1
            elif word.lower_ in {"in", "at"} and i + 1 < len(doc) and doc[i + 1].ent_type_:
                i += 1  # "the UN food agency in Niger, Maelle Durand"
                while i < len(doc) and doc[i].ent_type_ in {"GPE", "LOC", "FAC"}:
                    i += 1
            else:
                break
        if i < len(doc) and i > token.i + 1 and doc[i].ent_type_ == "PERSON":
            named = reading.resolve(sentence, doc[i], create=False)
            if named is not None and named.kind is ActorKind.person:
                return named
        return None


def _phrase(token: Token) -> list[Token]:
    """A phrase head and its dependents, conjoined names included, without clauses."""
    return dependents(
        token, lambda c: c.dep_ in _CLAUSES or (c.dep_ == "conj" and c.tag_.startswith("VB"))
    )


def _person_at(doc: Doc, i: int) -> bool:
    return doc[i].ent_type_ == "PERSON" and doc[i].ent_iob_ == "B"


def _name_end(doc: Doc, i: int) -> Token:
    """The last word of the name starting at `i`."""
    while i + 1 < len(doc) and doc[i + 1].ent_iob_ == "I":
        i += 1
    return doc[i]


def _span(token: Token) -> set[int]:
    return {t.i for t in token.subtree}


def _side_prep(prep: Token) -> bool:
    return prep.dep_ in {"prep", "agent"} and prep.lower_ in {"with", "to", "between", "by", "of"}


def _aside(token: Token, cues: CallCues) -> bool:
    """A word in a phrase of place, topic or source ("in Lima", "about Peru", "according to
    X"): not a side of the event."""
    if any(a.lower_ == "according" for a in token.ancestors):
        return True
    apposed = token.dep_ == "appos"
    for above in token.ancestors:
        if above.dep_ in {"prep", "agent"}:
            if apposed and above.head.lower_ in cues.people_nouns:
                return False  # "the envoy for the talks, Liisa Oksanen": the envoy's name
            return above.lower_ in cues.not_sides
        apposed = apposed or above.dep_ == "appos"
    return False


def _token_at(sentence: Sentence, offset: int) -> Token | None:
    for token in sentence.tokens:
        start = sentence.start(token)
        if start <= offset < start + len(token.text):
            return token
    return None
