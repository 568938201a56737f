"""The phrase heads that name a call's partners, read off the dependency parse."""

from __future__ import annotations

from spacy.tokens import Token

from service.engines.rules.syntax import agents, conjuncts, preps


def partner_heads_of(holder: Token, noun: Token | None) -> list[Token]:
    """Heads of "with"/"to"/"between" phrases on a verb or call noun, also when the parser hung
    them on a place ("talks in Lima between X and Y")."""
    heads: list[Token] = []
    for item in (holder, noun):
        if item is None:
            continue
        places = [c for p in preps(item, {"in", "at"}) for c in p.children if c.dep_ == "pobj"]
        for owner in (item, *places):
            for prep in preps(owner, {"with", "to", "between"}):
                heads += _objects(prep)
    return heads


def _objects(prep: Token) -> list[Token]:
    """The objects of a preposition, of those conjoined with it ("with X and with Y") and of
    one hung on its object after an adverb ("with X, then with Y")."""
    heads: list[Token] = []
    for link in conjuncts(prep):
        for c in link.children:
            if c.dep_ != "pobj":
                continue
            heads += conjuncts(c)
            for later in preps(c, {prep.lower_}):
                if any(a.dep_ == "advmod" for a in later.children):
                    heads += _objects(later)
    return heads


def name_head(token: Token) -> Token:
    """The name a title is a compound of ("Ambassador" in "Ambassador Haruto Ishida")."""
    while token.dep_ == "compound" and token.head.i != token.i:
        token = token.head
    return token


def passive_agents(verb: Token) -> list[Token]:
    """The heads of a passive verb's "by" phrase, when it has a passive subject."""
    if not any(c.dep_ == "nsubjpass" for c in verb.children):
        return []
    if any(c.dep_ in {"oprd", "xcomp", "attr"} for c in verb.children):
        return []  # "X was called a traitor by Y": naming, not phoning
    return agents(verb)
