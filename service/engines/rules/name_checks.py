"""Which tagged entities name actors, and which tagged organisations are people."""

from __future__ import annotations

from spacy.tokens import Span

from service.engines.rules.actors import ActorBook
from service.engines.rules.cues import ActorCues
from service.engines.rules.names import NOT_IN_NAMES
from service.engines.rules.sentence import Sentence


def not_a_name(sentence: Sentence, ent: Span, cues: ActorCues) -> bool:
    """Entities that are no actor's name: template syntax, lower-case phrases, ships,
    treaties and facilities, or a lone upper-case kicker ("ANALYSIS")."""
    text = ent.text
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
    if ent.label_ != "PERSON" and any(w.lower() in cues.thing_words for w in (words[0], words[-1])):
        return True
    if not text.isupper() or len(text) <= 5:
        return False
    return sum(1 for t in sentence.tokens if not t.is_punct and not t.is_space) == len(ent)


def titled_person(book: ActorBook, ent: Span, words: list[str], cues: ActorCues) -> bool:
    """ "Secretary of State Martha Quill" tagged ORG from "State": a titled person."""
    doc = ent.doc
    titles = cues.titles
    rest = [w for w in words if w.lower() not in titles]
    before = doc[ent.start - 2 : ent.start] if ent.start >= 2 else None
    if before is None or before[-1].lower_ != "of" or before[0].lower_ not in titles:
        # "General Stavros Kallergis" tagged ORG: one title, then a two- or three-word name
        return (
            len(words) - len(rest) == 1
            and words[0].lower() in titles
            and 2 <= len(rest) <= 3
            and all(w[:1].isupper() and w[1:].islower() for w in rest)
            and not {w.lower() for w in rest} & cues.org_words
            and not any(book.state_of(w) for w in rest)
        )
    return (
        words[0].lower() in titles
        and len(rest) >= 2
        and all(w[:1].isupper() for w in rest)
        and not {w.lower() for w in rest} & cues.org_words
    )


def surnamed(book: ActorBook, words: list[str], lone_people: set[str], cues: ActorCues) -> bool:
    """ "Lívia Monteverde" tagged ORG, later "Monteverde" tagged PERSON: a person."""
    return (
        2 <= len(words) <= 3
        and words[-1] in lone_people
        and all(w[:1].isupper() and w[1:].islower() for w in words)
        and not {w.lower() for w in words} & cues.org_words
        and not any(book.state_of(w) for w in words)
    )


def title_before_name(ent: Span, cues: ActorCues) -> bool:
    """A tagged "name" followed by a capitalised title and another name: the words of a post
    ("Chilean Mining and Energy" + "Minister Elías Urquieta Vial")."""
    doc = ent.doc
    end = ent.end
    if end + 1 >= len(doc) or doc[end].lower_ not in cues.titles:
        return False
    return doc[end].text[:1].isupper() and doc[end + 1].ent_type_ == "PERSON"


def split_title(book: ActorBook, ent: Span, cues: ActorCues) -> bool:
    """A side's word and office words tagged as a body right before a post's title word:
    the first words of a title ("Valdoran Foreign" + "Minister Ilse Brandvik")."""
    doc = ent.doc
    words = ent.text.split()
    if len(words) < 2 or ent.end >= len(doc):
        return False
    post = doc[ent.end]
    if post.lower_ not in cues.split_posts or not post.text[:1].isupper():
        return False
    if not all(w.lower() in cues.split_offices for w in words[1:]):
        return False
    side = words[0]
    return side[:1].isupper() and (
        book.state_of(side) is not None or side.lower().endswith(cues.demonym_endings)
    )
