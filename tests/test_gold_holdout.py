"""Run the structural checks of tests/test_gold_set.py over the held-out set in tests/gold-holdout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests import test_gold_set as gold

HOLDOUT = Path(__file__).parent / "gold-holdout"
ANNOTATIONS = sorted(HOLDOUT.glob("*.json"))

PER_ARTICLE: list[Callable[[Path], None]] = [
    gold.test_annotation_has_required_fields_and_a_valid_publication_date,
    gold.test_actors_have_unique_ids_valid_kinds_and_aliases_from_the_text,
    gold.test_references_point_to_existing_actors,
    gold.test_calls_have_two_distinct_participants_a_medium_and_a_resolved_date,
    gold.test_claims_have_valid_kind_and_status,
    gold.test_every_evidence_substring_occurs_in_the_text,
]
# Set-level checks read the module globals GOLD/ANNOTATIONS, so they run with those pointed here.
# (The size, >4000-word and empty-article checks describe the tuning set only.)
SET_LEVEL: list[Callable[[], None]] = [
    gold.test_every_article_has_an_annotation_and_every_annotation_an_article,
    gold.test_set_covers_every_kind_status_and_medium,
]


def test_holdout_has_eight_articles() -> None:
    assert len(ANNOTATIONS) == 8


@pytest.mark.parametrize("check", SET_LEVEL, ids=lambda c: c.__name__)
def test_holdout_set(check: Callable[[], None], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gold, "GOLD", HOLDOUT)
    monkeypatch.setattr(gold, "ANNOTATIONS", ANNOTATIONS)
    check()


@pytest.mark.parametrize("path", ANNOTATIONS, ids=[p.stem for p in ANNOTATIONS])
@pytest.mark.parametrize("check", PER_ARTICLE, ids=lambda c: c.__name__)
def test_holdout_article(check: Callable[[Path], None], path: Path) -> None:
    check(path)
