"""States normalised: every state actor, and every actor affiliated with a state, gets `country`.

`country` is the ISO 3166-1 alpha-3 code (pycountry). The forms that name a state (its names,
demonyms, capitals and stand-ins such as "the Kremlin") come from one table,
`service/data/states.toml`, which the rules engine reads too; pycountry adds the ISO names
("Russian Federation", "Viet Nam"). The step runs on either engine's grounded actors.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from schemas.article import fold
from schemas.contract import Actor, ActorKind

_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_POSSESSIVE = re.compile(r"(?:'s|')$")


def _key(form: str) -> str:
    """A form folded for lookup: case, diacritics, quotes, a leading "the", a possessive."""
    folded = fold(form.strip(), loose=True).text
    return _POSSESSIVE.sub("", _ARTICLE.sub("", folded)).strip()


@dataclass(frozen=True, slots=True)
class Countries:
    """Alpha-3 codes by every form that names a state."""

    codes: dict[str, str]
    # Names and adjectives (not capitals) that may open a longer name ("Chile's foreign ministry").
    leading: dict[str, str]

    def code(self, form: str | None) -> str | None:
        """The code of the state `form` names, if it names one."""
        return self.codes.get(_key(form)) if form else None

    def led_by(self, name: str) -> str | None:
        """The code of a state whose name or adjective opens `name` ("Russian navy")."""
        words = _key(name).split()
        for n in range(min(4, len(words) - 1), 0, -1):
            found = self.leading.get(_POSSESSIVE.sub("", " ".join(words[:n])))
            if found is not None:
                return found
        return None


@cache
def load_countries() -> Countries:
    """Read the state table once per process and resolve every entry to its ISO code."""
    import pycountry

    text = resources.files("service").joinpath("data", "states.toml").read_text("utf-8")
    codes: dict[str, str] = {}
    leading: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                codes.setdefault(_key(value), country.alpha_3)
    for name, entry in tomllib.loads(text)["states"].items():
        code = entry.get("code") or _iso(name)
        if code is None:
            continue  # a state without an ISO 3166-1 code (Kosovo)
        for form in (name, *entry["forms"]):
            codes[_key(form)] = code
            leading[_key(form)] = code
        for form in entry["capitals"]:
            codes[_key(form)] = code
    return Countries(codes, leading)


def _iso(name: str) -> str | None:
    import pycountry

    try:
        return str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None


def normalise(actors: Iterable[Actor], countries: Countries) -> list[Actor]:
    """The actors with `country` set: a state's own code; for a person or organisation, the
    code of the state (or of the actor) its affiliation names, else of a state word opening an
    organisation's name."""
    actors = list(actors)
    by_name = {_key(form): a for a in actors for form in (a.name, *a.aliases)}
    own: dict[str, str | None] = {}
    for actor in actors:
        if actor.kind is ActorKind.state:
            own[actor.id] = next(
                (c for f in (actor.name, *actor.aliases) if (c := countries.code(f))), None
            )
    out: list[Actor] = []
    for actor in actors:
        code = own.get(actor.id) if actor.kind is ActorKind.state else None
        if actor.kind is not ActorKind.state and actor.affiliation:
            owner = by_name.get(_key(actor.affiliation))
            code = (
                (own.get(owner.id) if owner is not None else None)
                or countries.code(actor.affiliation)
                or countries.led_by(actor.affiliation)
            )
            if code is None and owner is not None and owner.id != actor.id:
                code = _affiliated(owner, by_name, own, countries)
        if code is None and actor.kind in {ActorKind.organisation, ActorKind.group}:
            code = countries.led_by(actor.name)
        # A copy only where the code changes (most actors of an article carry none).
        out.append(actor if actor.country == code else actor.model_copy(update={"country": code}))
    return out


def _affiliated(
    actor: Actor, by_name: dict[str, Actor], own: dict[str, str | None], countries: Countries
) -> str | None:
    """The code an organisation carries through its own affiliation or name (one step)."""
    if actor.affiliation:
        owner = by_name.get(_key(actor.affiliation))
        if owner is not None and owner.id in own:
            return own[owner.id]
        found = countries.code(actor.affiliation) or countries.led_by(actor.affiliation)
        if found:
            return found
    return countries.led_by(actor.name) if actor.kind is not ActorKind.person else None
