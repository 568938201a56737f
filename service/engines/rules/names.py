"""Shapes of names in running text: entity spans and their words, titles before a name,
entities cut short, possessors, unnamed speakers, places."""

from __future__ import annotations

from spacy.tokens import Span, Token

from schemas.contract import ActorKind
from service.engines.rules.actors import ActorBook, trim
from service.engines.rules.cues import ActorCues
from service.engines.rules.sentence import Sentence

# Characters that never stand in a name: template and format syntax ("{% if %}", "%(name)s").
NOT_IN_NAMES = frozenset("{}%$<>|#=\\[]@*^~_`")
_STRIP_LEFT = ("the ", "The ", "a ", "A ", "an ", "An ")
_POSSESSIVE = ("'s", "\u2019s", "'", "\u2019")


def entity_text(span: Span) -> tuple[str, int, int]:
    """An entity's words without a leading article or trailing possessive, with offsets."""
    text, start = span.text, span.start_char
    for prefix in _STRIP_LEFT:
        if text.startswith(prefix):
            text, start = text[len(prefix) :], start + len(prefix)
    for suffix in _POSSESSIVE:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            text = text[: -len(suffix)]
            break
    trimmed = trim(text)
    start += text.find(trimmed) if trimmed else 0
    return trimmed, start, start + len(trimmed)


def sentence_entities(sentence: Sentence) -> list[Span]:
    """The entities of a parsed sentence worth considering as actors."""
    return [e for e in sentence.ents if e.label_ in {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}]


def is_modifier(span: Span) -> bool:
    """Whether an entity only modifies a common noun ("Kestrel units", "Nordvik pipeline")."""
    root = span.root
    return (
        root.dep_ in {"compound", "amod", "nmod"}
        and root.head.i >= span.end
        and (root.head.tag_ in {"NN", "NNS"})
    )


def left_title(tokens: list[Token], titles: frozenset[str]) -> list[Token]:
    """The title words standing right before a name, nearest last."""
    words: list[Token] = []
    for token in reversed(tokens):
        if token.lower_ in titles and token.ent_type_ != "PERSON":
            words.insert(0, token)
        else:
            break
    while words and words[0].lower_ in {"of", "and"}:
        words.pop(0)
    return words


def described(phrase: Span, token: Token, end: int) -> str:
    """An unnamed speaker with the words that place or describe them, up to a comma or a clause:
    "European diplomat in Tirana", "diplomat close to the negotiations"."""
    doc = phrase.doc
    last = phrase.end
    for child in token.rights:
        if child.dep_ == "acl" and child.tag_ in {"VBN", "VBG"} and child.i == last:
            last = child.right_edge.i + 1
    for i in range(end, last):
        if doc[i].text in {",", "(", "\u2013", "\u2014", "-"} or doc[i].tag_ in {"WP", "WDT"}:
            last = i
            break
    return doc[phrase.start : max(end, last)].text


def relayed_by(token: Token, quoted: frozenset[str]) -> bool:
    """Whether `token` only relays another's words ("was quoted by the Meridian news agency")."""
    while token.dep_ in {"conj", "compound"} and token.head.i != token.i:
        token = token.head  # "the Corvid news agency"
    by = token.head
    return token.dep_ == "pobj" and by.lower_ == "by" and by.head.lower_ in quoted


def places_only(
    singles: list[tuple[Span, str]], cues: ActorCues, *, people: bool = False
) -> set[str]:
    """Names only ever used as places ("near Vestby", "Vestby-based"): not actors. For names
    tagged as people, "to" and "from" do not make a place ("wrote to Anna Berg")."""
    places = cues.place_prepositions
    prepositions = places - cues.person_prepositions if people else places
    uses: dict[str, list[bool]] = {}
    for ent, text in singles:
        root = ent.root
        doc = ent.doc
        while root.dep_ == "conj" and any(c.dep_ == "cc" for c in root.head.rights):
            root = root.head  # "the terminals of Port Alder and Cape Wren"
        prep = root.head
        place = (
            (
                root.dep_ == "pobj"
                and prep.lower_ in prepositions
                and not (prep.lower_ == "from" and prep.head.tag_.startswith("NN"))
            )
            or (
                root.dep_ == "pobj" and prep.lower_ == "of" and prep.head.lower_ in cues.place_nouns
            )
            or (ent.end < len(doc) and doc[ent.end].text == "-")
        )
        uses.setdefault(text, []).append(place)
    return {text for text, flags in uses.items() if all(flags)}


def without_possessor(text: str, collective: frozenset[str]) -> str:
    """ "Moraru's Party of Civic Renewal" -> "Party of Civic Renewal"; not "People's
    Rights Party", whose first word is part of the name."""
    for mark in ("'s ", "\u2019s "):
        at = text.find(mark)
        if at > 0 and text[:at].lower() in collective:
            return text
        if at > 0 and text[at + len(mark) :][:1].isupper() and " " not in text[:at]:
            return text[at + len(mark) :]
    return text


def whole_name(ent: Span) -> Span:
    """An entity the tagger cut before its last words ("UN Panel of Monitors on" + "Chad")."""
    doc = ent.doc
    if ent.label_ != "ORG":
        return ent
    end = ent.end
    if end < len(doc) and doc[end].lower_ in {"in", "of", "for", "on"}:
        last = end + 1
        while last < len(doc) and doc[last].tag_ in {"NNP", "NNPS"}:
            last += 1
        if last > end + 1 and last < len(doc) and doc[last].text == "(":
            return doc[ent.start : last]  # "... Co-operation" + "in the Andes" (OCA)
    if ent[-1].lower_ not in {"on", "of", "for", "and"}:
        return ent
    while end < len(doc) and doc[end].tag_ in {"NNP", "NNPS"}:
        end += 1
    return doc[ent.start : end] if end > ent.end else ent


def extend_name(ent: Span, text: str, book: ActorBook) -> tuple[Span, str]:
    """A person's name the tagger cut short ("Noemí Celeste" + "Irigoyen")."""
    doc = ent.doc
    end = ent.end
    while (
        end < len(doc)
        and doc[end].tag_ == "NNP"
        and doc[end].text[:1].isupper()
        and doc[end].ent_type_ in {"", "PERSON", "ORG", "GPE"}
        and book.state_of(doc[end].text) is None
        and book.capital_state(doc[end].text) is None
    ):
        end += 1
    while (
        end + 1 < len(doc)
        and doc[end].text == "-"
        and not doc[end - 1].whitespace_
        and not doc[end].whitespace_
        and doc[end + 1].is_alpha
    ):
        end += 2  # "Bae Jun" + "-seok"
    start = ent.start
    titles = book.cues.titles
    if (
        len(ent) == 1
        and start >= 2
        and doc[start - 1].tag_ in {"NNP", "NNPS"}
        and doc[start - 1].ent_type_ == ""
        and doc[start - 1].text[:1].isupper()
        and doc[start - 1].text[1:].islower()
        and doc[start - 1].lower_ not in titles
        and doc[start - 1].whitespace_
        and book.state_of(doc[start - 1].text) is None
        and (
            (doc[start - 2].lower_ in titles and doc[start - 2].text[:1].isupper())
            or doc[start - 2].text == ","  # "Her counsel, Odalys" + "Arrieta"
        )
    ):
        # "Secretary-General Torben" + "Skovgaard": a first name the tagger left out
        text = doc[start - 1].text_with_ws + text
        start -= 1
    if end == ent.end:
        return doc[start : ent.end], text
    extended = doc[start:end]
    return extended, text + doc[ent.end - 1 : end].text[len(doc[ent.end - 1].text) :]


def family_name_first(book: ActorBook) -> None:
    """A person's first word used alone ("Tan Yu-lin" ... "Tan said"): the family name of a
    name written family name first, an alias, unless another person's name starts with it."""
    cues = book.cues
    people = [a for a in book.actors if a.kind is ActorKind.person]
    firsts: dict[str, int] = {}
    for actor in people:
        first = actor.name.split()[0]
        firsts[first] = firsts.get(first, 0) + 1
    text = book.article.text
    for actor in people:
        parts = actor.name.split()
        first = parts[0]
        lower = first.lower()
        if (
            len(parts) < 2
            or firsts[first] > 1
            or len(first) < 2
            or not first[:1].isupper()
            or lower in cues.titles
            or lower in cues.honorifics
            or lower in cues.name_particles
            or book.find(first) is not None
            or book.state_of(first) is not None
            or book.capital_state(first) is not None
        ):
            continue
        alone = sum(
            1
            for _, end in book.article.find_all(first, loose=False, whole_words=True)
            if not text[end : end + 1 + len(parts[1])].endswith(parts[1])
        )
        if alone:
            book.add_alias(actor, first)
