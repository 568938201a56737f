"""The rules engine on who speaks and what kind of claim it is, in sentences written for these
tests: names written family name first, outlets, governments, reasons given for a rejection."""

from __future__ import annotations

from schemas.contract import SummaryRequest, SummaryResponse
from service.engines.rules.dateline import after_dateline
from service.pipeline.summariser import Summariser

PUBLISHED = "2026-02-11"


def claimants(rules_summariser: Summariser, text: str) -> list[tuple[str, str]]:
    body: SummaryResponse = rules_summariser.summarise(
        SummaryRequest(text=text, published_at=PUBLISHED)
    )
    known = {a.id: a.name for a in body.actors}
    return [(known[k.claimant], k.kind) for k in body.claims]


def test_a_name_written_family_name_first_is_found_by_its_first_word(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Dam talks\n\nWater Minister Tran Vu Linh met Velmar's envoy Osric Dahl on Monday. "
        "Tran said the two sides had agreed to share river data."
    )
    assert ("Tran Vu Linh", "assertion") in claimants(rules_summariser, text)


def test_a_first_word_shared_by_two_people_is_nobody_s_alias(rules_summariser: Summariser) -> None:
    text = "Port row\n\nKim Sora met Kim Daeho on Monday. Kim said the port would reopen on Friday."
    assert claimants(rules_summariser, text) == []


def test_a_rejection_with_its_reasons_is_a_denial_whatever_was_rejected(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Tariff row\n\nTrade Minister Ilse Varga rejected the new quotas on Monday, saying "
        "they would ruin small farms."
    )
    assert claimants(rules_summariser, text) == [("Ilse Varga", "denial")]


def test_a_rejection_without_reasons_of_a_mere_thing_is_no_claim(
    rules_summariser: Summariser,
) -> None:
    text = "Tariff row\n\nTrade Minister Ilse Varga rejected the new quotas on Monday."
    assert claimants(rules_summariser, text) == []


def test_a_state_s_unnamed_government_is_the_state(rules_summariser: Summariser) -> None:
    text = (
        "Border posts\n\nNorway's government said it had placed its border posts on alert. "
        "The military government in Oslo said its forces were in their barracks."
    )
    assert [who for who, _ in claimants(rules_summariser, text)] == ["Norway", "Norway"]


def test_a_news_outlet_named_with_what_it_is_makes_a_claim(rules_summariser: Summariser) -> None:
    text = (
        "Quarry\n\nThe Bergen newspaper Morgenkurier reported on Tuesday that the quarry "
        "would close. The Harbour Ledger, a weekly newspaper, reported that talks had stalled."
    )
    assert [who for who, _ in claimants(rules_summariser, text)] == [
        "Morgenkurier",
        "Harbour Ledger",
    ]


def test_a_report_of_another_side_s_hostile_act_is_an_accusation(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Border incident\n\nNorway's navy said Swedish troops had shelled a border village "
        "near the strait."
    )
    assert claimants(rules_summariser, text) == [("Norway's navy", "accusation")]


def test_a_thing_that_did_harm_makes_no_accusation(rules_summariser: Summariser) -> None:
    text = (
        "Storm\n\nPortfolio manager Edda Lunde said the storm had forced the crew to take shelter."
    )
    assert claimants(rules_summariser, text) == [("Edda Lunde", "assertion")]


def test_a_body_saying_it_will_act_makes_a_commitment(rules_summariser: Summariser) -> None:
    text = (
        "Border agency\n\nThe Norwegian coast guard said it would send 40 more officers to the "
        "border next month."
    )
    assert claimants(rules_summariser, text) == [("Norwegian coast guard", "commitment")]


def test_a_coordinated_speech_verb_belongs_to_the_person_who_speaks(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Flights\n\nNorwegian Defence Minister Kari Lunde spoke on Monday. Norway's defence "
        "ministry said Lunde had urged Sweden to end the flights and warned that Oslo would "
        "respond firmly to any further approach."
    )
    assert [who for who, _ in claimants(rules_summariser, text)] == ["Kari Lunde", "Kari Lunde"]


def test_what_was_told_after_a_meeting_is_read_for_its_kind(rules_summariser: Summariser) -> None:
    text = (
        "Data\n\nNorwegian Foreign Minister Kari Lunde told reporters after the meeting that "
        "Norway would share all its radar data with Sweden."
    )
    assert claimants(rules_summariser, text) == [("Kari Lunde", "commitment")]


def test_a_body_saying_its_own_side_never_did_it_makes_a_denial(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Raid\n\nThe Arvik Defence Forces said in a statement that its soldiers had never "
        "entered the village."
    )
    assert claimants(rules_summariser, text) == [("Arvik Defence Forces", "denial")]


def test_an_embassy_keeps_the_city_it_sits_in(rules_summariser: Summariser) -> None:
    text = (
        "Fentanyl row\n\nThe Chinese embassy in Buenos Aires rejected the accusation, saying "
        "China had strict controls on the chemicals."
    )
    assert claimants(rules_summariser, text) == [("Chinese embassy in Buenos Aires", "denial")]


def test_the_union_is_the_union_named_before_it(rules_summariser: Summariser) -> None:
    text = (
        "Strike\n\nHarbour Pilots' Union leader Jens Vik met the port authority on Monday. "
        "Vik's group, the Harbour Pilots Union, met again on Tuesday. The union said it would "
        "not accept arbitration."
    )
    who = [name for name, _ in claimants(rules_summariser, text)]
    assert who and "European Union" not in who and all("Union" in name for name in who)


def test_a_surname_with_a_capitalised_particle_is_one_alias(rules_summariser: Summariser) -> None:
    text = (
        "Mediation\n\nFederal mediator Lotte Van Acker met both sides on Monday. Van Acker "
        "said the gap had narrowed."
    )
    assert claimants(rules_summariser, text) == [("Lotte Van Acker", "assertion")]


def test_expecting_something_of_another_side_is_an_appeal(rules_summariser: Summariser) -> None:
    text = (
        "Leak\n\nSouth Korea's Trade Minister Park Sung-min met Chinese Commerce Minister "
        "Wang Lei on Tuesday. Park told Wang that Seoul expected full cooperation in the case."
    )
    assert claimants(rules_summariser, text) == [("Park Sung-min", "appeal")]


def test_a_cleft_naming_who_opened_fire_is_an_accusation(rules_summariser: Summariser) -> None:
    text = (
        "Border clash\n\nA spokesman for the Swedish army, Colonel Anna Lindqvist, said it was "
        "Norwegian troops who had opened fire first."
    )
    assert claimants(rules_summariser, text) == [("Anna Lindqvist", "accusation")]


def test_a_quote_a_colon_introduces_is_its_speaker_s_claim(rules_summariser: Summariser) -> None:
    text = (
        "Dock strike\n\nPort operator chief Hendrik Maes met the union on Monday. Maes put it "
        'bluntly: "Every day of this strike costs the port millions." Union leader Olav '
        'Lind\'s answer was blunt: "We will not accept a deal imposed from outside."'
    )
    assert claimants(rules_summariser, text) == [
        ("Hendrik Maes", "assertion"),
        ("Olav Lind", "denial"),
    ]


def test_a_quote_a_dash_introduces_is_its_speaker_s_claim(rules_summariser: Summariser) -> None:
    text = (
        "Budget row\n\nTORVIK, May 4 - Mayor Dana Whitlow met the council on Tuesday. Whitlow "
        'was blunt - "The numbers are sound and they have been audited." Her rival, Ebbe Sand, '
        'answered \u2014 "We have seen no audit at all."'
    )
    assert [name for name, _kind in claimants(rules_summariser, text)] == [
        "Dana Whitlow",
        "Ebbe Sand",
    ]


def test_a_report_said_after_its_content_is_read_for_its_kind(rules_summariser: Summariser) -> None:
    text = (
        "Licence row\n\nNorway will revoke the licence of Fjord Metals unless the company pays "
        "the royalties by July, Norwegian Trade Minister Kari Lunde said on Wednesday."
    )
    assert claimants(rules_summariser, text) == [("Kari Lunde", "threat")]


def test_the_speaker_s_own_city_makes_a_threat_and_a_plan_is_no_assessment(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Water main\n\nMayor Ellen Brooks said the city would end its contract with Harlan "
        "Pipes unless the leaks were repaired. Her deputy Tom Hale said the two sides were due "
        "to meet on Friday."
    )
    assert claimants(rules_summariser, text) == [
        ("Ellen Brooks", "threat"),
        ("Tom Hale", "assertion"),
    ]


def test_a_minister_of_the_dateline_s_state_threatens_for_it(rules_summariser: Summariser) -> None:
    text = (
        "Border\n\nOSLO, Feb 11 (Wire) - Interior Minister Kari Lunde said Norway was prepared "
        "to close two crossings unless joint patrols began within a month."
    )
    assert claimants(rules_summariser, text) == [("Kari Lunde", "threat")]


def test_praise_relayed_by_the_speaker_s_ministry_is_the_speaker_s(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Mediation\n\nNorwegian Foreign Minister Kari Lunde phoned her Swedish counterpart on "
        "Tuesday and praised Sweden's patient mediation, her ministry said."
    )
    assert claimants(rules_summariser, text) == [("Kari Lunde", "assessment")]


def test_a_participle_on_a_call_reports_the_caller_s_statement(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Deconfliction\n\nNATO Secretary-General Anders Holm spoke separately with the Greek and "
        "Turkish foreign ministers on Monday, urging both to use the hotline, his spokeswoman "
        "said."
    )
    assert claimants(rules_summariser, text) == [("Anders Holm", "appeal")]


def test_a_participle_on_a_speech_verb_adds_no_second_claim(rules_summariser: Summariser) -> None:
    text = (
        "Oil\n\nNorwegian Foreign Minister Kari Lunde called on governments to stop buying the "
        "oil, saying the price cap was being evaded."
    )
    assert claimants(rules_summariser, text) == [("Kari Lunde", "appeal")]


def test_a_company_s_short_name_is_the_company(rules_summariser: Summariser) -> None:
    text = (
        "Royalties\n\nNorway will fine Fjordvik Copper Holdings on Monday. Fjordvik, which is "
        "owned by a Swedish group, has refused to pay the fine, saying the sum was counted "
        "twice."
    )
    body = rules_summariser.summarise(SummaryRequest(text=text, published_at=PUBLISHED))
    names = [a.name for a in body.actors]
    assert "Fjordvik Copper Holdings" in names and "Fjordvik" not in names
    assert claimants(rules_summariser, text) == [("Fjordvik Copper Holdings", "denial")]


def test_a_body_named_shorter_later_is_the_same_body(rules_summariser: Summariser) -> None:
    text = (
        "Tender\n\nProsecutors said only one bidder, Fjordvik Trading SA, could qualify. "
        "Fjordvik Trading said in a statement that it had won the contract fairly and that none "
        "of its owners had ties to any official."
    )
    assert claimants(rules_summariser, text)[-1] == ("Fjordvik Trading SA", "denial")


def test_neither_account_verified_leaves_both_claims_unverified(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Road row\n\nNorwegian Foreign Minister Kari Lunde accused Swedish troops of building "
        "the road inside Norway.\n\nSwedish Foreign Minister Nils Ekdahl rejected the "
        "accusation, saying the road lay in Sweden. Neither account could be independently "
        "verified."
    )
    body = rules_summariser.summarise(SummaryRequest(text=text, published_at=PUBLISHED))
    assert [k.evidence_status for k in body.claims] == ["unverified", "unverified"]


def test_according_to_a_body_s_statement_is_the_body_s_claim(rules_summariser: Summariser) -> None:
    text = (
        "Patrols\n\nThe two ministers agreed to bring forward a joint patrol, according to a "
        "statement from the Norwegian Coastal Administration."
    )
    assert [who for who, _ in claimants(rules_summariser, text)] == [
        "Norwegian Coastal Administration"
    ]


def test_a_denial_answers_an_accusation_a_few_paragraphs_back(rules_summariser: Summariser) -> None:
    text = (
        "Vote\n\nNorwegian Prime Minister Kari Lunde accused Sweden on Monday of funding the "
        "opposition.\n\nThe count ended on Sunday night.\n\nTurnout was high.\n\nAccording to "
        "results published by the Norwegian Electoral Board, her party won 41% of the vote.\n\n"
        "Opposition leader Nils Berg denied that his party had received any money from abroad."
    )
    body = rules_summariser.summarise(SummaryRequest(text=text, published_at=PUBLISHED))
    known = {a.id: a.name for a in body.actors}
    disputed = {known[k.claimant]: [known[d] for d in k.disputed_by] for k in body.claims}
    assert disputed["Kari Lunde"] == ["Nils Berg"]


def test_welcoming_something_is_an_assessment(rules_summariser: Summariser) -> None:
    text = "Talks\n\nNorway's foreign ministry said it welcomed the return to the table."
    assert claimants(rules_summariser, text) == [("Norway's foreign ministry", "assessment")]


def test_a_dateline_with_its_agency_after_the_date_is_skipped() -> None:
    text = "OSLO, Feb 9 (Wire) - Sweden's government and the Sami Council met."
    assert text[after_dateline(text, 0, len(text)) :].startswith("Sweden's government")


def test_talks_that_threaten_to_collapse_are_no_speaker(rules_summariser: Summariser) -> None:
    text = (
        "Border\n\nNorwegian Foreign Minister Kari Lunde hosted talks between Swedish and "
        "Finnish envoys on Sunday, as a dispute over a road threatened to unravel a truce."
    )
    assert claimants(rules_summariser, text) == []


def test_a_body_s_ultimatum_is_a_threat_that_a_rejection_disputes(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Hospitals\n\nNorway's Council of Mayors said on Friday that county clinics would stop "
        "admitting patients unless the Treasury released the overdue transfers. Finance "
        "Minister Kari Lunde rejected the mayors' figures, saying the money had been paid."
    )
    body = rules_summariser.summarise(SummaryRequest(text=text, published_at=PUBLISHED))
    known = {a.id: a.name for a in body.actors}
    found = [(known[k.claimant], k.kind, k.evidence_status) for k in body.claims]
    assert found == [
        ("Council of Mayors", "threat", "disputed"),
        ("Kari Lunde", "denial", "not_addressed"),
    ]


def cited(rules_summariser: Summariser, text: str) -> list[tuple[str, str, list[str]]]:
    body: SummaryResponse = rules_summariser.summarise(
        SummaryRequest(text=text, published_at=PUBLISHED)
    )
    known = {a.id: a.name for a in body.actors}
    return [(known[k.claimant], k.kind, [e.text for e in k.evidence]) for k in body.claims]


def test_a_headline_restating_a_claim_of_the_body_is_its_evidence(
    rules_summariser: Summariser,
) -> None:
    headline = "Valdoran minister says border talks will resume"
    body = (
        "Valdoran Foreign Minister Ilse Brandvik said on Monday that the border talks with "
        "Kestria would resume next month."
    )
    found = cited(rules_summariser, f"{headline}\n\n{body}")
    assert found == [("Ilse Brandvik", "assertion", [headline, body])]


def test_a_headline_claim_the_body_does_not_report_stands_alone(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Mayor denies role in tender\n\nMayor Tomas Vell of Brindle faces questions over a "
        "road tender. The council awarded the contract in March."
    )
    found = cited(rules_summariser, text)
    assert [(who, kind) for who, kind, _ in found] == [("Tomas Vell", "denial")]
    assert found[0][2][0] == "Mayor denies role in tender"


def test_a_headline_without_a_speech_verb_makes_no_claim(rules_summariser: Summariser) -> None:
    text = (
        "Mayor closes Brindle ferry pier\n\nMayor Tomas Vell of Brindle closed the ferry pier "
        "on Monday after a storm."
    )
    assert cited(rules_summariser, text) == []


def test_a_state_heading_the_news_stands_for_a_speaker_of_its_side(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Chile accuses Peru of stalling border talks\n\nChile's Interior Minister Oren Salk "
        "accused Peru on Tuesday of stalling the border talks."
    )
    found = cited(rules_summariser, text)
    assert [(who, kind, len(evidence)) for who, kind, evidence in found] == [
        ("Oren Salk", "accusation", 2)
    ]


def actors_of(rules_summariser: Summariser, text: str) -> list[tuple[str, str, str | None]]:
    body: SummaryResponse = rules_summariser.summarise(
        SummaryRequest(text=text, published_at=PUBLISHED)
    )
    return [(a.name, a.kind, a.role) for a in body.actors]


def test_a_side_s_word_and_an_office_before_a_title_are_no_body(
    rules_summariser: Summariser,
) -> None:
    text = (
        "Valdoran Foreign Minister Ilse Brandvik said on Monday that the border talks would "
        "resume. Merovian Finance Secretary Tomas Quell said the budget was sound."
    )
    assert actors_of(rules_summariser, text) == [
        ("Ilse Brandvik", "person", "Foreign Minister"),
        ("Tomas Quell", "person", "Finance Secretary"),
    ]


def test_a_known_demonym_before_a_split_title_gives_the_affiliation(
    rules_summariser: Summariser,
) -> None:
    text = "Kenyan Defence Minister Otieno Marwa said the troops would stay in the border town."
    body: SummaryResponse = rules_summariser.summarise(
        SummaryRequest(text=text, published_at=PUBLISHED)
    )
    people = [(a.name, a.affiliation) for a in body.actors if a.kind == "person"]
    assert people == [("Otieno Marwa", "Kenyan")]
    assert all(a.kind != "organisation" for a in body.actors)


def test_a_side_s_office_that_names_a_body_stays_a_body(rules_summariser: Summariser) -> None:
    text = (
        "Budget\n\nThe Valdoran Finance Board said on Monday that the budget would be cut. "
        "Its chairman Pavel Strand said the cuts were needed."
    )
    names = [name for name, _, _ in actors_of(rules_summariser, text)]
    assert "Valdoran Finance Board" in names
