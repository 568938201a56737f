"""Short names a body goes by after its full name ("Tarvik Mining Holdings" ... "Tarvik
said"): one actor, not two."""

from __future__ import annotations

from schemas.contract import ActorKind
from service.engines.rules.actors import ActorBook


def short_names(book: ActorBook, generic: frozenset[str]) -> None:
    """Merge an organisation named by one word into the one organisation whose name starts
    with that word, unless the word is generic ("National", "Ministry") or starts several."""
    bodies = [a for a in book.actors if a.kind is ActorKind.organisation]
    starts: dict[str, int] = {}
    for body in bodies:
        words = body.name.split()
        if len(words) >= 2:
            starts[words[0]] = starts.get(words[0], 0) + 1
    for body in bodies:
        words = body.name.split()
        first = words[0]
        if len(words) < 2 or starts[first] > 1 or first.lower() in generic or first.isupper():
            continue  # "NATO" is a body of its own, not short for "NATO Support Agency"
        if book.state_of(first) is not None or book.capital_state(first) is not None:
            continue
        short = book.find(first)
        if (
            short is not None
            and short is not body
            and short.kind is ActorKind.organisation
            and short.name == first
        ):
            book.absorb(body, short)
