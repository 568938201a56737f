"""Actors of one article: the records, the book of their forms and aliases, states, mentions."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.tokens import Token

from schemas.article import SegmentedArticle, fold
from schemas.contract import ActorKind
from service.engines.rules.cues import ActorCues, State

_KIND_ORDER = {
    ActorKind.person: 0,
    ActorKind.organisation: 1,
    ActorKind.group: 1,
    ActorKind.other: 2,
    ActorKind.state: 3,
}
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9.&-]{1,9}$")
_LINKS = {"of", "for", "the", "and", "on", "in", "de", "&"}
_PRONOUNS = {"he": "person", "she": "person", "him": "person", "her": "person"}
_GENDERS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
# Characters that never open or close a name: stray quote marks, dashes, commas ("X ''", "Y -").
_EDGE = " \t\n'\"`\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00ab\u00bb-\u2010\u2013\u2014,;:/|"


@lru_cache(maxsize=65536)
def key(text: str) -> str:
    """The comparison form of a name (case, diacritics, quotes and spacing folded)."""
    return fold(text, loose=True).text


@dataclass(slots=True)
class ActorRecord:
    """One actor as the engine builds it."""

    id: str
    name: str
    kind: ActorKind
    role: str | None = None
    affiliation: str | None = None
    aliases: list[str] = field(default_factory=list)
    heads: set[str] = field(default_factory=set)

    def forms(self) -> list[str]:
        """The name and every alias."""
        return [self.name, *self.aliases]


@dataclass(slots=True)
class Mention:
    """Where a form of an actor stands in the article."""

    start: int
    end: int
    actor: ActorRecord


def trim(name: str) -> str:
    """A name without the stray punctuation the tagger may take in at either end."""
    return name.strip(_EDGE)


def has_word(form: str) -> bool:
    """Whether a form holds a letter or digit (a lone quote mark or dash names nobody)."""
    return any(c.isalnum() for c in form)


def initials(name: str) -> str:
    """The acronym of a multi-word name ("Baltic Fisheries Monitoring Agency" -> "BFMA")."""
    words = [w for w in re.split(r"[\s-]+", name) if w and w.lower() not in _LINKS]
    return "".join(w[0] for w in words if w[0].isupper())


class ActorBook:
    """The actors of one article and the lookups the call and claim rules need."""

    def __init__(self, article: SegmentedArticle, cues: ActorCues) -> None:
        self.article = article
        self.cues = cues
        self.actors: list[ActorRecord] = []
        self._by_form: dict[str, ActorRecord] = {}
        self._state_of_form = cues.state_of_form
        self._capital_of = cues.capital_of
        self.state_words = {m.group() for m in cues.state_pattern.finditer(article.text)}
        self._mentions: list[Mention] | None = None
        # Where each form stands, searched once: the mentions are rebuilt whenever a form is
        # added, and most of the forms are the same as the last time.
        self._hits: dict[str, list[tuple[int, int]]] = {}
        self._ends: list[int] = []
        self._issued = 0

    # ------------------------------------------------------------------ building

    def _new(self, name: str, kind: ActorKind) -> ActorRecord:
        name = trim(name)
        self._issued += 1
        actor = ActorRecord(id=f"A{self._issued}", name=name, kind=kind)
        self.actors.append(actor)
        self._by_form[key(name)] = actor
        self._mentions = None
        return actor

    def add_alias(self, actor: ActorRecord, alias: str) -> None:
        """Record another form of `actor` unless it names some other actor."""
        alias = trim(alias)
        folded = key(alias)
        owner = self._by_form.get(folded)
        if owner is not None or not folded or not has_word(alias):
            return
        actor.aliases.append(alias)
        self._by_form[folded] = actor
        self._mentions = None

    def find(self, form: str) -> ActorRecord | None:
        """The actor named or aliased `form`."""
        return self._by_form.get(key(form))

    def state_of(self, form: str) -> State | None:
        """The state that a name, adjective or demonym names."""
        return self._state_of_form.get(key(form))

    def capital_state(self, form: str) -> State | None:
        """The state whose capital (or seat of government) `form` is."""
        return self._capital_of.get(key(form))

    def appears(self, form: str) -> bool:
        """Whether `form` stands in the article as written (case kept, whole words)."""
        if form in self.state_words:
            return True
        if key(form) in self._state_of_form or key(form) in self._capital_of:
            return False
        found = self.article.find_all(form, loose=False, whole_words=True)
        return next(found, None) is not None

    def state(self, state: State, seen: str) -> ActorRecord:
        """The actor of `state`, created on first sight and named as the article names it."""
        actor = self.find(state.name) or next(
            (self.find(form) for form in state.forms if self.find(form)), None
        )
        if actor is None:
            name = state.name if self.appears(state.name) else seen
            actor = self._new(name, ActorKind.state)
            for form in (state.name, *state.forms, *state.capitals):
                if form != name and self.appears(form):
                    self.add_alias(actor, form)
        return actor

    def person(self, name: str) -> ActorRecord:
        """The person of a full name, with the surname as alias."""
        actor = self.find(name)
        if actor is None:
            actor = self._new(name, ActorKind.person)
            parts = actor.name.split()
            if len(parts) >= 3 and parts[-1].lower() in self.cues.name_suffixes:
                parts = parts[:-1]  # "Nora Fenwick Jr.": the surname is "Fenwick", not "Jr."
            particle = len(parts) >= 3 and parts[-2].lower() in self.cues.name_particles
            if len(parts) >= 2:
                first = next((i for i, p in enumerate(parts[1:], 1) if p.islower()), None)
                if first is None and particle:
                    first = len(parts) - 2  # "Greta Van Dael": the surname is "Van Dael"
                self.add_alias(actor, " ".join(parts[first:]) if first else parts[-1])
            if len(parts) == 3 and all(p[:1].isupper() for p in parts) and not particle:
                self._paternal_alias(actor, parts[1])
        return actor

    def _paternal_alias(self, actor: ActorRecord, middle: str) -> None:
        """A middle name used alone elsewhere ("Odila Quilla Huanca" ... "Quilla"): a
        surname of its own, as in Spanish and Portuguese names."""
        if self.state_of(middle) is not None or len(middle) < 3:
            return
        alone = sum(1 for _ in self.article.find_all(middle, loose=False, whole_words=True))
        whole = sum(1 for _ in self.article.find_all(actor.name, loose=False, whole_words=True))
        if alone > whole:
            self.add_alias(actor, middle)

    def organisation(self, name: str, kind: ActorKind = ActorKind.organisation) -> ActorRecord:
        """An organisation (or group), with its acronym when the article uses one."""
        actor = self.find(name)
        if actor is None:
            acronym_of = next(
                (a for a in self.actors if _ACRONYM.match(name) and initials(a.name) == name),
                None,
            )
            if acronym_of is not None:
                self.add_alias(acronym_of, name)
                return acronym_of
            actor = self._new(name, kind)
            acronym = initials(name)
            owner = self.find(acronym) if len(acronym) >= 2 else None
            if owner is not None and owner is not actor and len(name.split()) >= 2:
                self.absorb(actor, owner)
            elif len(acronym) >= 2 and len(name.split()) >= 2 and self.appears(acronym):
                self.add_alias(actor, acronym)
        return actor

    def absorb(self, actor: ActorRecord, other: ActorRecord) -> None:
        """Merge `other` (an acronym or a short name found apart) into `actor`."""
        self.actors.remove(other)
        for form in other.forms():
            self._by_form.pop(key(form), None)
            self.add_alias(actor, form)
        other.id = actor.id
        self._mentions = None

    def unnamed(self, name: str, head: str, role: str | None) -> ActorRecord:
        """An unnamed speaker ("senior official"), one actor per distinct wording."""
        actor = self.find(name)
        if actor is None:
            actor = self._new(name, ActorKind.person)
            actor.role = role
        actor.heads.add(head)
        return actor

    # ------------------------------------------------------------------ lookups

    def mentions(self) -> list[Mention]:
        """Every occurrence of every actor's forms, longest first where they overlap."""
        if self._mentions is None:
            found: list[Mention] = []
            for actor in self.actors:
                for form in actor.forms():
                    hits = self._hits.get(form)
                    if hits is None:
                        hits = self._hits[form] = list(
                            self.article.find_all(form, loose=True, whole_words=True)
                        )
                    found += [Mention(start, end, actor) for start, end in hits]
            found.sort(key=lambda m: (m.start, -(m.end - m.start)))
            kept: list[Mention] = []
            for mention in found:
                if kept and mention.start < kept[-1].end:
                    continue
                kept.append(mention)
            self._mentions = kept
            self._ends = [m.end for m in kept]
        return self._mentions

    def within(self, start: int, end: int) -> Iterator[Mention]:
        """Mentions inside a character range."""
        mentions = self.mentions()
        # The mentions do not overlap, so their ends grow with their starts: skip to the first
        # that ends after `start`.
        for mention in mentions[bisect.bisect_right(self._ends, start) :]:
            if mention.start >= end:
                break
            yield mention

    def by_role(
        self,
        words: Iterable[str],
        affiliation: str | None,
        *,
        strict: bool = False,
        before: int | None = None,
    ) -> ActorRecord | None:
        """A person named before offset `before` whose role holds `words` (and affiliation,
        when given; with `strict`, the one person of that affiliation who holds it)."""
        wanted = {w.lower() for w in words}
        allowed = {affiliation} if strict else {None, affiliation}
        named = (
            None if before is None else {m.actor.id for m in self.mentions() if m.start < before}
        )
        found = [
            actor
            for actor in self.actors
            if actor.kind is ActorKind.person
            and (named is None or actor.id in named)
            and actor.role
            and wanted <= {w.lower() for w in actor.role.split()}
            and (affiliation is None or actor.affiliation in allowed)
        ]
        if strict and len(found) != 1:
            return None
        return found[0] if found else None


def pronoun_kind(token: Token) -> str | None:
    """'person' for he/she, None otherwise."""
    return _PRONOUNS.get(token.lower_)


def pronoun_gender(token: Token) -> str | None:
    """'m' for he/him/his, 'f' for she/her/hers, None otherwise."""
    return _GENDERS.get(token.lower_)


def kind_of(rank: ActorKind) -> int:
    """Preference order when several actors stand in one phrase (people first)."""
    return _KIND_ORDER[rank]
