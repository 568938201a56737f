"""Item by item: check a draft, ask the engine to repair what failed, set aside the rest.

Valid items are kept as they are. Items that fail their checks go back to the engine with their
errors only (not the whole conversation); after `max_attempts` model calls in all, whatever is
still invalid is set aside and listed, and an actor set aside takes the items that need it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from schemas.article import SegmentedArticle, fold
from schemas.contract import Rejected, SummaryRequest, Usage
from schemas.extraction import ActorDraft, CallDraft, ClaimDraft, Extraction
from service.errors import UpstreamError
from service.pipeline.autofix import autofix
from service.pipeline.checks import Issue, Review, grounded_form, review
from service.pipeline.draft_copy import deep_copy
from service.pipeline.engine import (
    Deadline,
    Engine,
    EngineResult,
    ItemRef,
    RepairRequest,
    Repairs,
)

_LEAD_SENTENCES = 2


@dataclass(slots=True)
class Settled:
    """A draft holding only grounded items, what was set aside, and what it all cost."""

    draft: Extraction
    attempts: int
    usage: Usage
    repairs: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def settle(
    engine: Engine,
    result: EngineResult,
    article: SegmentedArticle,
    request: SummaryRequest,
    deadline: Deadline,
    max_attempts: int,
    shown: tuple[int, ...] | None = None,
) -> Settled:
    """Check `result.draft` item by item, repair what the engine can, set aside the rest;
    `shown` limits the sentences the draft may cite (a chunk of a long article)."""
    settled = Settled(
        draft=result.draft,
        attempts=result.attempts,
        usage=result.usage.model_copy(),
        warnings=list(result.warnings),
    )
    withdrawn: dict[ItemRef, str] = {}
    notes: list[str] = []
    draft = result.draft
    while True:
        checked = review(draft, article, request.title, shown)
        notes += [note for note in checked.notes if note not in notes]
        if not checked.errors:
            break
        if not isinstance(engine, Repairs):
            # An engine that cannot be asked gets the service's own fixes, checked once more.
            checked = review(autofix(checked, article), article, request.title)
            notes += [note for note in checked.notes if note not in notes]
            break
        if settled.attempts >= max_attempts or deadline.remaining() <= 0:
            break
        ask = _repair_request(checked)
        try:
            answer = engine.repair(
                article, request, deadline, ask, max_attempts - settled.attempts, shown
            )
        except UpstreamError as error:
            settled.attempts += error.attempts
            settled.usage.add(error.usage.prompt_tokens, error.usage.completion_tokens)
            settled.warnings.append(
                f"a repair request failed ({error.title}); the items it carried are set aside"
            )
            break
        settled.repairs += 1
        settled.attempts += answer.attempts
        settled.usage.add(answer.usage.prompt_tokens, answer.usage.completion_tokens)
        draft = _apply(checked, answer.draft, withdrawn)
    settled.warnings += notes
    settled.draft, settled.rejected = _set_aside(checked, withdrawn, article)
    if settled.rejected:
        settled.warnings.append(
            f"{len(settled.rejected)} item(s) failed their checks on every attempt and were "
            "set aside: see meta.rejected"
        )
    return settled


def _items(draft: Extraction) -> dict[ItemRef, Any]:
    found: dict[ItemRef, Any] = {ItemRef("actor", a.id): a for a in draft.actors}
    found |= {ItemRef("call", c.id or ""): c for c in draft.calls}
    found |= {ItemRef("claim", k.id or ""): k for k in draft.claims}
    found[ItemRef("summary", "summary")] = draft.summary
    found |= {ItemRef("key_point", f"key_points[{n}]"): p for n, p in enumerate(draft.key_points)}
    return found


def _repair_request(checked: Review) -> RepairRequest:
    items = _items(checked.draft)
    return RepairRequest(
        items=[
            (
                ref,
                items[ref].model_dump(mode="json", exclude_none=True)
                if hasattr(items[ref], "model_dump")
                else {"text": items[ref]},
                [issue.message for issue in issues],
            )
            for ref, issues in sorted(checked.errors.items())
        ],
        actors=[
            {"id": a.id, "name": a.name}
            for a in checked.draft.actors
            if ItemRef("actor", a.id) not in checked.errors
        ],
    )


def _reason(issues: list[Issue]) -> str:
    return "; ".join(dict.fromkeys(issue.reason for issue in issues))


def _apply(checked: Review, answer: Extraction, withdrawn: dict[ItemRef, str]) -> Extraction:
    """The checked draft with each failed item replaced by its repair; an item the repair
    leaves out is withdrawn, and so is every item that needs a withdrawn actor."""
    draft = deep_copy(checked.draft)
    actors = {a.id: a for a in answer.actors}
    calls = {c.id: c for c in answer.calls}
    claims = {k.id: k for k in answer.claims}
    points = iter(answer.key_points)
    gone: set[ItemRef] = set()
    for ref, issues in checked.errors.items():
        replacement: Any = None
        if ref.kind == "actor":
            replacement = actors.get(ref.ref)
        elif ref.kind == "call":
            replacement = calls.get(ref.ref)
        elif ref.kind == "claim":
            replacement = claims.get(ref.ref)
        elif ref.kind == "summary":
            replacement = answer.summary.strip() or None
        else:
            replacement = next(points, None)
        if replacement is None:
            withdrawn[ref] = f"withdrawn on repair: {_reason(issues)}"
            gone.add(ref)
            if ref.kind == "summary":
                draft.summary = ""  # replaced by the article's lead when set aside
        else:
            _replace(draft, ref, replacement)
    # New actors a repair declares (a participant it had forgotten) join the draft.
    known = {a.id for a in draft.actors}
    draft.actors += [a for a in answer.actors if a.id not in known]
    draft.actors = [a for a in draft.actors if ItemRef("actor", a.id) not in gone]
    _drop_dependents(draft, {ref.ref for ref in gone if ref.kind == "actor"}, withdrawn)
    draft.calls = [c for c in draft.calls if ItemRef("call", c.id or "") not in withdrawn]
    draft.claims = [k for k in draft.claims if ItemRef("claim", k.id or "") not in withdrawn]
    draft.key_points = [
        p
        for n, p in enumerate(draft.key_points)
        if ItemRef("key_point", f"key_points[{n}]") not in gone
    ]
    return draft


def _replace(draft: Extraction, ref: ItemRef, replacement: Any) -> None:
    if isinstance(replacement, ActorDraft):
        draft.actors = [replacement if a.id == ref.ref else a for a in draft.actors]
    elif isinstance(replacement, CallDraft):
        draft.calls = [replacement if c.id == ref.ref else c for c in draft.calls]
    elif isinstance(replacement, ClaimDraft):
        draft.claims = [replacement if k.id == ref.ref else k for k in draft.claims]
    elif ref.kind == "summary":
        draft.summary = replacement
    else:
        n = int(ref.ref.removeprefix("key_points[").removesuffix("]"))
        draft.key_points[n] = replacement


def _needs(item: CallDraft | ClaimDraft) -> list[str]:
    if isinstance(item, CallDraft):
        return [*item.participants, *([item.initiator] if item.initiator else []), *item.readout_by]
    return [item.claimant, *item.about, *item.disputed_by]


def _drop_dependents(draft: Extraction, actors: set[str], out: dict[ItemRef, str]) -> None:
    """Every call and claim that refers to a set-aside actor goes with it (each listed)."""
    if not actors:
        return
    for kind, items in (("call", draft.calls), ("claim", draft.claims)):
        for item in items:
            needed = [a for a in dict.fromkeys(_needs(item)) if a in actors]
            ref = ItemRef(kind, item.id or "")
            if needed and ref not in out:
                out[ref] = f"needs actor {', '.join(needed)}, which was set aside"


def _set_aside(
    checked: Review, withdrawn: dict[ItemRef, str], article: SegmentedArticle
) -> tuple[Extraction, list[Rejected]]:
    """The draft without its invalid items, and the list of what was set aside and why."""
    if not checked.errors and not withdrawn and checked.draft.summary.strip():
        return checked.draft, []
    draft = deep_copy(checked.draft)
    out = dict(withdrawn)
    bad_actors = {ref.ref for ref in checked.errors if ref.kind == "actor"}
    for ref in checked.errors:
        if ref.kind == "actor":
            out.setdefault(ref, _reason(checked.errors[ref]))
    gone = bad_actors | {ref.ref for ref in withdrawn if ref.kind == "actor"}
    while dangling := _dangling_affiliations(draft, gone, article):
        for actor_id in dangling:
            gone.add(actor_id)
            out[ItemRef("actor", actor_id)] = "affiliation names an actor that was set aside"
    _drop_dependents(draft, gone, out)
    for ref, issues in checked.errors.items():
        out.setdefault(ref, _reason(issues))
    draft.actors = [a for a in draft.actors if ItemRef("actor", a.id) not in out]
    draft.calls = [c for c in draft.calls if ItemRef("call", c.id or "") not in out]
    draft.claims = [k for k in draft.claims if ItemRef("claim", k.id or "") not in out]
    draft.key_points = [
        p
        for n, p in enumerate(draft.key_points)
        if ItemRef("key_point", f"key_points[{n}]") not in checked.errors
    ]
    if ItemRef("summary", "summary") in out or not draft.summary.strip():
        draft.summary = lead(article)
    rejected = [
        Rejected(kind=ref.kind, ref=ref.ref, reason=reason)
        for ref, reason in sorted(out.items(), key=lambda pair: _order(pair[0]))
    ]
    return draft, rejected


def _dangling_affiliations(
    draft: Extraction, gone: set[str], article: SegmentedArticle
) -> list[str]:
    """Actors kept whose affiliation is only the name of an actor set aside."""
    forms = {
        fold(form, loose=True).text
        for actor in draft.actors
        if actor.id not in gone
        for form in actor.surface_forms()
    }
    return [
        actor.id
        for actor in draft.actors
        if actor.id not in gone
        and actor.affiliation
        and fold(actor.affiliation, loose=True).text not in forms
        and grounded_form(article, actor.affiliation) is None
    ]


def _order(ref: ItemRef) -> tuple[int, int, str]:
    kinds = ["actor", "call", "claim", "summary", "key_point"]
    digits = "".join(ch for ch in ref.ref if ch.isdigit())
    return kinds.index(ref.kind), int(digits or 0), ref.ref


def lead(article: SegmentedArticle) -> str:
    """An extractive summary, the article's first sentences, for when the engine's fails."""
    return " ".join(
        " ".join(article.text[s:e].split()) for s, e in article.sentences[:_LEAD_SENTENCES]
    )


def set_aside_invalid(
    settled: Settled, article: SegmentedArticle, request: SummaryRequest
) -> Settled:
    """`settled` checked once more as a whole (a merged draft): what fails is set aside."""
    checked = review(settled.draft, article, request.title)
    if checked.errors:
        settled.draft, rejected = _set_aside(checked, {}, article)
        settled.rejected += rejected
    else:
        settled.draft = checked.draft
    settled.warnings += checked.notes
    return settled
