"""The rules engine's scores on every gold set, pinned: a change that lowers one fails here.

The pins are the figures of the commit that last raised them (README, "Evaluation"); raise a pin
when a change raises a figure, never lower one to let a change through.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from schemas.contract import SummaryRequest
from service.evaluation import Report, aggregate, load_gold, score_article
from service.pipeline.summariser import Summariser

TESTS = Path(__file__).parent
# set: F1 actors, calls, claims; accuracy of call date, evidence status, claim kind.
PINNED: dict[str, tuple[float, float, float, float, float, float]] = {
    "gold": (0.951, 0.972, 0.969, 0.971, 0.917, 0.769),
    "gold-holdout": (0.947, 0.919, 0.945, 1.000, 0.837, 0.733),
    "gold-fresh": (0.944, 0.936, 0.938, 0.955, 0.835, 0.802),
    "gold-final": (0.950, 0.889, 0.929, 1.000, 0.886, 0.772),
    "gold-unseen": (0.920, 0.952, 0.906, 0.950, 0.818, 0.740),
    "gold-blind": (0.901, 0.974, 0.857, 1.000, 0.778, 0.653),
    "gold-last": (0.929, 0.842, 0.891, 1.000, 0.816, 0.735),
    "gold-newswire": (0.920, 0.902, 0.922, 1.000, 0.813, 0.626),
    "gold-dispatch": (0.876, 0.696, 0.817, 0.875, 0.764, 0.618),
}


def score(rules_summariser: Summariser, directory: Path) -> Report:
    scores = []
    for gold in load_gold(directory):
        request = SummaryRequest(text=gold.text, published_at=gold.published_at, title=gold.title)
        answer = json.loads(rules_summariser.summarise(request).model_dump_json())
        scores.append(score_article(gold, answer))
    return aggregate(scores)


def test_every_gold_set_is_pinned() -> None:
    sets = {p.parent.name for p in TESTS.glob("gold*/*.json")}
    assert sets == set(PINNED)


@pytest.mark.parametrize("name", sorted(PINNED))
def test_no_figure_falls_below_its_pin(rules_summariser: Summariser, name: str) -> None:
    report = score(rules_summariser, TESTS / name)
    figures = (
        report.actors.f1,
        report.calls.f1,
        report.claims.f1,
        report.call_date.value,
        report.claim_status.value,
        report.claim_kind.value,
    )
    for label, figure, pin in zip(
        ("actors", "calls", "claims", "call date", "status", "kind"),
        figures,
        PINNED[name],
        strict=True,
    ):
        assert figure is not None and round(figure, 3) >= pin, f"{name} {label}: {figure} < {pin}"
