"""Matching rules and report of the gold-set scorer (service/evaluation.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.evaluation import (
    GoldArticle,
    aggregate,
    load_gold,
    match_actors,
    normalise,
    score_article,
)

GOLD_DIR = Path(__file__).parent / "gold"

TEXT = (
    "Russian Defence Minister Pavel Orlov spoke with France's Élise Marchand on Sunday. "
    "Orlov warned that the situation was deteriorating. "
    "Marchand said Paris refused any escalation. "
    "The two spoke again on Tuesday."
)


def span(text: str, sub: str) -> dict[str, Any]:
    """A response span for the first occurrence of `sub`."""
    start = text.index(sub)
    return {"start": start, "end": start + len(sub), "text": sub}


def actor(id_: str, name: str, *aliases: str, kind: str = "person") -> dict[str, Any]:
    return {"id": id_, "name": name, "kind": kind, "aliases": list(aliases)}


def gold(**annotation: Any) -> GoldArticle:
    ann: dict[str, Any] = {"actors": [], "calls": [], "claims": [], **annotation}
    return GoldArticle("test", TEXT, "2026-03-17", "t", ann)


GOLD_ACTORS = [
    actor("A1", "Pavel Orlov", "Orlov"),
    actor("A2", "Élise Marchand", "Marchand"),
    actor("A3", "Russia", "Russian", kind="state"),
    actor("A4", "France", "Paris", kind="state"),
]


def predicted_from_gold(article: GoldArticle) -> dict[str, Any]:
    """The response body a perfect engine would return, with its own ids."""
    ann, text = article.annotation, article.text
    pid = {a["id"]: f"actor-{n}" for n, a in enumerate(ann["actors"])}
    return {
        "actors": [{**a, "id": pid[a["id"]], "mentions": []} for a in reversed(ann["actors"])],
        "calls": [
            {
                **c,
                "id": f"call-{n}",
                "participants": [pid[p] for p in c["participants"]],
                "initiator": pid.get(c["initiator"]),
                "evidence": [span(text, e) for e in c["evidence"]],
            }
            for n, c in enumerate(ann["calls"])
        ],
        "claims": [
            {
                **k,
                "id": f"claim-{n}",
                "claimant": pid[k["claimant"]],
                "evidence": [span(text, e) for e in k["evidence"]],
            }
            for n, k in enumerate(ann["claims"])
        ],
    }


# --------------------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Radosław  Wierzbicki", "radoslaw wierzbicki"),
        ("Ørsted Łódź", "orsted lodz"),
        ("Şahin", "sahin"),
        ("Žofia Hrušovská", "zofia hrusovska"),
        ("The Kremlin", "kremlin"),
        ("an Official", "official"),
        ("Russia\u2019s", "russia"),
        ("“NATO”", "nato"),
        ("A\u00a0senior\nofficial", "senior official"),
    ],
)
def test_normalise_folds_diacritics_case_quotes_articles_and_possessives(
    raw: str, expected: str
) -> None:
    assert normalise(raw) == expected


def test_normalise_keeps_words_that_merely_start_like_an_article() -> None:
    assert normalise("Theresa May") == "theresa may"
    assert normalise("Andorra") == "andorra"


# ------------------------------------------------------------------------------ actors


def test_actor_matches_through_an_alias_such_as_a_capital() -> None:
    mapping = match_actors([actor("p", "Paris", kind="state")], GOLD_ACTORS)
    assert mapping == {"p": "A4"}


def test_actor_matches_without_diacritics_and_with_curly_possessive() -> None:
    mapping = match_actors([actor("p", "Elise Marchand"), actor("q", "Russia\u2019s")], GOLD_ACTORS)
    assert mapping == {"p": "A2", "q": "A3"}


def test_actor_with_no_shared_form_does_not_match() -> None:
    assert match_actors([actor("p", "Pavel Orlovsky"), actor("q", "French")], GOLD_ACTORS) == {}


def test_actor_matching_is_one_to_one_and_prefers_the_exact_name() -> None:
    gold_actors = [actor("A1", "Orlov"), actor("A2", "Pavel Orlov", "Orlov")]
    # Both predictions share "orlov" with both gold actors; exact names win first.
    mapping = match_actors(
        [actor("p", "Orlov"), actor("q", "Pavel Orlov"), actor("r", "Orlov")], gold_actors
    )
    assert mapping == {"p": "A1", "q": "A2"}


def test_actor_matching_prefers_larger_overlap_when_no_name_is_equal() -> None:
    gold_actors = [actor("A1", "X", "Orlov"), actor("A2", "Y", "Orlov", "P. Orlov")]
    mapping = match_actors([actor("p", "Z", "Orlov", "P. Orlov")], gold_actors)
    assert mapping == {"p": "A2"}


def test_actor_counts_give_false_positives_and_negatives() -> None:
    score = score_article(
        gold(actors=GOLD_ACTORS),
        {"actors": [actor("p", "Orlov"), actor("q", "Germany", kind="state")]},
    )
    assert (score.actors.tp, score.actors.fp, score.actors.fn) == (1, 1, 3)


# ------------------------------------------------------------------------------- calls

SUNDAY = "spoke with France's Élise Marchand on Sunday"
TUESDAY = "The two spoke again on Tuesday."
CALLS = [
    {
        "id": "C1",
        "participants": ["A1", "A2"],
        "date": "2026-03-15",
        "medium": "unknown",
        "evidence": [SUNDAY],
    },
    {
        "id": "C2",
        "participants": ["A1", "A2"],
        "date": "2026-03-17",
        "medium": "unknown",
        "evidence": [TUESDAY],
    },
]
PRED_ACTORS = [actor("x", "Orlov"), actor("y", "Marchand"), actor("z", "France", kind="state")]


def call(participants: list[str], evidence: str | None = None, **fields: Any) -> dict[str, Any]:
    spans = [span(TEXT, evidence)] if evidence else []
    return {
        "id": f"c{len(participants)}",
        "participants": participants,
        "evidence": spans,
        **fields,
    }


def test_call_matches_when_mapped_participants_are_equal() -> None:
    score = score_article(
        gold(actors=GOLD_ACTORS, calls=CALLS[:1]),
        {"actors": PRED_ACTORS, "calls": [call(["y", "x"], date="2026-03-15")]},
    )
    assert (score.calls.tp, score.calls.fp, score.calls.fn) == (1, 0, 0)
    assert score.call_date.value == 1.0


def test_call_with_different_participant_set_does_not_match() -> None:
    score = score_article(
        gold(actors=GOLD_ACTORS, calls=CALLS[:1]),
        {"actors": PRED_ACTORS, "calls": [call(["x", "z"], SUNDAY), call(["x", "y", "z"], SUNDAY)]},
    )
    assert (score.calls.tp, score.calls.fp, score.calls.fn) == (0, 2, 1)


def test_call_with_an_unmatched_participant_does_not_match() -> None:
    score = score_article(
        gold(actors=GOLD_ACTORS, calls=CALLS[:1]),
        {"actors": PRED_ACTORS[:1], "calls": [call(["x", "ghost"], SUNDAY)]},
    )
    assert score.calls.tp == 0


def test_call_prefers_the_gold_call_its_evidence_overlaps() -> None:
    predicted = call(["x", "y"], TUESDAY, date="2026-03-17")
    score = score_article(
        gold(actors=GOLD_ACTORS, calls=CALLS), {"actors": PRED_ACTORS, "calls": [predicted]}
    )
    assert score.call_matches == {"c2": "C2"}
    assert score.call_date.value == 1.0


def test_call_date_accuracy_counts_wrong_dates_and_null_equal_null() -> None:
    calls = [dict(CALLS[0], date=None), CALLS[1]]
    score = score_article(
        gold(actors=GOLD_ACTORS, calls=calls),
        {
            "actors": PRED_ACTORS,
            "calls": [
                call(["x", "y"], SUNDAY, date=None),
                call(["x", "y"], TUESDAY, date="2026-03-10"),
            ],
        },
    )
    assert score.calls.tp == 2
    assert (score.call_date.correct, score.call_date.total) == (1, 2)


# ------------------------------------------------------------------------------ claims

WARNED = "Orlov warned that the situation was deteriorating."
REFUSED = "Marchand said Paris refused any escalation."
CLAIMS = [
    {
        "id": "K1",
        "claimant": "A1",
        "kind": "warning",
        "evidence_status": "not_addressed",
        "evidence": [WARNED],
    },
    {
        "id": "K2",
        "claimant": "A2",
        "kind": "assertion",
        "evidence_status": "disputed",
        "evidence": [REFUSED],
    },
]


def claim(claimant: str, evidence: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "id": f"k-{claimant}-{len(evidence)}",
        "claimant": claimant,
        "evidence": evidence,
        **fields,
    }


def test_claim_matches_on_claimant_and_overlapping_evidence() -> None:
    partial = span(TEXT, "the situation was deteriorating")
    score = score_article(
        gold(actors=GOLD_ACTORS, claims=CLAIMS),
        {"actors": PRED_ACTORS, "claims": [claim("x", [partial], kind="warning")]},
    )
    assert score.claim_matches == {"k-x-1": "K1"}
    assert (score.claims.tp, score.claims.fp, score.claims.fn) == (1, 0, 1)
    assert score.claim_kind.value == 1.0


def test_claim_with_wrong_claimant_does_not_match() -> None:
    score = score_article(
        gold(actors=GOLD_ACTORS, claims=CLAIMS),
        {"actors": PRED_ACTORS, "claims": [claim("y", [span(TEXT, WARNED)])]},
    )
    assert score.claims.tp == 0


def test_claim_with_non_overlapping_evidence_does_not_match() -> None:
    score = score_article(
        gold(actors=GOLD_ACTORS, claims=CLAIMS),
        {"actors": PRED_ACTORS, "claims": [claim("x", [span(TEXT, REFUSED)])]},
    )
    assert score.claims.tp == 0


def test_adjacent_spans_do_not_count_as_overlap() -> None:
    end = TEXT.index(WARNED) + len(WARNED)
    touching = {"start": end, "end": end + 5, "text": TEXT[end : end + 5]}
    score = score_article(
        gold(actors=GOLD_ACTORS, claims=CLAIMS),
        {"actors": PRED_ACTORS, "claims": [claim("x", [touching])]},
    )
    assert score.claims.tp == 0


def test_gold_evidence_is_located_at_its_first_occurrence() -> None:
    text = "Orlov said no. Later, Orlov said no."
    second = text.rindex("Orlov said no.")
    article = GoldArticle(
        "dup",
        text,
        None,
        None,
        {
            "actors": GOLD_ACTORS,
            "calls": [],
            "claims": [{"id": "K1", "claimant": "A1", "evidence": ["Orlov said no."]}],
        },
    )
    late = {"start": second, "end": second + 14, "text": "Orlov said no."}
    early = {"start": 0, "end": 14, "text": "Orlov said no."}
    for spans, matches in (([late], 0), ([early], 1)):
        predicted = {"actors": PRED_ACTORS, "claims": [claim("x", spans)]}
        assert score_article(article, predicted).claims.tp == matches


def test_claims_are_matched_one_to_one_by_largest_overlap() -> None:
    small = claim("x", [span(TEXT, "deteriorating")])
    small["id"] = "small"
    large = claim("x", [span(TEXT, WARNED)])
    large["id"] = "large"
    score = score_article(
        gold(actors=GOLD_ACTORS, claims=CLAIMS),
        {"actors": PRED_ACTORS, "claims": [small, large]},
    )
    assert score.claim_matches == {"large": "K1"}
    assert (score.claims.tp, score.claims.fp) == (1, 1)


def test_span_without_offsets_is_located_by_its_text() -> None:
    score = score_article(
        gold(actors=GOLD_ACTORS, claims=CLAIMS),
        {"actors": PRED_ACTORS, "claims": [claim("y", [{"text": "Paris refused"}])]},
    )
    assert score.claim_matches == {"k-y-1": "K2"}


def test_status_and_kind_accuracy_are_measured_over_matched_claims_only() -> None:
    score = score_article(
        gold(actors=GOLD_ACTORS, claims=CLAIMS),
        {
            "actors": PRED_ACTORS,
            "claims": [
                claim("x", [span(TEXT, WARNED)], kind="assertion", evidence_status="not_addressed"),
                claim("y", [span(TEXT, REFUSED)], kind="assertion", evidence_status="refuted"),
                claim("z", [span(TEXT, REFUSED)], kind="denial", evidence_status="disputed"),
            ],
        },
    )
    assert (score.claim_status.correct, score.claim_status.total) == (1, 2)
    assert (score.claim_kind.correct, score.claim_kind.total) == (1, 2)


# ------------------------------------------------------------------------------ report


def test_empty_prediction_for_empty_gold_is_perfect_and_for_full_gold_has_zero_recall() -> None:
    empty = aggregate([score_article(gold(), {})])
    assert (empty.actors.f1, empty.calls.f1, empty.claims.f1) == (1.0, 1.0, 1.0)
    full = aggregate([score_article(gold(actors=GOLD_ACTORS, claims=CLAIMS), {})])
    assert full.actors.recall == 0.0
    assert full.claims.f1 == 0.0
    assert full.claim_status.value is None


def test_aggregate_micro_averages_counts_over_articles() -> None:
    one = score_article(gold(actors=GOLD_ACTORS), {"actors": [actor("p", "Orlov")]})
    two = score_article(
        gold(actors=GOLD_ACTORS[:1]), {"actors": [actor("p", "Orlov"), actor("q", "Germany")]}
    )
    report = aggregate([one, two])
    assert (report.actors.tp, report.actors.fp, report.actors.fn) == (2, 1, 3)
    assert report.actors.precision == pytest.approx(2 / 3)
    assert report.actors.recall == pytest.approx(2 / 5)
    assert report.actors.f1 == pytest.approx(2 * (2 / 3) * (2 / 5) / (2 / 3 + 2 / 5))


def test_report_table_and_dict_show_scores_counts_and_accuracies() -> None:
    report = aggregate([score_article(gold(actors=GOLD_ACTORS), {"actors": PRED_ACTORS})])
    table = report.table()
    for label in ("actors", "calls", "claims", "call date", "evidence status", "claim kind", "tp"):
        assert label in table
    as_dict = json.loads(json.dumps(report.as_dict()))
    assert as_dict["actors"]["tp"] == 3
    assert as_dict["claim_status_accuracy"]["accuracy"] is None
    assert as_dict["per_article"][0]["name"] == "test"


# -------------------------------------------------------------------------- gold set


def test_load_gold_reads_text_and_annotation_in_name_order() -> None:
    articles = load_gold(GOLD_DIR)
    assert len(articles) >= 15
    assert [a.name for a in articles] == sorted(a.name for a in articles)
    first = articles[0]
    assert first.published_at == first.annotation["published_at"]
    assert first.text.startswith(first.title or "")


def test_perfect_prediction_built_from_gold_scores_one_everywhere() -> None:
    articles = load_gold(GOLD_DIR)
    report = aggregate(score_article(a, predicted_from_gold(a)) for a in articles)
    assert (report.actors.f1, report.calls.f1, report.claims.f1) == (1.0, 1.0, 1.0)
    assert report.call_date.value == 1.0
    assert report.claim_status.value == 1.0
    assert report.claim_kind.value == 1.0
    assert report.claims.tp == sum(len(a.annotation["claims"]) for a in articles)
