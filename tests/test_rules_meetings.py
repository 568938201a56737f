"""The rules engine on calls of real newswire, in sentences written for these tests: hosts,
calls one after another, names with a hyphenated given name, a person met in a place."""

from __future__ import annotations

from schemas.contract import SummaryRequest, SummaryResponse
from service.pipeline.summariser import Summariser

PUBLISHED = "2026-02-11"  # a Wednesday


def calls(rules_summariser: Summariser, text: str) -> list[tuple[set[str], str | None]]:
    body: SummaryResponse = rules_summariser.summarise(
        SummaryRequest(text=text, published_at=PUBLISHED)
    )
    known = {a.id: a.name for a in body.actors}
    return [({known[p] for p in c.participants}, c.date and c.date.isoformat()) for c in body.calls]


def test_a_host_of_talks_between_two_others_took_part(rules_summariser: Summariser) -> None:
    text = (
        "Border talks\n\nNorwegian Foreign Minister Ragna Solheim hosted talks between Finnish "
        "Foreign Minister Aino Lahtela and her Swedish counterpart Nils Ekdahl in Oslo on "
        "Monday, as a dispute over a fence deepened."
    )
    assert calls(rules_summariser, text) == [
        ({"Ragna Solheim", "Aino Lahtela", "Nils Ekdahl"}, "2026-02-09")
    ]


def test_calls_one_after_another_are_one_call_each_dated_by_the_sentence_before(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Calls\n\nNorway's Foreign Minister Ragna Solheim held telephone calls with three "
        "counterparts on Monday, a day after the storm. Solheim spoke first with Finland's "
        "Aino Lahtela, then with Sweden's Nils Ekdahl and finally with Denmark's Jens Holm."
    )
    assert calls(rules_summariser, text) == [
        ({"Ragna Solheim", "Aino Lahtela"}, "2026-02-09"),
        ({"Ragna Solheim", "Nils Ekdahl"}, "2026-02-09"),
        ({"Ragna Solheim", "Jens Holm"}, "2026-02-09"),
    ]


def test_a_hyphenated_given_name_completes_the_name(rules_summariser: Summariser) -> None:
    text = (
        "Trade call\n\nSouth Korea's Trade Minister Lee Hyun-woo phoned Chinese Commerce "
        "Minister Shen Yuming on Tuesday."
    )
    assert calls(rules_summariser, text) == [({"Lee Hyun-woo", "Shen Yuming"}, "2026-02-10")]


def test_a_person_met_in_a_place_is_that_person(rules_summariser: Summariser) -> None:
    text = (
        "Review\n\nFinance Minister Nimal Wickramaratne spoke on Monday. Obuya met "
        "Wickramaratne in Colombo on Tuesday for a review of the programme."
    )
    found = calls(rules_summariser, text)
    assert found and all("Nimal Wickramaratne" in people for people, _ in found)


def test_an_envoy_named_after_the_place_they_serve_is_that_person(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Talks\n\nThe United Nations envoy for Cyprus, Ida Holm, met Greek Cypriot leader "
        "Andreas Petrou and Turkish Cypriot leader Kemal Aydin in the buffer zone on Monday."
    )
    assert calls(rules_summariser, text) == [
        ({"Ida Holm", "Andreas Petrou", "Kemal Aydin"}, "2026-02-09")
    ]


def test_a_pronoun_object_after_two_named_sides_adds_nobody(rules_summariser: Summariser) -> None:
    text = (
        "Briefing\n\nTurkish Cypriot leader Kemal Aydin spoke on Sunday. On Tuesday, Ida Holm "
        "spoke by phone with Turkish Foreign Minister Emre Kaya to brief him on the outcome."
    )
    assert calls(rules_summariser, text) == [({"Ida Holm", "Emre Kaya"}, "2026-02-10")]


def test_a_meeting_told_with_a_month_only_is_not_the_dated_call(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Ties\n\nAustralian Defence Minister Callum Reardon spoke on Monday with Philippine "
        "Defense Secretary Ramon Villa. Reardon and Villa last met in person in Manila in "
        "November, when they signed an agreement."
    )
    assert calls(rules_summariser, text) == [
        ({"Callum Reardon", "Ramon Villa"}, "2026-02-09"),
        ({"Callum Reardon", "Ramon Villa"}, None),
    ]


def test_a_name_ending_in_an_abbreviation_keeps_its_sentence(rules_summariser: Summariser) -> None:
    text = (
        "Ties\n\nAustralian Defence Minister Callum Reardon spoke with Philippine Defense "
        "Secretary Ramon Villa Sr. by video link on Tuesday."
    )
    assert calls(rules_summariser, text) == [({"Callum Reardon", "Ramon Villa Sr."}, "2026-02-10")]


def test_names_the_tagger_cut_are_completed(rules_summariser: Summariser) -> None:
    text = (
        "Talks\n\nChief government negotiator Ana Lucía Tolosa met rebel commander Tomás "
        "Ibarra in Havana on Monday. His lawyer, Beatriz Ferrer, spoke with Tolosa on "
        "Tuesday."
    )
    found = calls(rules_summariser, text)
    assert ({"Ana Lucía Tolosa", "Tomás Ibarra"}, "2026-02-09") in found
    assert ({"Beatriz Ferrer", "Ana Lucía Tolosa"}, "2026-02-10") in found


def test_a_call_told_by_states_then_by_their_ministers_is_one_call(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Missile\n\nThe defence ministers of Japan, South Korea and the United States held a "
        "video call on Tuesday. Japanese Defence Minister Kenta Mori, South Korean Defence "
        "Minister Park Sung-min and US Defense Secretary Laura Kent discussed the launch."
    )
    assert calls(rules_summariser, text) == [
        ({"Kenta Mori", "Park Sung-min", "Laura Kent"}, "2026-02-10")
    ]


def test_a_separate_meeting_later_that_day_took_place(rules_summariser: Summariser) -> None:
    text = (
        "Summit\n\nNorwegian Prime Minister Kari Lunde and Swedish Prime Minister Nils Ekdahl "
        "opened the summit on Wednesday.\n\nLater on Wednesday, Lunde and Ekdahl held a "
        "separate one-on-one meeting that lasted about 40 minutes."
    )
    assert calls(rules_summariser, text) == [({"Kari Lunde", "Nils Ekdahl"}, "2026-02-11")]


def test_a_first_meeting_dated_in_its_purpose_clause_and_a_second_one(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Funds\n\nFinance Minister Kari Lunde and Mayor Nils Ekdahl spoke on Tuesday. Lunde "
        "and Ekdahl first met to discuss the arrears on January 28 and met again at the "
        "ministry last Friday."
    )
    found = calls(rules_summariser, text)
    assert ({"Kari Lunde", "Nils Ekdahl"}, "2026-01-28") in found
    assert ({"Kari Lunde", "Nils Ekdahl"}, "2026-02-06") in found
