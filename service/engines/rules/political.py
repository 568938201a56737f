"""Which states an article names as political actors, not only as places or origins."""

from __future__ import annotations

from spacy.tokens import Token

from service.engines.rules.actors import ActorBook
from service.engines.rules.cues import ActorCues
from service.engines.rules.sentence import Sentence


def political_states(book: ActorBook, sentences: list[Sentence], cues: ActorCues) -> set[str]:
    """States named at least once as political actors, not only as a place ("in Vaduz",
    "the border with Peru") or a product's origin ("Russian fuel")."""
    political: set[str] = set()
    for sentence in sentences:
        doc = sentence.doc
        for match in cues.state_pattern.finditer(sentence.text):
            state = book.state_of(match.group())
            if state is None or state.name in political:
                continue
            span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
            if span is None or not _place_only(span.root, cues):
                political.add(state.name)
    return political


def _place_only(token: Token, cues: ActorCues) -> bool:
    """Whether a state's word is used as a location or to describe a thing."""
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
