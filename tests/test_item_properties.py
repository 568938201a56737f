"""Whatever passes the item checks is grounded: exact spans, resolvable references. And an engine
that cannot be asked for repairs (the rules engine) goes through the same checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.article import SegmentedArticle
from schemas.contract import SummaryRequest, Usage
from schemas.extraction import Extraction
from service import create_app
from service.pipeline.checks import review
from service.pipeline.engine import Deadline, EngineResult
from service.pipeline.grounding import ground
from service.pipeline.repairs import settle
from service.pipeline.segment import Segmenter
from tests.conftest import answer, article, make_settings

TEXT = article("landing-records")
ARTICLE = Segmenter().segment(TEXT, dt.date(2026, 3, 18))
WORDS = [
    "Sebastien Ólafsson",
    "sébastien olafsson",
    "Ólafsson",
    "Helena Corte-Real",
    "Corte-Real",
    "Iceland",
    "Icelandic",
    "Portugal’s coast guard",
    "Portugal's coast guard",
    "Kari Lunde",
    "Trade Minister",
    "Norwegian",
    "Jorge Almeida",
    "United Kingdom",
    "Lisbon",
    "",
]
DATES = ["on Monday", "on Friday", "on February 3", "ON MONDAY", "last month", "", None]


class Given:
    """An engine without repairs that answers a fixed draft."""

    name = "rules"
    model = "given"

    def __init__(self, draft: Extraction) -> None:
        self.draft = draft

    def extract(
        self, article: SegmentedArticle, request: SummaryRequest, deadline: Deadline
    ) -> EngineResult:
        return EngineResult(self.draft.model_copy(deep=True), self.model, "given/v1", 1, Usage())


ids = st.sampled_from(["A1", "A2", "A3", "A4", "A9"])
numbers = st.lists(st.integers(min_value=0, max_value=11), min_size=1, max_size=4)


@st.composite
def quotes(draw: st.DrawFn) -> str | None:
    if draw(st.booleans()):
        return draw(st.sampled_from([None, "fair bargain", "We will share", "invented words"]))
    start = draw(st.integers(0, len(TEXT) - 1))
    return TEXT[start : start + draw(st.integers(1, 60))]


actors = st.builds(
    lambda n, name, kind, aliases, role, affiliation: {
        "id": f"A{n}",
        "name": name or "Iceland",
        "kind": kind,
        "aliases": aliases,
        "role": role,
        "affiliation": affiliation,
    },
    st.integers(1, 4),
    st.sampled_from(WORDS),
    st.sampled_from(["person", "state", "organisation"]),
    st.lists(st.sampled_from(WORDS), max_size=2),
    st.sampled_from([None, *WORDS]),
    st.sampled_from([None, *WORDS]),
)
calls = st.builds(
    lambda participants, initiator, date_text, date, sentences: {
        "participants": participants,
        "initiator": initiator,
        "date_text": date_text,
        "date": date,
        "sentences": sentences,
    },
    st.lists(ids, min_size=1, max_size=3),
    st.one_of(st.none(), ids),
    st.sampled_from(DATES),
    st.sampled_from([None, "2026-03-16", "2026-03-13", "2026-02-03", "2025-01-01"]),
    numbers,
)
claims = st.builds(
    lambda claimant, about, disputed_by, quote, sentences, statement: {
        "claimant": claimant,
        "about": about,
        "disputed_by": disputed_by,
        "quote": quote,
        "sentences": sentences,
        "statement": statement,
        "kind": "assertion",
        "evidence_status": "not_addressed",
    },
    ids,
    st.lists(ids, max_size=2),
    st.lists(ids, max_size=2),
    quotes(),
    numbers,
    st.sampled_from(["Iceland said so.", "Jorge Almeida said so.", "They agreed."]),
)


def _unique_actors(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({a["id"]: a for a in items}.values())


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(actors, max_size=5).map(_unique_actors),
    st.lists(calls, max_size=3),
    st.lists(claims, max_size=4),
)
def test_whatever_the_checks_accept_is_grounded(
    actor_list: list[dict[str, Any]],
    call_list: list[dict[str, Any]],
    claim_list: list[dict[str, Any]],
) -> None:
    data = {"summary": "s", "actors": actor_list, "calls": call_list, "claims": claim_list}
    draft = Extraction.model_validate(data)
    engine = Given(draft)
    request = SummaryRequest(text=TEXT, published_at="2026-03-18")
    result = engine.extract(ARTICLE, request, Deadline(5))
    settled = settle(engine, result, ARTICLE, request, Deadline(5), 3)
    # What is kept passes the checks as it stands.
    assert review(settled.draft, ARTICLE).errors == {}
    grounded = ground(settled.draft, ARTICLE)
    declared = {a.id for a in grounded.actors}
    for actor in grounded.actors:
        for span in actor.mentions:
            assert TEXT[span.start : span.end] == span.text
    for call in grounded.calls:
        assert set(call.participants) <= declared and len(set(call.participants)) >= 2
        assert set(call.readout_by) <= declared
        assert call.initiator is None or call.initiator in call.participants
        for span in call.evidence:
            assert TEXT[span.start : span.end] == span.text
        if call.date_text is not None:
            assert any(call.date_text in e.text for e in call.evidence) or any(
                call.date_text in TEXT[a.start : b.end]
                for a, b in zip(call.evidence, call.evidence[1:], strict=False)
            )
    for claim in grounded.claims:
        assert claim.claimant in declared
        assert set(claim.about) <= declared and set(claim.disputed_by) <= declared
        assert claim.claimant not in claim.disputed_by
        for span in claim.evidence:
            assert TEXT[span.start : span.end] == span.text
        if claim.quote_span is not None:
            q = claim.quote_span
            assert TEXT[q.start : q.end] == q.text == claim.quote
    rejected = {(r.kind, r.ref) for r in settled.rejected}
    assert not rejected & {("actor", a.id) for a in settled.draft.actors}
    assert not rejected & {("call", c.id or "") for c in settled.draft.calls}
    assert not rejected & {("claim", k.id or "") for k in settled.draft.claims}


def test_an_engine_without_repairs_gets_the_same_checks() -> None:
    data = answer("landing-records")
    data["calls"][1]["sentences"] = [3]  # the participants are named in sentence 2
    data["claims"][1]["quote"] = "We will share every landing record"  # not in sentence 5
    engine = Given(Extraction.model_validate(data))
    app = create_app(make_settings(engine="rules"), engines={"rules": engine})
    client: FlaskClient = app.test_client()
    response = client.post("/v1/summaries", json={"text": TEXT, "published_at": "2026-03-18"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["meta"]["attempts"] == 1 and body["meta"]["repairs"] == 0
    assert [(r["kind"], r["ref"]) for r in body["meta"]["rejected"]] == [("claim", "K2")]
    # The service's own fix: cite the sentence that names the participants.
    second = body["calls"][1]["evidence"]
    assert [e["text"][:22] for e in second] == ["Icelandic Fisheries Mi", "The two ministers had "]
    strict = client.post("/v1/summaries", json={"text": TEXT, "strict": True})
    assert strict.status_code == 502
