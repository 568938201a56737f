"""Calls before validation, and one call out of several reports of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from schemas.contract import ActorKind, Medium
from service.engines.rules.actors import ActorRecord

_RESTATED_WITHIN = 2


@dataclass(slots=True)
class FoundCall:
    """A call before validation."""

    participants: list[ActorRecord]
    sentences: list[int]
    initiator: ActorRecord | None = None
    date_text: str | None = None
    date: dt.date | None = None
    medium: Medium = Medium.unknown
    borrowed: bool = False  # the date is another sentence's


def without_served_states(people: list[ActorRecord]) -> list[ActorRecord]:
    """The sides without a state that a person among them already stands for ("X of Norway
    met Y in Oslo": not Norway as well)."""
    served = {p.affiliation for p in people if p.kind is ActorKind.person and p.affiliation}
    return [
        a for a in people if a.kind is not ActorKind.state or not (served & {a.name, *a.aliases})
    ]


def _sides(call: FoundCall, other: FoundCall) -> set[str]:
    """A call's participant ids, each state replaced by the person of `other` who serves it."""
    ids: set[str] = set()
    for actor in call.participants:
        forms = {actor.name, *actor.aliases}
        person = next(
            (
                p
                for p in other.participants
                if actor.kind is ActorKind.state
                and p.kind is ActorKind.person
                and p.affiliation in forms
            ),
            None,
        )
        ids.add((person or actor).id)
    return ids


def _people(call: FoundCall) -> int:
    return sum(a.kind is ActorKind.person for a in call.participants)


def _same_sides(call: FoundCall, other: FoundCall) -> bool:
    """The same people, or a person once and that person's state the other time; or, on the
    same day, states whose people all took part in the other call ("X and Y held talks on
    Monday" + the ministers of X and Y and a mediator)."""
    ids = {a.id for a in call.participants}
    others = {a.id for a in other.participants}
    if ids == others or _sides(call, other) == others or _sides(other, call) == ids:
        return True
    if call.date is None or call.date != other.date:
        return False
    return _sums_up(call, other) or _sums_up(other, call)


def _sums_up(states: FoundCall, people: FoundCall) -> bool:
    """States only, then within the next two sentences as many people or more, no state
    among them: the lead sums up, the people who met for those states follow."""
    return (
        all(a.kind is ActorKind.state for a in states.participants)
        and not any(a.kind is ActorKind.state for a in people.participants)
        and len(people.participants) >= len(states.participants)
        and 0 <= people.sentences[0] - states.sentences[0] <= _RESTATED_WITHIN
    )


def merge(calls: list[FoundCall]) -> list[FoundCall]:
    merged: list[FoundCall] = []
    for call in calls:
        twin = next(
            (
                m
                for m in merged
                if _same_sides(call, m)
                and (m.date is None or call.date is None or m.date == call.date)
                and not _other_time(call, m)
                and not _other_time(m, call)
            ),
            None,
        ) or next((m for m in reversed(merged) if _restates(call, m)), None)
        if twin is None:
            merged.append(call)
            continue
        if _people(call) > _people(twin) or (
            _people(call) == _people(twin) and len(call.participants) > len(twin.participants)
        ):
            twin.participants = call.participants  # the person, not the state
        twin.sentences = sorted({*twin.sentences, *call.sentences})
        if twin.date is None and call.date is not None:
            twin.date, twin.date_text = call.date, call.date_text
            twin.sentences = sorted(twin.sentences)
        twin.initiator = twin.initiator or call.initiator
        if twin.medium is Medium.unknown:
            twin.medium = call.medium
    return merged


def _other_time(call: FoundCall, dated: FoundCall) -> bool:
    """A call told with a time that is no day ("in March") is not a call dated to a day."""
    return call.date is None and call.date_text is not None and dated.date is not None


def _restates(call: FoundCall, earlier: FoundCall) -> bool:
    """ "It was the first meeting between the two sides": some of the people of a call just
    reported, with no day or medium of its own."""
    ids = {a.id for a in call.participants}
    return (
        ids < {a.id for a in earlier.participants}
        and (call.date is None or call.borrowed)
        and call.medium in {Medium.unknown, earlier.medium}
        and 0 < call.sentences[0] - earlier.sentences[-1] <= _RESTATED_WITHIN
    )
