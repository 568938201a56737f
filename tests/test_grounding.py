"""Item checks refuse whatever the cited sentences do not support; grounding returns exact spans."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from schemas.article import SegmentedArticle
from schemas.extraction import Extraction
from service.pipeline.checks import Review, review
from service.pipeline.engine import ItemRef
from service.pipeline.grounding import ground
from service.pipeline.segment import Segmenter
from tests.conftest import answer, article


@pytest.fixture(scope="module")
def segmented() -> SegmentedArticle:
    return Segmenter().segment(article("fjord-patrols"), dt.date(2026, 3, 15))


def _review(data: dict[str, Any], segmented: SegmentedArticle) -> Review:
    return review(Extraction.model_validate(data), segmented)


def _changed(**path_values: Any) -> dict[str, Any]:
    data = copy.deepcopy(answer("fjord-patrols"))
    for path, value in path_values.items():
        target: Any = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return data


def _messages(checked: Review) -> dict[ItemRef, str]:
    return {ref: " | ".join(i.message for i in issues) for ref, issues in checked.errors.items()}


def test_canned_answer_passes_every_check(segmented: SegmentedArticle) -> None:
    checked = _review(answer("fjord-patrols"), segmented)
    assert checked.errors == {}
    assert len(checked.draft.claims) == 5


@pytest.mark.parametrize(
    ("change", "ref", "message"),
    [
        ({"claims__0__sentences": [0]}, ("claim", "K1"), "sentence numbers [0] do not exist"),
        ({"calls__0__sentences": [11]}, ("call", "C1"), "sentence numbers [11] do not exist"),
        ({"claims__0__quote": "We agreed to stop all patrols"}, ("claim", "K1"), "not verbatim"),
        ({"claims__0__sentences": [6]}, ("claim", "K1"), "not verbatim"),
        ({"actors__0__name": "Ingrid Halvorsen-Berg"}, ("actor", "A1"), "does not appear"),
        ({"actors__2__aliases": ["Oslo", "Bergen"]}, ("actor", "A3"), "alias 'Bergen' does not"),
        ({"claims__1__claimant": "A9"}, ("claim", "K2"), "claimant refers to undeclared actors"),
        ({"calls__0__readout_by": ["A7"]}, ("call", "C1"), "readout_by refers to undeclared"),
        ({"calls__0__participants": ["A1", "A1"]}, ("call", "C1"), "at least two distinct"),
        ({"calls__0__initiator": "A3"}, ("call", "C1"), "initiator must be one of"),
        ({"calls__0__date": "2026-04-02"}, ("call", "C1"), "does not match date_text"),
        ({"calls__1__date_text": "on Friday"}, ("call", "C2"), "is not in one cited sentence"),
    ],
)
def test_ungrounded_items_are_flagged_one_by_one(
    segmented: SegmentedArticle, change: dict[str, Any], ref: tuple[str, str], message: str
) -> None:
    checked = _review(_changed(**change), segmented)
    messages = _messages(checked)
    assert message in messages[ItemRef(*ref)]
    # Only the item at fault (and no other) is flagged.
    assert set(messages) == {ItemRef(*ref)}


def test_repeated_actor_ids_are_a_structural_error() -> None:
    with pytest.raises(ValidationError, match="given more than once"):
        Extraction.model_validate(_changed(actors__1__id="A1"))


def test_unknown_keys_fail_the_item_or_at_the_top_the_structure(
    segmented: SegmentedArticle,
) -> None:
    data = _changed()
    data["claims"][2]["disputedBy"] = ["A3"]
    assert (
        "unknown keys ['disputedBy']" in _messages(_review(data, segmented))[ItemRef("claim", "K3")]
    )
    with pytest.raises(ValidationError, match="keyPoints"):
        Extraction.model_validate({**_changed(), "keyPoints": []})


def test_quote_matched_loosely_returned_as_the_article_has_it(
    segmented: SegmentedArticle,
) -> None:
    spaced = _changed(claims__0__quote='"we  AGREED that the patrols\nmust continue"')
    checked = _review(spaced, segmented)
    assert checked.errors == {}
    assert checked.draft.claims[0].quote == "We agreed that the patrols must continue"
    quote = ground(checked.draft, segmented).claims[0].quote_span
    assert quote is not None
    assert quote.text == "We agreed that the patrols must continue"


def test_names_come_back_in_the_article_spelling(segmented: SegmentedArticle) -> None:
    loose = _changed(actors__1__name="Tomas Vergara", actors__4__name="chile's Foreign Ministry")
    checked = _review(loose, segmented)
    assert checked.errors == {}
    names = [a.name for a in checked.draft.actors]
    assert "Tomás Vergara" in names
    assert "Chile’s foreign ministry" in names


def test_names_match_whole_words_only(segmented: SegmentedArticle) -> None:
    checked = _review(_changed(actors__5__name="Chil"), segmented)
    assert "does not appear" in _messages(checked)[ItemRef("actor", "A6")]


def test_every_span_is_the_exact_text(segmented: SegmentedArticle) -> None:
    grounded = ground(_review(answer("fjord-patrols"), segmented).draft, segmented)
    spans = [m for a in grounded.actors for m in a.mentions]
    spans += [e for c in grounded.calls for e in c.evidence]
    spans += [e for k in grounded.claims for e in k.evidence]
    for span in spans:
        assert segmented.text[span.start : span.end] == span.text
    halvorsen = next(a for a in grounded.actors if a.name == "Ingrid Halvorsen")
    assert [m.text for m in halvorsen.mentions] == ["Ingrid Halvorsen", "Halvorsen", "Halvorsen"]


def test_ids_follow_first_mention(segmented: SegmentedArticle) -> None:
    grounded = ground(_review(answer("fjord-patrols"), segmented).draft, segmented)
    assert [a.name for a in grounded.actors][:3] == ["Norway", "Chile", "Ingrid Halvorsen"]
    assert [a.id for a in grounded.actors] == [f"A{n}" for n in range(1, 7)]
    assert grounded.claims[0].claimant == "A3"


def test_unresolvable_date_without_publication_warns() -> None:
    segmented = Segmenter().segment(article("fjord-patrols"), None)
    checked = _review(_changed(calls__0__date=None, calls__1__date=None), segmented)
    assert checked.errors == {}
    assert [c.date for c in checked.draft.calls] == [None, None]
    assert any("published_at" in note for note in checked.notes)
