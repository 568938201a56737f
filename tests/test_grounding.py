"""Grounding validators reject whatever is not in the article; grounding returns exact spans."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.article import SegmentedArticle
from schemas.extraction import Extraction, bind_article
from service.pipeline.grounding import ground
from service.pipeline.segment import Segmenter
from tests.conftest import answer, article


@pytest.fixture(scope="module")
def segmented() -> SegmentedArticle:
    return Segmenter().segment(article("fjord-patrols"), dt.date(2026, 3, 15))


def _validate(data: dict[str, Any], segmented: SegmentedArticle) -> Extraction:
    return Extraction.model_validate(data, context={"article": segmented})


def _changed(**path_values: Any) -> dict[str, Any]:
    data = copy.deepcopy(answer("fjord-patrols"))
    for path, value in path_values.items():
        target: Any = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return data


def test_canned_answer_validates(segmented: SegmentedArticle) -> None:
    assert len(_validate(answer("fjord-patrols"), segmented).claims) == 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"claims__0__sentences": [0]}, "sentence numbers [0] do not exist"),
        ({"calls__0__sentences": [11]}, "sentence numbers [11] do not exist"),
        ({"claims__0__quote": "We agreed to stop all patrols"}, "is not verbatim"),
        ({"claims__0__sentences": [6]}, "is not verbatim"),
        ({"actors__0__name": "Ingrid Halvorsen-Berg"}, "does not appear in the article"),
        ({"actors__2__aliases": ["Oslo", "Bergen"]}, "alias 'Bergen' does not appear"),
        ({"claims__1__claimant": "A9"}, "claimant refers to undeclared actors ['A9']"),
        ({"calls__0__readout_by": ["A7"]}, "readout_by refers to undeclared actors"),
        ({"calls__0__participants": ["A1", "A1"]}, "at least two distinct participants"),
        ({"calls__0__initiator": "A3"}, "initiator must be one of its participants"),
        ({"actors__1__id": "A1"}, "declared more than once"),
        ({"actors__5__name": "Vergara"}, "are the same actor"),
        ({"calls__0__date": "2026-04-02"}, "after publication"),
        ({"calls__1__date_text": "on Friday"}, "is not in the cited sentences"),
    ],
)
def test_ungrounded_drafts_are_rejected(
    segmented: SegmentedArticle, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        _validate(_changed(**change), segmented)
    assert message in str(raised.value)


def test_quote_tolerates_whitespace_and_quote_marks_only(segmented: SegmentedArticle) -> None:
    spaced = _changed(claims__0__quote='"We  agreed that the patrols\nmust continue"')
    grounded = ground(_validate(spaced, segmented), segmented)
    quote = grounded.claims[0].quote_span
    assert quote is not None
    assert quote.text == "We agreed that the patrols must continue"
    with pytest.raises(ValidationError):
        _validate(_changed(claims__0__quote="we agreed that the patrols"), segmented)


def test_names_tolerate_case_diacritics_and_quote_marks(segmented: SegmentedArticle) -> None:
    loose = _changed(actors__1__name="Tomas Vergara", actors__4__name="chile’s Foreign Ministry")
    grounded = ground(_validate(loose, segmented), segmented)
    names = {a.name: [m.text for m in a.mentions] for a in grounded.actors}
    assert names["Tomas Vergara"][0] == "Tomás Vergara"
    assert names["chile’s Foreign Ministry"] == ["Chile’s foreign ministry"]


def test_names_match_whole_words_only(segmented: SegmentedArticle) -> None:
    with pytest.raises(ValidationError, match="does not appear"):
        _validate(_changed(actors__5__name="Chil"), segmented)


def test_every_span_is_the_exact_text(segmented: SegmentedArticle) -> None:
    grounded = ground(_validate(answer("fjord-patrols"), segmented), segmented)
    spans = [m for a in grounded.actors for m in a.mentions]
    spans += [e for c in grounded.calls for e in c.evidence]
    spans += [e for k in grounded.claims for e in k.evidence]
    for span in spans:
        assert segmented.text[span.start : span.end] == span.text
    halvorsen = next(a for a in grounded.actors if a.name == "Ingrid Halvorsen")
    assert [m.text for m in halvorsen.mentions] == ["Ingrid Halvorsen", "Halvorsen", "Halvorsen"]


def test_ids_follow_first_mention(segmented: SegmentedArticle) -> None:
    grounded = ground(_validate(answer("fjord-patrols"), segmented), segmented)
    assert [a.name for a in grounded.actors][:3] == ["Norway", "Chile", "Ingrid Halvorsen"]
    assert [a.id for a in grounded.actors] == [f"A{n}" for n in range(1, 7)]
    assert grounded.claims[0].claimant == "A3"


def test_bound_article_grounds_without_a_context(segmented: SegmentedArticle) -> None:
    with bind_article(segmented):
        assert Extraction.model_validate(answer("fjord-patrols")).actors
    with pytest.raises(RuntimeError):
        Extraction.model_validate(answer("fjord-patrols"))


def test_unresolvable_date_without_publication_warns() -> None:
    segmented = Segmenter().segment(article("fjord-patrols"), None)
    data = _changed(calls__0__date=None, calls__1__date=None)
    grounded = ground(_validate(data, segmented), segmented)
    assert [c.date for c in grounded.calls] == [None, None]
    assert any("published_at" in w for w in grounded.warnings)
