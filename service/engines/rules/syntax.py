"""Dependency-parse helpers shared by the call and claim finders."""

from __future__ import annotations

from collections.abc import Callable

from spacy.tokens import Token

_CLAUSE_SKIP = {"advcl", "ccomp", "relcl", "acl", "conj", "parataxis", "cc", "punct"}


def dependents(token: Token, skip: Callable[[Token], bool]) -> list[Token]:
    """`token` and the tokens below it, not descending into a child that `skip` rejects."""
    out = [token]
    stack = [token]
    while stack:
        current = stack.pop()
        for child in current.children:
            if skip(child):
                continue
            out.append(child)
            stack.append(child)
    return out


def clause(token: Token) -> list[Token]:
    """The tokens of the clause a verb heads, without subordinate clauses or conjuncts."""
    return sorted(dependents(token, lambda c: c.dep_ in _CLAUSE_SKIP), key=lambda t: t.i)


def conjuncts(token: Token) -> list[Token]:
    """A phrase head and the heads conjoined with it ("X and Y")."""
    return [token, *token.conjuncts]


def subjects(verb: Token) -> list[Token]:
    """The subject heads of a verb, inherited from the verb it is conjoined with if needed."""
    current: Token | None = verb
    while current is not None:
        found = [c for c in current.children if c.dep_ == "nsubj"]
        if found and current.dep_ == "relcl" and found[0].tag_ in {"WP", "WDT"}:
            return conjuncts(current.head)  # "X, who held talks with Y": X
        if found:
            return [t for s in found for t in conjuncts(s)]
        if current.dep_ in {"conj", "xcomp"} and current.head.i != current.i:
            current = current.head
        else:
            current = None
    return []


def agents(verb: Token) -> list[Token]:
    """The heads of a passive verb's "by" phrase ("chaired by X and Y": X, Y)."""
    return [
        t
        for a in verb.children
        if a.dep_ == "agent"
        for c in a.children
        if c.dep_ == "pobj"
        for t in conjuncts(c)
    ]


def preps(token: Token, words: set[str]) -> list[Token]:
    """The prepositions among `token`'s children that are one of `words`."""
    return [c for c in token.children if c.dep_ == "prep" and c.lower_ in words]


def listed_after(first: Token) -> list[Token]:
    """The names listed after `first` when the parser cut the list short ("between A, B and C")."""
    doc = first.doc
    heads = [first]
    i = first.i + 1
    while i < len(doc) and doc[i].text in {",", "and"}:
        j = i + 1
        while j < len(doc) and doc[j].tag_ in {"NNP", "NNPS", "JJ", "DT"} and doc[j].text != ",":
            j += 1
        if j == i + 1 or doc[j - 1].tag_ not in {"NNP", "NNPS"}:
            break
        heads.append(doc[j - 1])
        i = j
        if doc[i - 1].i > first.i and i < len(doc) and doc[i].text not in {",", "and"}:
            break
    return heads
