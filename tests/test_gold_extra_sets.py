"""Run the structural checks of tests/test_gold_set.py over the extra gold sets.

- ``tests/gold-holdout``: written blind to the rules engine; later read for diagnosis.
- ``tests/gold-fresh``: written blind to the rules engine; later read for diagnosis.
- ``tests/gold-final``: written blind to the rules engine; later read for diagnosis.
- ``tests/gold-unseen``: written blind to the rules engine; later read for diagnosis.
- ``tests/gold-blind``: written blind to the rules engine; later read for diagnosis.
- ``tests/gold-last``: written blind to the rules engine, never used for tuning or diagnosis;
  only aggregate scores may be read.
- ``tests/gold-newswire``: eleven articles written blind to the rules engine, scored once on
  arrival; later read for diagnosis.
- ``tests/gold-dispatch``: twelve articles written blind to the rules engine, scored on arrival;
  never used for tuning or diagnosis, only aggregate scores may be read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests import test_gold_set as gold

SETS = [
    "gold-holdout",
    "gold-fresh",
    "gold-final",
    "gold-unseen",
    "gold-blind",
    "gold-last",
    "gold-newswire",
    "gold-dispatch",
]
DIRS = {name: Path(__file__).parent / name for name in SETS}
ANNOTATIONS = {name: sorted(DIRS[name].glob("*.json")) for name in SETS}
ARTICLES = [path for name in SETS for path in ANNOTATIONS[name]]

PER_ARTICLE: list[Callable[[Path], None]] = [
    gold.test_annotation_has_required_fields_and_a_valid_publication_date,
    gold.test_actors_have_unique_ids_valid_kinds_and_aliases_from_the_text,
    gold.test_references_point_to_existing_actors,
    gold.test_calls_have_two_distinct_participants_a_medium_and_a_resolved_date,
    gold.test_claims_have_valid_kind_and_status,
    gold.test_every_evidence_substring_occurs_in_the_text,
]
# Set-level checks read the module globals GOLD/ANNOTATIONS, so they run with those pointed at
# the set under test. (The size, >4000-word and empty-article checks describe the tuning set only.)
SET_LEVEL: list[Callable[[], None]] = [
    gold.test_every_article_has_an_annotation_and_every_annotation_an_article,
    gold.test_set_covers_every_kind_status_and_medium,
]


@pytest.mark.parametrize("name", SETS)
def test_set_has_six_to_twelve_articles(name: str) -> None:
    assert 6 <= len(ANNOTATIONS[name]) <= 12


@pytest.mark.parametrize("name", SETS)
@pytest.mark.parametrize("check", SET_LEVEL, ids=lambda c: c.__name__)
def test_set(check: Callable[[], None], name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gold, "GOLD", DIRS[name])
    monkeypatch.setattr(gold, "ANNOTATIONS", ANNOTATIONS[name])
    check()


@pytest.mark.parametrize("path", ARTICLES, ids=[f"{p.parent.name}/{p.stem}" for p in ARTICLES])
@pytest.mark.parametrize("check", PER_ARTICLE, ids=lambda c: c.__name__)
def test_article(check: Callable[[Path], None], path: Path) -> None:
    check(path)
