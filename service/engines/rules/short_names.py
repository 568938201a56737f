"""Short names a body goes by after its full name ("Tarvik Mining Holdings" ... "Tarvik
said", "Tarvik Mining said"): one actor, not two."""

from __future__ import annotations

from schemas.contract import ActorKind
from service.engines.rules.actors import ActorBook


def short_names(book: ActorBook, generic: frozenset[str]) -> None:
    """Merge an organisation whose name is the start of exactly one longer organisation's
    name into it, unless its first word is generic ("National", "Ministry"), an acronym or a
    state's name."""
    bodies = [a for a in book.actors if a.kind is ActorKind.organisation]
    for short in sorted(bodies, key=lambda a: -len(a.name.split())):
        words = short.name.split()
        first = words[0]
        if first.lower() in generic or first.isupper():
            continue  # "NATO" is a body of its own, not short for "NATO Support Agency"
        if book.state_of(first) is not None or book.capital_state(first) is not None:
            continue
        longer = [
            a
            for a in book.actors
            if a.kind is ActorKind.organisation
            and a is not short
            and a.name.split()[: len(words)] == words
            and len(a.name.split()) > len(words)
        ]
        if len(longer) == 1:
            book.absorb(longer[0], short)
