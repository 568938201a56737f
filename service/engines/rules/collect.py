"""The actors of one article, collected from its entities, state words and named bodies.

The collector decides which entities are actors and of what kind and fills the book; which
states act politically (`political`), which entities name nobody (`name_checks`), roles and
affiliations (`roles`) and the lower-case state bodies (`bodies`) are read in their own modules.
"""

from __future__ import annotations

from spacy.tokens import Span

from schemas.contract import ActorKind
from service.engines.rules.actors import (
    ActorBook,
    ActorRecord,
)
from service.engines.rules.bodies import state_bodies
from service.engines.rules.cues import Cues
from service.engines.rules.name_checks import (
    not_a_name,
    split_title,
    surnamed,
    title_before_name,
    titled_person,
)
from service.engines.rules.names import (
    entity_text,
    extend_name,
    is_modifier,
    places_only,
    relayed_by,
    sentence_entities,
    whole_name,
    without_possessor,
)
from service.engines.rules.political import political_states
from service.engines.rules.roles import affiliate, titled_person_of
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
        political = political_states(book, self.sentences, self.cues.actors)
        for state in self.cues.actors.states:
            if state.name not in political:
                continue
            seen = next((f for f in (state.name, *state.forms) if book.appears(f)), None)
            if seen is not None:
                book.state(state, seen)
        places = {
            entity_text(e)[0]
            for sentence in self.sentences
            for e in sentence.ents
            if e.label_ in {"GPE", "LOC", "FAC"}
        }
        singles: list[tuple[Sentence, Span, str]] = []
        people: list[tuple[Sentence, Span, str]] = []
        lone_people = {
            e.text
            for sentence in self.sentences
            for e in sentence.ents
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
            for ent in sentence_entities(sentence):
                if not_a_name(sentence, ent, self.cues.actors):
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
                if split_title(book, ent, self.cues.actors):
                    continue  # "Valdoran Foreign" + "Minister Ilse Brandvik": part of a title
                self._acronym_after(sentence, ent, text)
                words = text.split()
                titles = self.cues.actors.titles
                label = ent.label_
                if label == "ORG" and (
                    titled_person(book, ent, words, self.cues.actors)
                    or surnamed(book, words, lone_people, self.cues.actors)
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
                if label == "PERSON" and title_before_name(ent, self.cues.actors):
                    continue  # "Chilean Mining" + "Minister Elías Urquieta": part of a title
                if label == "PERSON" and "-" in ent.doc[ent.end : ent.end + 1].text:
                    # "Bae Jun" + "-seok": the name's head is its last part, not a place's
                    ent, text = extend_name(ent, " ".join(words), book)
                    words = text.split()
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
                actor, start = titled_person_of(book, sentence, ent, text, self.cues.actors)
                self._pending.append((actor, sentence, ent, start))
        only_places = places_only([(ent, text) for _, ent, text in singles], self.cues.actors)
        quoted = self.cues.claims.quoted
        org_words = self.cues.actors.org_words
        for sentence, ent, text in singles:
            named, seat, _ = text.partition(" in ")
            if seat and book.find(named) is not None:
                continue  # "Talvik in Sarvik": someone already known, and a place
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
                affiliate(book, book.find(text), sentence, ent)
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
            affiliate(book, actor, sentence, ent)
        for person, sentence, ent, start in self._pending:
            affiliate(book, person, sentence, ent, before=start)
        for sentence in self.sentences:
            state_bodies(book, sentence, self.cues)

    def _fuller_body(self, text: str) -> ActorRecord | None:
        """The organisation named `text` with a state's name or adjective before it."""
        for actor in self.book.actors:
            if actor.kind is ActorKind.person or not actor.name.endswith(" " + text):
                continue
            if self.book.state_of(actor.name[: -len(text) - 1]) is not None:
                return actor
        return None

    def _acronym_after(self, sentence: Sentence, ent: Span, text: str) -> None:
        """Note "Coastal Security Service (CSS)": the bracketed acronym names the same body."""
        doc = sentence.doc
        if ent.end + 2 < len(doc) and doc[ent.end].text == "(" and doc[ent.end + 2].text == ")":
            acronym = doc[ent.end + 1].text
            if acronym.isupper() and len(acronym) >= 2 and len(text.split()) >= 2:
                actor = self.book.find(text) or self.book.organisation(text)
                self.book.add_alias(actor, acronym)

    def _name_part(self, text: str) -> bool:
        """Whether `text` is one word of a known person's name ("Qiao" of "Qiao Tianming")."""
        return any(a.kind is ActorKind.person and text in a.name.split() for a in self.book.actors)

    def _is_surname(self, text: str) -> bool:
        return any(
            a.kind is ActorKind.person and a.name.split()[-1] == text for a in self.book.actors
        )
