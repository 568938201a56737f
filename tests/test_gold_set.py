"""Validate the hand-annotated gold set in tests/gold against tests/gold/GUIDELINES.md."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

GOLD = Path(__file__).parent / "gold"
ANNOTATIONS = sorted(GOLD.glob("*.json"))
NAME = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ACTOR_KINDS = {"person", "state", "organisation", "group", "other"}
MEDIA = {"phone", "video", "in_person", "unknown"}
CLAIM_KINDS = {
    "assertion",
    "accusation",
    "denial",
    "warning",
    "threat",
    "appeal",
    "commitment",
    "assessment",
}
STATUSES = {"supported", "unsupported", "disputed", "refuted", "unverified", "not_addressed"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def load(path: Path) -> tuple[dict[str, Any], str]:
    """An annotation and its article text."""
    annotation: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return annotation, path.with_suffix(".txt").read_text(encoding="utf-8")


def iso(value: str) -> dt.date:
    assert DATE.match(value), value
    return dt.date.fromisoformat(value)


per_article = pytest.mark.parametrize("path", ANNOTATIONS, ids=[p.stem for p in ANNOTATIONS])


def test_gold_set_has_at_least_fifteen_articles() -> None:
    assert len(ANNOTATIONS) >= 15


def test_every_article_has_an_annotation_and_every_annotation_an_article() -> None:
    texts = {p.stem for p in GOLD.glob("*.txt")}
    annotations = {p.stem for p in ANNOTATIONS}
    assert texts == annotations
    assert all(NAME.match(stem) for stem in texts), sorted(texts)


def test_one_article_is_longer_than_four_thousand_words() -> None:
    words = [len(load(p)[1].split()) for p in ANNOTATIONS]
    assert max(words) > 4000


def test_set_covers_every_kind_status_and_medium() -> None:
    kinds, statuses, media = set(), set(), set()
    for path in ANNOTATIONS:
        annotation, _ = load(path)
        kinds |= {claim["kind"] for claim in annotation["claims"]}
        statuses |= {claim["evidence_status"] for claim in annotation["claims"]}
        media |= {call["medium"] for call in annotation["calls"]}
    assert kinds == CLAIM_KINDS
    assert statuses == STATUSES
    assert media == MEDIA


def test_set_has_an_article_without_calls_or_claims_and_calls_without_a_day() -> None:
    loaded = [load(p)[0] for p in ANNOTATIONS]
    assert any(not a["calls"] and not a["claims"] for a in loaded)
    assert any(call["date"] is None for a in loaded for call in a["calls"])
    assert any(call["initiator"] is not None for a in loaded for call in a["calls"])


@per_article
def test_annotation_has_required_fields_and_a_valid_publication_date(path: Path) -> None:
    annotation, text = load(path)
    assert {"published_at", "title", "actors", "calls", "claims"} <= annotation.keys()
    iso(annotation["published_at"])
    assert annotation["title"] == text.splitlines()[0]


@per_article
def test_actors_have_unique_ids_valid_kinds_and_aliases_from_the_text(path: Path) -> None:
    annotation, text = load(path)
    ids = [actor["id"] for actor in annotation["actors"]]
    assert len(ids) == len(set(ids))
    folded = text.casefold()
    for actor in annotation["actors"]:
        assert actor["kind"] in ACTOR_KINDS, actor
        assert actor["name"].strip(), actor
        for alias in actor["aliases"]:
            assert alias.casefold() in folded, (actor["id"], alias)


@per_article
def test_references_point_to_existing_actors(path: Path) -> None:
    annotation, _ = load(path)
    ids = {actor["id"] for actor in annotation["actors"]}
    for call in annotation["calls"]:
        assert set(call["participants"]) <= ids, call["id"]
        assert call["initiator"] is None or call["initiator"] in call["participants"], call["id"]
    for claim in annotation["claims"]:
        assert claim["claimant"] in ids, claim["id"]
        assert set(claim["about"]) <= ids, claim["id"]
        assert set(claim.get("disputed_by", [])) <= ids, claim["id"]


@per_article
def test_calls_have_two_distinct_participants_a_medium_and_a_resolved_date(path: Path) -> None:
    annotation, _ = load(path)
    published = iso(annotation["published_at"])
    for call in annotation["calls"]:
        assert len(set(call["participants"])) >= 2, call["id"]
        assert len(set(call["participants"])) == len(call["participants"]), call["id"]
        assert call["medium"] in MEDIA, call["id"]
        if call["date"] is None:
            continue
        day = iso(call["date"])
        assert day <= published, call["id"]
        named = [w for w in WEEKDAYS if w in (call["date_text"] or "").casefold()]
        if named:
            assert WEEKDAYS[day.weekday()] == named[0], call["id"]
            # "last Thursday" in a story published on a Thursday is a week earlier.
            latest = 7 if "last" in (call["date_text"] or "").casefold() else 6
            assert (published - day).days <= latest, call["id"]


@per_article
def test_claims_have_valid_kind_and_status(path: Path) -> None:
    annotation, _ = load(path)
    ids = [claim["id"] for claim in annotation["claims"]]
    assert len(ids) == len(set(ids))
    for claim in annotation["claims"]:
        assert claim["kind"] in CLAIM_KINDS, claim["id"]
        assert claim["evidence_status"] in STATUSES, claim["id"]
        if claim["evidence_status"] == "disputed":
            assert claim["disputed_by"], claim["id"]
        assert claim["claimant"] not in claim.get("disputed_by", []), claim["id"]


@per_article
def test_every_evidence_substring_occurs_in_the_text(path: Path) -> None:
    annotation, text = load(path)
    for item in annotation["calls"] + annotation["claims"]:
        assert item["evidence"], item["id"]
        for evidence in item["evidence"]:
            assert evidence and evidence in text, (item["id"], evidence)
