"""The fixes the service makes itself for an engine that cannot be asked (the rules engine).

Each fix only ever adds a citation the item needs (the sentence naming a participant, the one
holding the date words) or empties an optional field the article does not support; anything
else still failing is set aside like any other item.
"""

from __future__ import annotations

from schemas.article import SegmentedArticle
from schemas.extraction import ActorDraft, CallDraft, ClaimDraft, Extraction
from service.pipeline.checks import Review, grounded_form
from service.pipeline.dates import find_dates
from service.pipeline.draft_copy import deep_copy
from service.pipeline.engine import ItemRef

_NOT_NAMED = {
    "participant not named in the cited sentences",
    "claimant not named in the cited sentences",
}


def autofix(checked: Review, article: SegmentedArticle) -> Extraction:
    """A copy of the checked draft with what the service can fix fixed."""
    draft = deep_copy(checked.draft)
    actors = {a.id: a for a in draft.actors}
    forms = {form for a in draft.actors for form in a.surface_forms()}
    for ref in checked.errors:
        if ref.kind == "actor" and ref.ref in actors:
            _fix_actor(actors[ref.ref], forms, article)
    items: dict[ItemRef, CallDraft | ClaimDraft] = {
        ItemRef("call", c.id or ""): c for c in draft.calls
    }
    items |= {ItemRef("claim", k.id or ""): k for k in draft.claims}
    for ref, issues in checked.errors.items():
        item = items.get(ref)
        if item is None:
            continue
        reasons = {issue.reason for issue in issues}
        if reasons & _NOT_NAMED:
            _cite_names(item, actors, article)
        if isinstance(item, CallDraft):
            _fix_date(item, reasons, article)
    return draft


def _fix_actor(actor: ActorDraft, forms: set[str], article: SegmentedArticle) -> None:
    actor.aliases = [a for a in actor.aliases if grounded_form(article, a) is not None]
    if actor.role is not None and grounded_form(article, actor.role) is None:
        actor.role = None
    affiliation = actor.affiliation
    if affiliation and affiliation not in forms and grounded_form(article, affiliation) is None:
        actor.affiliation = None


def _nearest(article: SegmentedArticle, numbers: list[int], found: set[int]) -> int | None:
    """The sentence of `found` nearest the citation, earlier ones first."""
    if not found or not numbers:
        return None
    first, last = min(numbers), max(numbers)
    before = [n for n in found if n < first]
    if before:
        return max(before)
    after = [n for n in found if n > last]
    return min(after) if after else None


def _sentences_naming(actor: ActorDraft, article: SegmentedArticle) -> set[int]:
    return {
        article.sentence_of(start)
        for form in actor.surface_forms()
        for start, _end in article.find_all(form, loose=True, whole_words=True)
    }


def _cite_names(
    item: CallDraft | ClaimDraft, actors: dict[str, ActorDraft], article: SegmentedArticle
) -> None:
    needed = item.participants if isinstance(item, CallDraft) else [item.claimant]
    for actor_id in needed:
        actor = actors.get(actor_id)
        if actor is None:
            continue
        naming = _sentences_naming(actor, article)
        if naming & set(item.sentences):
            continue
        extra = _nearest(article, item.sentences, naming)
        if extra is not None:
            item.sentences = sorted({*item.sentences, extra})


def _fix_date(call: CallDraft, reasons: set[str], article: SegmentedArticle) -> None:
    if "date_text not in the cited sentences" in reasons and call.date_text:
        found = article.find_all(call.date_text, loose=True)
        extra = _nearest(article, call.sentences, {article.sentence_of(s) for s, _e in found})
        if extra is None:
            call.date_text, call.date = None, None
        else:
            call.sentences = sorted({*call.sentences, extra})
    if "date without date_text" in reasons and call.date is not None:
        # The words dating the call: a date mention that names the same day, nearest first.
        holding: set[int] = set()
        words: dict[int, str] = {}
        for number, (start, end) in enumerate(article.sentences, start=1):
            for mention in find_dates(article.text[start:end], article.published_at):
                if mention.date == call.date and number not in words:
                    holding.add(number)
                    words[number] = mention.text
        cited = holding & set(call.sentences)
        extra = min(cited) if cited else _nearest(article, call.sentences, holding)
        if extra is None:
            call.date = None
        else:
            call.date_text = words[extra]
            call.sentences = sorted({*call.sentences, extra})
    if "date does not match its date_text" in reasons:
        call.date = None  # the checks fill in the day the date words name
