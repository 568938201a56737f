"""Whether a reported communication took place: plans, refusals, conditions and negations
rule a call out; time gone by ("an hour later") does not."""

from __future__ import annotations

from spacy.tokens import Token

from service.engines.rules.cues import CallCues


def planned(cues: CallCues, verb: Token, noun: Token | None, tokens: list[Token]) -> bool:
    """Whether the verb or noun of a call tells of a plan, a refusal or a condition, not a
    call that took place."""
    auxes = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
    perfect = any(c.lower_ in {"have", "'ve"} for c in auxes)
    for child in verb.children:
        if (
            child.dep_ in {"aux", "auxpass"}
            and (child.lower_ in cues.planned_heads or child.tag_ == "TO")
            and not (perfect and child.lower_ in cues.epistemic_modals)
        ):
            return True
        if child.dep_ == "neg" or child.lower_ in cues.negations:
            return True
        if child.dep_ == "mark" and child.lower_ in cues.conditionals:
            return True
    head = verb
    while head.dep_ in {"xcomp", "conj", "ccomp"} and head.head.i != head.i:
        if head.dep_ != "conj" and head.head.lower_ in cues.planned_heads:
            return True
        head = head.head
    if verb.dep_ in {"xcomp", "acl", "relcl"} and verb.head.lower_ in cues.planned_heads:
        return True
    if noun is not None and any(
        c.lower_ in cues.planned_words or c.lower_ in cues.negations for c in noun.children
    ):
        return True
    return any(t.lower_ in cues.planned_words and not _elapsed(cues, t) for t in tokens)


def _elapsed(cues: CallCues, token: Token) -> bool:
    """ "an hour later", "days later", "later on Monday": time gone by, not a plan."""
    if token.lower_ != "later":
        return False
    doc = token.doc
    if token.i + 2 < len(doc) and doc[token.i + 1].lower_ in {"on", "that"}:
        return doc[token.i + 2].ent_type_ == "DATE"  # "later on Wednesday", "later that day"
    if token.i == 0:
        return False
    return doc[token.i - 1].lower_ in cues.elapsed_units or any(
        c.lower_ in cues.elapsed_units for c in token.children
    )
