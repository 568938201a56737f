"""Roles and affiliations of actors: the title before or beside a name, the state before it."""

from __future__ import annotations

from spacy.tokens import Span

from schemas.contract import ActorKind
from service.engines.rules.actors import ActorBook, ActorRecord
from service.engines.rules.cues import ActorCues
from service.engines.rules.names import left_title
from service.engines.rules.sentence import Sentence


def titled_person_of(
    book: ActorBook, sentence: Sentence, ent: Span, text: str, cues: ActorCues
) -> tuple[ActorRecord, int]:
    """The person a name stands for, with the role its title or apposition gives, and where
    the name and its title start (what stands before it may tell the affiliation)."""
    actor = book.find(text) or book.person(text)
    doc = sentence.doc
    titles = left_title(list(doc[max(0, ent.start - 6) : ent.start]), cues.titles)
    if titles and actor.role is None:
        actor.role = doc[titles[0].i : titles[-1].i + 1].text
    root = ent.root
    if actor.role is None and root.dep_ == "appos" and root.head.lower_ in cues.titles:
        head = root.head
        left = [t for t in head.lefts if t.lower_ in cues.titles]
        first = left[0].i if left else head.i
        actor.role = doc[first : head.i + 1].text
    if actor.role is None:
        for child in root.children:
            if child.dep_ == "appos" and (
                child.lower_ in cues.titles or child.lower_ in cues.appositive_roles
            ):
                left = [t for t in child.lefts if t.dep_ in {"amod", "compound"}]
                state = book.state_of(left[0].text) if left else None
                if state is not None:
                    # "X, the Egyptian water minister,": Egypt's, and a water minister
                    owner = book.find(state.name) or book.find(left[0].text)
                    actor.affiliation = actor.affiliation or (owner or state).name
                    left = [t for t in left if t.i > left[0].i]
                first = left[0].left_edge.i if left else child.i
                actor.role = doc[first : child.i + 1].text
    start = titles[0].i if titles else ent.start
    return actor, start


def affiliate(
    book: ActorBook,
    actor: ActorRecord | None,
    sentence: Sentence,
    ent: Span,
    before: int | None = None,
) -> None:
    """Give `actor` the state or body named right before it, or in its own name."""
    if actor is None or actor.affiliation is not None:
        return
    doc = sentence.doc
    i = (ent.start if before is None else before) - 1
    if i >= 0 and doc[i].tag_ == "POS":
        i -= 1
    state = None if i < 0 else book.state_of(doc[i].text) or book.capital_state(doc[i].text)
    if state is None and i > 0 and doc[i - 1].text[:1].isupper():
        state = book.state_of(doc[i - 1 : i + 1].text)  # "South Korea's", "South Korean"
    if state is not None:
        owner = book.find(state.name) or book.find(doc[i].text)
        actor.affiliation = owner.name if owner else state.name
        return
    if i >= 0:
        owner = book.find(doc[i].text)
        if owner is not None and owner is not actor:
            actor.affiliation = owner.name
            return
    for word in ent.text.split():
        state = book.state_of(word)
        if state is not None and actor.kind is not ActorKind.state:
            owner = book.find(state.name) or book.find(word)
            actor.affiliation = owner.name if owner else state.name
            return
