"""The rules engine on constructions of real newswire, in sentences written for these tests."""

from __future__ import annotations

from typing import Any

from schemas.contract import SummaryRequest, SummaryResponse
from service.pipeline.summariser import Summariser

PUBLISHED = "2026-02-11"  # a Wednesday


def summarise(rules_summariser: Summariser, text: str) -> SummaryResponse:
    return rules_summariser.summarise(SummaryRequest(text=text, published_at=PUBLISHED))


def by_name(body: SummaryResponse) -> dict[str, Any]:
    return {a.name: a for a in body.actors}


def names(body: SummaryResponse, ids: list[str]) -> set[str]:
    known = {a.id: a.name for a in body.actors}
    return {known[i] for i in ids}


def claimants(body: SummaryResponse) -> list[tuple[str, str]]:
    known = {a.id: a.name for a in body.actors}
    return [(known[k.claimant], k.kind) for k in body.claims]


def test_no_actor_begins_or_ends_with_a_stray_quote_mark_or_dash(
    rules_summariser: Summariser,
) -> None:
    body = summarise(
        rules_summariser,
        "Court ruling\n\n''We will appeal,'' said Corwin Abernathy ''. Later Abernathy's team "
        "said nothing more.",
    )
    for actor in body.actors:
        for form in [actor.name, *actor.aliases]:
            assert form[:1].isalnum() and form[-1:].isalnum(), form
    assert "Corwin Abernathy" in by_name(body)


def test_a_generational_suffix_is_no_alias(rules_summariser: Summariser) -> None:
    body = summarise(
        rules_summariser,
        "Corridor stays open\n\nHalvard Pettersen Jr. told reporters on Monday that the "
        "corridor would stay open.",
    )
    person = by_name(body)["Halvard Pettersen Jr."]
    assert person.aliases == ["Pettersen"]


def test_the_nationality_minister_is_the_minister_named_earlier(
    rules_summariser: Summariser,
) -> None:
    body = summarise(
        rules_summariser,
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
    rules_summariser: Summariser,
) -> None:
    body = summarise(rules_summariser, KINDS)
    assert claimants(body) == [
        ("Gerrit Vos", "appeal"),
        ("Norwegian ministry", "denial"),
        ("Karla Imre", "threat"),
        ("Lotte Brandt", "threat"),
    ]


def test_a_collective_speaker_makes_a_claim_also_through_according_to(
    rules_summariser: Summariser,
) -> None:
    said = summarise(
        rules_summariser, "Arrests\n\nPolice said three people were arrested near the pier."
    )
    assert claimants(said) == [("Police", "assertion")]
    according = summarise(
        rules_summariser,
        "Arrests\n\nThree people were arrested near the pier, according to police.",
    )
    assert claimants(according) == [("police", "assertion")]


def test_an_unnamed_post_is_not_a_person_named_only_later(rules_summariser: Summariser) -> None:
    body = summarise(
        rules_summariser,
        'Budget\n\nThe minister said: "We will not be intimidated." Later, Finance Minister '
        "Odile Brun told parliament the budget was balanced.",
    )
    assert ("Odile Brun", "commitment") not in claimants(body)


def calls(body: SummaryResponse) -> list[tuple[set[str], str | None]]:
    return [(names(body, c.participants), c.date and c.date.isoformat()) for c in body.calls]


def test_welcoming_hosting_and_receiving_people_are_meetings(rules_summariser: Summariser) -> None:
    body = summarise(
        rules_summariser,
        "Visits\n\nAustrian President Ilse Marant welcomed Peruvian Prime Minister Jorge Peñalba "
        "to Vienna on Monday. Swiss Chancellor Reto Amsler hosted talks with Dutch Prime "
        "Minister Sander Kuijpers on Tuesday. Marant welcomed the decision of the court.",
    )
    assert calls(body) == [
        ({"Ilse Marant", "Jorge Peñalba"}, "2026-02-09"),
        ({"Reto Amsler", "Sander Kuijpers"}, "2026-02-10"),
    ]
    assert {c.medium for c in body.calls} == {"in_person"}


def test_resumed_negotiations_is_a_call(rules_summariser: Summariser) -> None:
    body = summarise(
        rules_summariser,
        "Port dispute\n\nUnion leader Fenna Dijkstra and port director Wouter Haas resumed "
        "negotiations on Tuesday.",
    )
    assert calls(body) == [({"Fenna Dijkstra", "Wouter Haas"}, "2026-02-10")]


def test_calls_with_several_counterparts_are_one_call_each_with_the_one_date(
    rules_summariser: Summariser,
) -> None:
    body = summarise(
        rules_summariser,
        "Calls\n\nNorwegian Foreign Minister Anika Solberg held calls with three counterparts on "
        "Sunday: Pedro Almaraz of Spain, Jonas Keller of Germany and Yusuf Demir of Turkey.",
    )
    assert calls(body) == [
        ({"Anika Solberg", "Pedro Almaraz"}, "2026-02-08"),
        ({"Anika Solberg", "Jonas Keller"}, "2026-02-08"),
        ({"Anika Solberg", "Yusuf Demir"}, "2026-02-08"),
    ]


def test_a_call_told_with_a_person_and_again_with_the_state_is_one_call(
    rules_summariser: Summariser,
) -> None:
    body = summarise(
        rules_summariser,
        "Arctic\n\nNorwegian Foreign Minister Anika Solberg spoke with Swedish Foreign Minister "
        "Lars Ekholm on Sunday. Norway and Ekholm discussed the Arctic on Sunday, Solberg's "
        "office said.",
    )
    assert calls(body) == [({"Anika Solberg", "Lars Ekholm"}, "2026-02-08")]


def test_states_meeting_in_the_lead_are_the_people_named_next(rules_summariser: Summariser) -> None:
    body = summarise(
        rules_summariser,
        "River talks\n\nPeru and Ecuador held talks on the river dispute on Tuesday. Peruvian "
        "Water Minister Rosa Quispe and Ecuadorian Environment Minister Luis Andrade met for "
        "four hours in Lima.",
    )
    assert calls(body) == [({"Rosa Quispe", "Luis Andrade"}, "2026-02-10")]


def test_rules_actors_carry_the_iso_code_of_their_state(rules_summariser: Summariser) -> None:
    body = summarise(
        rules_summariser,
        "Gas talks\n\nMoscow rejected the proposal. Polish Energy Minister Ewa Zielińska said "
        "the pipeline would stay closed.",
    )
    codes = {a.name: a.country for a in body.actors}
    assert codes["Moscow"] == "RUS"
    assert codes["Ewa Zielińska"] == "POL"


def test_a_body_reporting_what_he_said_is_not_someone_of_another_side(
    rules_summariser: Summariser,
) -> None:
    body = summarise(
        rules_summariser,
        "Shipping\n\nChilean Trade Minister Pablo Ortega met reporters on Monday. Portugal's "
        "foreign ministry said he had told his counterparts of concern about shipping delays.",
    )
    assert [name for name, _ in claimants(body)] == ["Portugal's foreign ministry"]


def test_a_persons_office_reporting_what_she_said_is_her_claim(
    rules_summariser: Summariser,
) -> None:
    body = summarise(
        rules_summariser,
        "Tariffs\n\nTrade Minister Ana Rojas arrived in Lisbon. Chancellor Otto Brenner met "
        "reporters. Rojas's office said she had warned Brenner about the tariffs.",
    )
    assert claimants(body) == [("Ana Rojas", "warning")]
