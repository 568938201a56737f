"""The rules engine on constructions of real newswire, in sentences written for these tests."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.contract import SummaryRequest, SummaryResponse
from service.engines.rules import RulesEngine
from service.pipeline.segment import Segmenter
from service.pipeline.summariser import Summariser

PUBLISHED = "2026-02-11"  # a Wednesday


@pytest.fixture(scope="module")
def summariser() -> Summariser:
    return Summariser(
        segmenter=Segmenter(),
        engines={"rules": RulesEngine.load()},
        default_engine="rules",
        timeout_s=10,
        allowed=frozenset({"rules"}),
    )


def summarise(summariser: Summariser, text: str) -> SummaryResponse:
    return summariser.summarise(SummaryRequest(text=text, published_at=PUBLISHED))


def by_name(body: SummaryResponse) -> dict[str, Any]:
    return {a.name: a for a in body.actors}


def names(body: SummaryResponse, ids: list[str]) -> set[str]:
    known = {a.id: a.name for a in body.actors}
    return {known[i] for i in ids}


def claimants(body: SummaryResponse) -> list[tuple[str, str]]:
    known = {a.id: a.name for a in body.actors}
    return [(known[k.claimant], k.kind) for k in body.claims]


def test_no_actor_begins_or_ends_with_a_stray_quote_mark_or_dash(summariser: Summariser) -> None:
    body = summarise(
        summariser,
        "Court ruling\n\n''We will appeal,'' said Corwin Abernathy ''. Later Abernathy's team "
        "said nothing more.",
    )
    for actor in body.actors:
        for form in [actor.name, *actor.aliases]:
            assert form[:1].isalnum() and form[-1:].isalnum(), form
    assert "Corwin Abernathy" in by_name(body)


def test_a_generational_suffix_is_no_alias(summariser: Summariser) -> None:
    body = summarise(
        summariser,
        "Corridor stays open\n\nHalvard Pettersen Jr. told reporters on Monday that the "
        "corridor would stay open.",
    )
    person = by_name(body)["Halvard Pettersen Jr."]
    assert person.aliases == ["Pettersen"]


def test_the_nationality_minister_is_the_minister_named_earlier(summariser: Summariser) -> None:
    body = summarise(
        summariser,
        "Ministers talk\n\nFinnish Foreign Minister Aino Lahtela arrived on Monday. The Finnish "
        "minister spoke with Estonian Foreign Minister Kaarel Tamberg on Tuesday.",
    )
    assert [names(body, c.participants) for c in body.calls] == [{"Aino Lahtela", "Kaarel Tamberg"}]


KINDS = (
    "Fishing quotas\n\nOpposition leader Gerrit Vos said the minister must resign. The Norwegian "
    "ministry refused to accept the findings. Prime Minister Karla Imre said her government was "
    "prepared to impose sanctions. Norwegian Trade Minister Lotte Brandt said Norway would cut "
    "gas supplies unless the fines were lifted."
)


def test_must_is_an_appeal_refusing_to_accept_a_denial_and_a_penalty_a_threat(
    summariser: Summariser,
) -> None:
    body = summarise(summariser, KINDS)
    assert claimants(body) == [
        ("Gerrit Vos", "appeal"),
        ("Norwegian ministry", "denial"),
        ("Karla Imre", "threat"),
        ("Lotte Brandt", "threat"),
    ]


def test_a_collective_speaker_makes_a_claim_also_through_according_to(
    summariser: Summariser,
) -> None:
    said = summarise(summariser, "Arrests\n\nPolice said three people were arrested near the pier.")
    assert claimants(said) == [("Police", "assertion")]
    according = summarise(
        summariser, "Arrests\n\nThree people were arrested near the pier, according to police."
    )
    assert claimants(according) == [("police", "assertion")]


def test_an_unnamed_post_is_not_a_person_named_only_later(summariser: Summariser) -> None:
    body = summarise(
        summariser,
        'Budget\n\nThe minister said: "We will not be intimidated." Later, Finance Minister '
        "Odile Brun told parliament the budget was balanced.",
    )
    assert ("Odile Brun", "commitment") not in claimants(body)
