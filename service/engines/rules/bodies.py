"""Named state bodies that the tagger misses because they are written in lower case."""

from __future__ import annotations

from service.engines.rules.actors import ActorBook
from service.engines.rules.cues import Cues
from service.engines.rules.names import relayed_by
from service.engines.rules.sentence import Sentence


def state_bodies(book: ActorBook, sentence: Sentence, cues: Cues) -> None:
    """Named state bodies written in lower case: "the Uruguayan foreign ministry", "Uruguay's
    navy", "Uruguayan military intelligence", "the Uruguayan embassy in Hanoi"."""
    for token in sentence.tokens:
        if token.lower_ not in cues.actors.bodies or not token.tag_.startswith("NN"):
            continue
        if relayed_by(token, cues.claims.quoted):
            continue  # "quoted by Danish media"
        first = token.i
        doc = sentence.doc
        while first > 0 and doc[first - 1].dep_ in {"compound", "amod", "case", "poss"}:
            before = doc[first - 1]
            stated = book.state_of(before.text) is not None
            if before.lower_ in cues.actors.not_naming or (
                not stated and (before.ent_type_ == "PERSON" or before.head.i > token.i)
            ):
                break
            first -= 1
        while first < token.i and book.state_of(doc[first].text) is None:
            first += 1  # the state word must lead: "the Uruguayan foreign ministry"
        state = book.state_of(doc[first].text)
        if first == token.i or state is None:
            continue
        last = token.i
        if token.lower_ in cues.actors.seated:
            for prep in token.rights:
                if prep.lower_ == "in" and any(
                    book.capital_state(doc[c.left_edge.i : c.i + 1].text) or c.ent_type_ == "GPE"
                    for c in prep.children
                    if c.dep_ == "pobj"
                ):  # "the Uruguayan embassy in Hanoi", "... in Salto"
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
                and (words <= set(a.name.lower().split()) or set(a.name.lower().split()) <= words)
            ),
            None,
        )
        if actor is not None and book.find(name) is None:
            book.add_alias(actor, name)
        actor = actor or book.organisation(name)
        actor.affiliation = actor.affiliation or (owner.name if owner else state.name)
        actor.heads.add(token.lower_)
