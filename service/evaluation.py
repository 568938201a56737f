"""Score Readout predictions against the hand-annotated gold set in ``tests/gold``.

Matching rules (also written down in ``tests/gold/GUIDELINES.md``):

Text normalisation (``normalise``)
    NFKD, drop combining marks (and fold the letters NFKD leaves whole, such as ł, ø, đ, æ, œ),
    casefold, curly quotes to straight quotes, collapse whitespace, strip surrounding
    punctuation, strip a leading "the "/"a "/"an " and a possessive "'s".

Actors
    The *forms* of an actor are its normalised ``name`` plus its normalised ``aliases``.
    A predicted actor and a gold actor can match when their form sets intersect. Matching
    is one-to-one and greedy: pairs whose names are equal come first, then pairs with the
    larger form overlap, ties broken by document order.

Calls
    Predicted participant ids are mapped to gold actor ids through the actor matching (an
    unmatched participant maps to nothing and makes the call unmatchable). A predicted call
    can match a gold call when the mapped participant set equals the gold participant set.
    One-to-one and greedy: candidates whose evidence overlaps the gold evidence come first,
    larger overlap first. Date, medium and initiator correctness are measured over matched
    pairs only (a date is correct when equal, ``None == None`` included).

Claims
    A predicted claim can match a gold claim when its claimant maps to the gold claimant
    and one of its evidence spans overlaps (as character ranges) the range of one of the
    gold evidence substrings (each located at its first occurrence in the text). One-to-one
    and greedy by overlap size. Evidence-status and kind accuracy are measured over matched
    pairs only.

Counts are micro-averaged over articles. Precision with no predictions is 1.0 and recall
with no gold items is 1.0, so an empty prediction for an empty gold list scores F1 = 1.0.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas.article import fold
from service.scores import ArticleScore, Counts, Report, aggregate

__all__ = [
    "ArticleScore",
    "Counts",
    "GoldArticle",
    "Report",
    "aggregate",
    "load_gold",
    "match_actors",
    "normalise",
    "score_article",
]

Range = tuple[int, int]

# Latin letters with a stroke or ligature have no NFKD decomposition.
_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_POSSESSIVE = re.compile(r"'s\b")
_EDGE_PUNCT = " \t\n.,;:!?\"'()[]{}-\u2013\u2014"


def normalise(text: str) -> str:
    """Return the comparison form of a name or alias: the loose fold of `schemas.article`
    (quotes, whitespace, case, diacritics), letters with a stroke, edges, possessive, article."""
    folded = fold(text, loose=True).text.translate(_LETTERS).strip(_EDGE_PUNCT)
    folded = _POSSESSIVE.sub("", folded)
    folded = _LEADING_ARTICLE.sub("", folded)
    return folded.strip(_EDGE_PUNCT)


@dataclass(frozen=True)
class GoldArticle:
    """One annotated article of the gold set."""

    name: str
    text: str
    published_at: str | None
    title: str | None
    annotation: dict[str, Any]


def load_gold(directory: Path) -> list[GoldArticle]:
    """Load every ``NN-slug.json`` annotation with its ``NN-slug.txt`` text, sorted by name."""
    articles: list[GoldArticle] = []
    for json_path in sorted(Path(directory).glob("*.json")):
        text_path = json_path.with_suffix(".txt")
        annotation = json.loads(json_path.read_text(encoding="utf-8"))
        articles.append(
            GoldArticle(
                name=json_path.stem,
                text=text_path.read_text(encoding="utf-8"),
                published_at=annotation.get("published_at"),
                title=annotation.get("title"),
                annotation=annotation,
            )
        )
    return articles


# --------------------------------------------------------------------------- actors


def _forms(actor: Mapping[str, Any]) -> set[str]:
    raw = [actor.get("name") or "", *(actor.get("aliases") or [])]
    return {form for form in (normalise(str(item)) for item in raw) if form}


def match_actors(
    predicted: Sequence[Mapping[str, Any]], gold: Sequence[Mapping[str, Any]]
) -> dict[str, str]:
    """Return a one-to-one mapping predicted actor id -> gold actor id."""
    candidates: list[tuple[int, int, int, int, str, str]] = []
    for i, pred in enumerate(predicted):
        pred_forms = _forms(pred)
        pred_name = normalise(str(pred.get("name") or ""))
        for j, gold_actor in enumerate(gold):
            overlap = len(pred_forms & _forms(gold_actor))
            if overlap:
                same_name = pred_name != "" and pred_name == normalise(
                    str(gold_actor.get("name") or "")
                )
                candidates.append(
                    (-int(same_name), -overlap, i, j, str(pred["id"]), str(gold_actor["id"]))
                )
    return _greedy((c[:4], c[4], c[5]) for c in candidates)


def _greedy(candidates: Iterable[tuple[tuple[int, ...], str, str]]) -> dict[str, str]:
    """Assign pairs in ascending key order, each side used at most once."""
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for _, pred_id, gold_id in sorted(candidates, key=lambda c: c[0]):
        if pred_id not in mapping and gold_id not in used:
            mapping[pred_id] = gold_id
            used.add(gold_id)
    return mapping


# ----------------------------------------------------------------------------- spans


def _gold_ranges(text: str, substrings: Iterable[str]) -> list[Range]:
    ranges: list[Range] = []
    for sub in substrings:
        start = text.find(sub)
        if start >= 0 and sub:
            ranges.append((start, start + len(sub)))
    return ranges


def _pred_ranges(text: str, spans: Iterable[Any]) -> list[Range]:
    """Ranges of predicted evidence spans; a span without valid offsets is located by text."""
    ranges: list[Range] = []
    for span in spans or []:
        if isinstance(span, str):
            span = {"text": span}
        if not isinstance(span, Mapping):
            continue
        start, end = span.get("start"), span.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            ranges.append((start, end))
            continue
        snippet = span.get("text")
        if isinstance(snippet, str) and snippet:
            found = text.find(snippet)
            if found >= 0:
                ranges.append((found, found + len(snippet)))
    return ranges


def _merge(ranges: Iterable[Range]) -> list[Range]:
    merged: list[Range] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def overlap_size(a: Iterable[Range], b: Iterable[Range]) -> int:
    """Number of characters covered by both range sets."""
    total = 0
    for a_start, a_end in _merge(a):
        for b_start, b_end in _merge(b):
            total += max(0, min(a_end, b_end) - max(a_start, b_start))
    return total


# ----------------------------------------------------------------------------- score


def _date(value: Any) -> str | None:
    return None if value in (None, "") else str(value)[:10]


def score_article(gold: GoldArticle, predicted: Mapping[str, Any]) -> ArticleScore:
    """Match one predicted response body against one gold annotation."""
    text = gold.text
    ann = gold.annotation
    score = ArticleScore(name=gold.name)

    gold_actors = list(ann.get("actors") or [])
    pred_actors = [a for a in predicted.get("actors") or [] if a.get("id") is not None]
    actor_map = match_actors(pred_actors, gold_actors)
    score.actor_matches = actor_map
    score.actors = Counts(
        tp=len(actor_map),
        fp=len(pred_actors) - len(actor_map),
        fn=len(gold_actors) - len(actor_map),
    )

    def mapped(pred_id: Any) -> str:
        return actor_map.get(str(pred_id), f"?{pred_id}")

    # calls
    gold_calls = list(ann.get("calls") or [])
    pred_calls = list(predicted.get("calls") or [])
    call_candidates: list[tuple[tuple[int, ...], str, str]] = []
    for i, pc in enumerate(pred_calls):
        participants = {mapped(p) for p in pc.get("participants") or []}
        pred_ranges = _pred_ranges(text, pc.get("evidence") or [])
        for j, gc in enumerate(gold_calls):
            if participants != set(gc.get("participants") or []):
                continue
            overlap = overlap_size(pred_ranges, _gold_ranges(text, gc.get("evidence") or []))
            call_candidates.append(((-int(overlap > 0), -overlap, i, j), str(i), str(j)))
    call_pairs = _greedy(call_candidates)
    for pi, gj in call_pairs.items():
        pc, gc = pred_calls[int(pi)], gold_calls[int(gj)]
        score.call_matches[str(pc.get("id", pi))] = str(gc["id"])
        score.call_date.add(_date(pc.get("date")) == _date(gc.get("date")))
        score.call_medium.add(pc.get("medium") == gc.get("medium"))
    score.calls = Counts(
        tp=len(call_pairs),
        fp=len(pred_calls) - len(call_pairs),
        fn=len(gold_calls) - len(call_pairs),
    )

    # claims
    gold_claims = list(ann.get("claims") or [])
    pred_claims = list(predicted.get("claims") or [])
    gold_claim_ranges = [_gold_ranges(text, gk.get("evidence") or []) for gk in gold_claims]
    claim_candidates: list[tuple[tuple[int, ...], str, str]] = []
    for i, pk in enumerate(pred_claims):
        claimant = mapped(pk.get("claimant"))
        pred_ranges = _pred_ranges(text, pk.get("evidence") or [])
        for j, gk in enumerate(gold_claims):
            if claimant != gk.get("claimant"):
                continue
            overlap = overlap_size(pred_ranges, gold_claim_ranges[j])
            if overlap:
                claim_candidates.append(((-overlap, i, j), str(i), str(j)))
    claim_pairs = _greedy(claim_candidates)
    for pi, gj in claim_pairs.items():
        pk, gk = pred_claims[int(pi)], gold_claims[int(gj)]
        score.claim_matches[str(pk.get("id", pi))] = str(gk["id"])
        score.claim_status.add(pk.get("evidence_status") == gk.get("evidence_status"))
        score.claim_kind.add(pk.get("kind") == gk.get("kind"))
    score.claims = Counts(
        tp=len(claim_pairs),
        fp=len(pred_claims) - len(claim_pairs),
        fn=len(gold_claims) - len(claim_pairs),
    )
    return score


def main(argv: Sequence[str] | None = None) -> int:
    """Score a directory of predictions named like the gold files (``NN-slug.json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("predictions", type=Path, help="directory of NN-slug.json responses")
    parser.add_argument("--gold", type=Path, default=Path("tests/gold"))
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    scores = []
    for article in load_gold(args.gold):
        path = args.predictions / f"{article.name}.json"
        predicted = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        scores.append(score_article(article, predicted))
    report = aggregate(scores)
    print(json.dumps(report.as_dict(), indent=2) if args.json else report.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
