"""The actors of one article, collected from its entities, state words and named bodies."""

from __future__ import annotations

from spacy.tokens import Span, Token

from schemas.contract import ActorKind
from service.engines.rules.actors import (
    ActorBook,
    ActorRecord,
    doc_entities,
    entity_text,
    is_modifier,
    left_title,
)
from service.engines.rules.cues import Cues
from service.engines.rules.names import (
    NOT_IN_NAMES,
    extend_name,
    places_only,
    relayed_by,
    whole_name,
    without_possessor,
)
from service.engines.rules.sentence import Sentence

_SUBJECTS = {"nsubj", "nsubjpass"}


class Collector:
    """Fills an actor book from the parsed sentences of its article."""

    def __init__(self, book: ActorBook, sentences: list[Sentence], cues: Cues) -> None:
        self.book = book
        self.sentences = sentences
        self.cues = cues
        self._pending: list[tuple[ActorRecord, Sentence, Span, int]] = []

    def collect(self) -> None:
        """Every actor of the article into the book: states, people, bodies."""
        book = self.book
        political = self._political_states()
        for state in self.cues.actors.states:
            if state.name not in political:
                continue
            seen = next((f for f in (state.name, *state.forms) if book.appears(f)), None)
            if seen is not None:
                book.state(state, seen)
        places = {
            entity_text(e)[0]
            for sentence in self.sentences
            for e in sentence.doc.ents
            if e.label_ in {"GPE", "LOC", "FAC"}
        }
        singles: list[tuple[Sentence, Span, str]] = []
        people: list[tuple[Sentence, Span, str]] = []
        lone_people = {
            e.text
            for sentence in self.sentences
            for e in sentence.doc.ents
            if len(e) == 1
            and (
                e.label_ == "PERSON"
                # "Osterhagen told reporters": a lone name speaking is a person's
                or (
                    e.label_ == "ORG"
                    and not e.text.isupper()
                    and e.root.dep_ == "nsubj"
                    and e.root.head.lower_ in self.cues.claims.verbs
                )
            )
        }
        for sentence in self.sentences:
            for ent in doc_entities(sentence.doc):
                if self._not_a_name(sentence, ent):
                    continue
                ent = whole_name(ent)
                text, _, _ = entity_text(ent)
                text = without_possessor(text, self.cues.actors.collective_possessors)
                if book.state_of(text) is not None:
                    continue
                capital = book.capital_state(text)
                if capital is not None:
                    if ent.root.dep_ in _SUBJECTS and text[:1].isupper() and not text.isupper():
                        book.state(capital, text)
                    continue
                if ent.label_ in {"GPE", "LOC", "NORP", "FAC"}:
                    continue
                self._acronym_after(sentence, ent, text)
                words = text.split()
                titles = self.cues.actors.titles
                label = ent.label_
                if label == "ORG" and (
                    self._titled_person(ent, words) or self._surnamed(words, lone_people)
                ):
                    label = "PERSON"
                while (
                    label == "PERSON"
                    and len(words) > 1
                    and words[0].lower() in titles
                    and not (
                        words == text.split() and words[0].lower() in self.cues.actors.honorifics
                    )
                ):
                    words.pop(0)  # "Prince Yusri" keeps his style, "Crown Prince X" does not
                if label == "PERSON" and self._title_before_name(ent):
                    continue  # "Chilean Mining" + "Minister Pablo Ortúzar": part of a title
                if label == "PERSON" and is_modifier(ent) and book.find(" ".join(words)) is None:
                    continue  # "the Tarn Valley air base": a name used for a place
                if all(w.lower() in titles or book.state_of(w) for w in words):
                    continue
                if ent.label_ == "NORP" and len(words) >= 2 and words[-1].endswith("s"):
                    singles.append((sentence, ent, " ".join(words)))
                    continue
                text = " ".join(words)
                if label == "PERSON":
                    ent, text = extend_name(ent, text, book)
                    words = text.split()
                if label == "PERSON" and len(words) >= 2:
                    people.append((sentence, ent, text))
                else:
                    singles.append((sentence, ent, text))
        # "near the village of Stara Wieś Dolna": a place the tagger took for a person.
        places_of_people = places_only(
            [(ent, text) for _, ent, text in people], self.cues.actors, people=True
        )
        for sentence, ent, text in people:
            if text not in places_of_people:
                self._person(sentence, ent, text)
        only_places = places_only([(ent, text) for _, ent, text in singles], self.cues.actors)
        quoted = self.cues.claims.quoted
        org_words = self.cues.actors.org_words
        for sentence, ent, text in singles:
            lowered = {w.lower().strip("'\u2019s") for w in text.split()}
            if (text in only_places or text in places) and not lowered & org_words:
                continue
            if len(text.split()) == 1 and not text.isupper() and self._name_part(text):
                continue
            if book.find(text) is None and relayed_by(ent.root, quoted):
                continue  # "quoted by the Meridian news agency": a relay, not a speaker
            if book.find(text) is not None or (is_modifier(ent) and not text.isupper()):
                if book.find(text) is None:
                    continue
                self._affiliate(book.find(text), sentence, ent)
                continue
            if ent.label_ == "PERSON" and len(text.split()) == 1 and self._is_surname(text):
                continue
            lowered = {w.lower().strip("'\u2019s") for w in text.split()}
            fuller = self._fuller_body(text)
            if fuller is not None:
                book.add_alias(fuller, text)  # "Cyber Directorate" after "Dutch Cyber Directorate"
                continue
            if (
                ent.label_ == "ORG"
                or lowered & self.cues.actors.org_words
                or len(text.split()) == 1
            ):
                actor = book.organisation(text)
            else:
                actor = book.person(text)
            self._affiliate(actor, sentence, ent)
        for person, sentence, ent, start in self._pending:
            self._affiliate(person, sentence, ent, before=start)
        for sentence in self.sentences:
            self._bodies(sentence)

    def _fuller_body(self, text: str) -> ActorRecord | None:
        """The organisation named `text` with a state's name or adjective before it."""
        for actor in self.book.actors:
            if actor.kind is ActorKind.person or not actor.name.endswith(" " + text):
                continue
            if self.book.state_of(actor.name[: -len(text) - 1]) is not None:
                return actor
        return None

    def _title_before_name(self, ent: Span) -> bool:
        """A tagged "name" followed by a capitalised title and another name: the words of a post
        ("Chilean Mining and Energy" + "Minister Pablo Ortúzar Vial")."""
        doc = ent.doc
        end = ent.end
        if end + 1 >= len(doc) or doc[end].lower_ not in self.cues.actors.titles:
            return False
        return doc[end].text[:1].isupper() and doc[end + 1].ent_type_ == "PERSON"

    def _bodies(self, sentence: Sentence) -> None:
        """Named state bodies written in lower case: "the Peruvian foreign ministry", "Peru's
        navy", "Peruvian military intelligence", "the Peruvian embassy in Quito"."""
        book = self.book
        for token in sentence.doc:
            if token.lower_ not in self.cues.actors.bodies or not token.tag_.startswith("NN"):
                continue
            if relayed_by(token, self.cues.claims.quoted):
                continue  # "quoted by Danish media"
            first = token.i
            doc = sentence.doc
            while first > 0 and doc[first - 1].dep_ in {"compound", "amod", "case", "poss"}:
                before = doc[first - 1]
                stated = book.state_of(before.text) is not None
                if before.lower_ in self.cues.actors.not_naming or (
                    not stated and (before.ent_type_ == "PERSON" or before.head.i > token.i)
                ):
                    break
                first -= 1
            while first < token.i and book.state_of(doc[first].text) is None:
                first += 1  # the state word must lead: "the Peruvian foreign ministry"
            state = book.state_of(doc[first].text)
            if first == token.i or state is None:
                continue
            last = token.i
            if token.lower_ in self.cues.actors.seated:
                for prep in token.rights:
                    if prep.lower_ == "in" and any(
                        book.capital_state(c.text) for c in prep.children if c.dep_ == "pobj"
                    ):
                        last = prep.right_edge.i
            name = doc[first : last + 1].text
            owner = book.find(state.name) or book.find(doc[first].text)
            words = set(name.lower().split())
            actor = book.find(name) or next(
                (
                    a
                    for a in book.actors
                    if token.lower_ in a.heads
                    and a.affiliation == (owner.name if owner else state.name)
                    and (
                        words <= set(a.name.lower().split()) or set(a.name.lower().split()) <= words
                    )
                ),
                None,
            )
            if actor is not None and book.find(name) is None:
                book.add_alias(actor, name)
            actor = actor or book.organisation(name)
            actor.affiliation = actor.affiliation or (owner.name if owner else state.name)
            actor.heads.add(token.lower_)

    def _not_a_name(self, sentence: Sentence, ent: Span) -> bool:
        """Entities that are no actor's name: template syntax, lower-case phrases, ships,
        treaties and facilities, or a lone upper-case kicker ("ANALYSIS")."""
        text = ent.text
        cues = self.cues.actors
        if any(c in NOT_IN_NAMES for c in text) or not any(c.isalpha() for c in text):
            return True
        words = [w for w in text.split() if w.lower() not in {"the", "a", "an"}]
        if not words:
            return True
        first = words[0]
        if first[:1].islower() and first.split("-")[0].lower() not in cues.name_particles:
            return True
        if first.lower().strip(".") in cues.vessel_prefixes and len(words) >= 2:
            return True
        if ent.label_ != "PERSON" and any(
            w.lower() in cues.thing_words for w in (words[0], words[-1])
        ):
            return True
        if not text.isupper() or len(text) <= 5:
            return False
        return sum(1 for t in sentence.doc if not t.is_punct and not t.is_space) == len(ent)

    def _titled_person(self, ent: Span, words: list[str]) -> bool:
        """ "Secretary of State Martha Quill" tagged ORG from "State": a titled person."""
        doc = ent.doc
        titles = self.cues.actors.titles
        rest = [w for w in words if w.lower() not in titles]
        before = doc[ent.start - 2 : ent.start] if ent.start >= 2 else None
        if before is None or before[-1].lower_ != "of" or before[0].lower_ not in titles:
            # "General Stavros Kallergis" tagged ORG: one title, then a two- or three-word name
            return (
                len(words) - len(rest) == 1
                and words[0].lower() in titles
                and 2 <= len(rest) <= 3
                and all(w[:1].isupper() and w[1:].islower() for w in rest)
                and not {w.lower() for w in rest} & self.cues.actors.org_words
                and not any(self.book.state_of(w) for w in rest)
            )
        return (
            words[0].lower() in titles
            and len(rest) >= 2
            and all(w[:1].isupper() for w in rest)
            and not {w.lower() for w in rest} & self.cues.actors.org_words
        )

    def _surnamed(self, words: list[str], lone_people: set[str]) -> bool:
        """ "Lívia Monteverde" tagged ORG, later "Monteverde" tagged PERSON: a person."""
        return (
            2 <= len(words) <= 3
            and words[-1] in lone_people
            and all(w[:1].isupper() and w[1:].islower() for w in words)
            and not {w.lower() for w in words} & self.cues.actors.org_words
            and not any(self.book.state_of(w) for w in words)
        )

    def _political_states(self) -> set[str]:
        """States named at least once as political actors, not only as a place ("in Vaduz",
        "the border with Peru") or a product's origin ("Russian fuel")."""
        cues = self.cues.actors
        political: set[str] = set()
        for sentence in self.sentences:
            doc = sentence.doc
            for match in cues.state_pattern.finditer(doc.text):
                state = self.book.state_of(match.group())
                if state is None or state.name in political:
                    continue
                span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                if span is None or not self._place_only(span.root):
                    political.add(state.name)
        return political

    def _place_only(self, token: Token) -> bool:
        """Whether a state's word is used as a location or to describe a thing."""
        cues = self.cues.actors
        while token.dep_ == "conj" and token.head.i != token.i:
            token = token.head
        head = token.head
        if token.dep_ == "pobj":
            owner = head.head
            if head.lower_ in cues.state_prepositions:
                return head.lower_ != "from" or not owner.tag_.startswith("NN")
            return owner.lower_ in cues.geography
        if token.dep_ == "dobj" and head.lower_ in cues.geography:
            return True
        if token.dep_ in {"amod", "compound", "nmod"} and head.i != token.i:
            noun = head
            while noun.dep_ in {"compound", "amod"} and noun.head.i != noun.i:
                if noun.lower_ in cues.political_nouns:
                    return False
                noun = noun.head
            return noun.lower_ not in cues.political_nouns and noun.ent_type_ != "PERSON"
        return False

    def _acronym_after(self, sentence: Sentence, ent: Span, text: str) -> None:
        """Note "Coastal Security Service (CSS)": the bracketed acronym names the same body."""
        doc = sentence.doc
        if ent.end + 2 < len(doc) and doc[ent.end].text == "(" and doc[ent.end + 2].text == ")":
            acronym = doc[ent.end + 1].text
            if acronym.isupper() and len(acronym) >= 2 and len(text.split()) >= 2:
                actor = self.book.find(text) or self.book.organisation(text)
                self.book.add_alias(actor, acronym)

    def _name_part(self, text: str) -> bool:
        """Whether `text` is one word of a known person's name ("Wei" of "Wei Tianming")."""
        return any(a.kind is ActorKind.person and text in a.name.split() for a in self.book.actors)

    def _is_surname(self, text: str) -> bool:
        return any(
            a.kind is ActorKind.person and a.name.split()[-1] == text for a in self.book.actors
        )

    def _person(self, sentence: Sentence, ent: Span, text: str) -> None:
        actor = self.book.find(text) or self.book.person(text)
        doc = sentence.doc
        titles = left_title(list(doc[max(0, ent.start - 6) : ent.start]), self.cues.actors.titles)
        if titles and actor.role is None:
            actor.role = doc[titles[0].i : titles[-1].i + 1].text
        root = ent.root
        if (
            actor.role is None
            and root.dep_ == "appos"
            and root.head.lower_ in self.cues.actors.titles
        ):
            head = root.head
            left = [t for t in head.lefts if t.lower_ in self.cues.actors.titles]
            first = left[0].i if left else head.i
            actor.role = doc[first : head.i + 1].text
        if actor.role is None:
            for child in root.children:
                if child.dep_ == "appos" and (
                    child.lower_ in self.cues.actors.titles
                    or child.lower_ in self.cues.actors.appositive_roles
                ):
                    left = [t for t in child.lefts if t.dep_ in {"amod", "compound"}]
                    state = self.book.state_of(left[0].text) if left else None
                    if state is not None:
                        # "X, the Egyptian water minister,": Egypt's, and a water minister
                        owner = self.book.find(state.name) or self.book.find(left[0].text)
                        actor.affiliation = actor.affiliation or (owner or state).name
                        left = [t for t in left if t.i > left[0].i]
                    first = left[0].left_edge.i if left else child.i
                    actor.role = doc[first : child.i + 1].text
        start = titles[0].i if titles else ent.start
        self._pending.append((actor, sentence, ent, start))

    def _affiliate(
        self, actor: ActorRecord | None, sentence: Sentence, ent: Span, before: int | None = None
    ) -> None:
        if actor is None or actor.affiliation is not None:
            return
        doc = sentence.doc
        i = (ent.start if before is None else before) - 1
        if i >= 0 and doc[i].tag_ == "POS":
            i -= 1
        if i < 0:
            state = None
        else:
            state = self.book.state_of(doc[i].text) or self.book.capital_state(doc[i].text)
        if state is not None:
            owner = self.book.find(state.name) or self.book.find(doc[i].text)
            actor.affiliation = owner.name if owner else state.name
            return
        if i >= 0:
            owner = self.book.find(doc[i].text)
            if owner is not None and owner is not actor:
                actor.affiliation = owner.name
                return
        for word in ent.text.split():
            state = self.book.state_of(word)
            if state is not None and actor.kind is not ActorKind.state:
                owner = self.book.find(state.name) or self.book.find(word)
                actor.affiliation = owner.name if owner else state.name
                return
