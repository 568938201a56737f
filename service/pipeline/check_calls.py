"""Call and claim checks: each cites sentences that exist and were shown, refers to declared
actors named in those sentences, and quotes (date words, quotes) only what they hold.

A call's `date` is what its `date_text` resolves to; free text (topics, outcome, statement) may
name only what the article names.
"""

from __future__ import annotations

from schemas.article import SegmentedArticle, fold
from schemas.extraction import (
    ActorDraft,
    CallDraft,
    ClaimDraft,
    cited_ranges,
    locate_in_citation,
    strip_outer_quotes,
)
from service.pipeline.check_common import Issue, NameCheck, Review, unknown_keys
from service.pipeline.dates import find_dates, resolve
from service.pipeline.engine import ItemRef


def _sentences(
    numbers: list[int], article: SegmentedArticle, visible: frozenset[int] | None
) -> Issue | None:
    missing = [n for n in numbers if not 1 <= n <= len(article.sentences)]
    if not missing and visible is not None:
        hidden = [n for n in numbers if n not in visible]
        if hidden:
            return Issue(
                "cites sentences it was not shown",
                f"sentence numbers {hidden} were not shown to you; cite only the sentences shown",
            )
    if not missing:
        return None
    return Issue(
        "cites sentences that do not exist",
        f"sentence numbers {missing} do not exist; the article has sentences "
        f"1 to {len(article.sentences)}",
    )


def _undeclared(refs: list[str], declared: dict[str, ActorDraft], where: str) -> Issue | None:
    unknown = [ref for ref in refs if ref not in declared]
    if not unknown:
        return None
    return Issue(
        f"{where} refers to undeclared actors",
        f"{where} refers to undeclared actors {unknown}; declare them or use declared keys",
    )


def _named_in(actor: ActorDraft, numbers: list[int], article: SegmentedArticle) -> bool:
    return any(
        next(article.find_all(form, loose=True, within=window, whole_words=True), None) is not None
        for form in actor.surface_forms()
        for window in cited_ranges(article, numbers)
    )


def _not_named(
    role: str,
    ids: list[str],
    declared: dict[str, ActorDraft],
    numbers: list[int],
    article: SegmentedArticle,
) -> list[Issue | None]:
    return [
        Issue(
            f"{role} not named in the cited sentences",
            f"{role} {i} ({declared[i].name!r}) is not named in the cited sentences {numbers}; "
            "where they are called 'the two men' or 'his counterpart', cite also the sentence "
            "naming them",
        )
        for i in dict.fromkeys(ids)
        if i in declared and not _named_in(declared[i], numbers, article)
    ]


def _opening(
    kind: str,
    item: CallDraft | ClaimDraft,
    actors: list[ActorDraft],
    article: SegmentedArticle,
    visible: frozenset[int] | None,
    refs: dict[str, list[str]],
) -> tuple[ItemRef, dict[str, ActorDraft], list[Issue | None]]:
    """What calls and claims check alike, in this order: keys the schema has, sentence numbers
    that exist and were shown, and declared actors under each of `refs` (field name to keys);
    the item's ref and the declared actors by key come back for the checks of its own kind."""
    declared = {a.id: a for a in actors}
    problems: list[Issue | None] = [
        unknown_keys(item),
        _sentences(item.sentences, article, visible),
    ]
    problems += [_undeclared(keys, declared, where) for where, keys in refs.items()]
    return ItemRef(kind, item.id or ""), declared, problems


def check_call(
    call: CallDraft,
    actors: list[ActorDraft],
    article: SegmentedArticle,
    names: NameCheck,
    result: Review,
    visible: frozenset[int] | None,
) -> None:
    """Record each error of `call`; its date and date words come back resolved and grounded."""
    refs = {
        "participants": call.participants,
        "readout_by": call.readout_by,
        "initiator": [call.initiator] if call.initiator else [],
    }
    ref, declared, problems = _opening("call", call, actors, article, visible, refs)
    if len(set(call.participants)) < 2:
        problems.append(
            Issue(
                "fewer than two participants",
                "a call needs at least two distinct participants; a call with one side is "
                "not a call",
            )
        )
    if call.initiator is not None and call.initiator not in call.participants:
        problems.append(
            Issue("initiator not a participant", "initiator must be one of the participants")
        )
    problems += _not_named("participant", call.participants, declared, call.sentences, article)
    problems += _date(call, article, result)
    for topic in call.topics:
        problems += names.absent_in(topic)
    if call.outcome is not None:
        problems += names.absent_in(call.outcome)
    for problem in problems:
        result.fail(ref, problem)


def _date(call: CallDraft, article: SegmentedArticle, result: Review) -> list[Issue | None]:
    """`date_text` stands in one run of the cited sentences; `date` is what it resolves to."""
    if call.date_text is not None and not call.date_text.strip():
        call.date_text = None
    if call.date_text is None:
        if call.date is None:
            return []
        return [
            Issue(
                "date without date_text",
                f"date {call.date} has no date_text; copy the words of the cited sentences "
                "that date the call, or leave date null",
            )
        ]
    found = locate_in_citation(article, call.date_text, call.sentences, loose=True)
    if found is None:
        return [
            Issue(
                "date_text not in the cited sentences",
                f"date_text {call.date_text!r} is not in one cited sentence or a run of "
                f"adjacent cited sentences {call.sentences}; cite the sentence dating this "
                "call, or leave date_text and date null",
            )
        ]
    call.date_text = article.text[found[0] : found[1]]
    resolved = resolve(call.date_text, article.published_at)
    if resolved is None:
        known = next(find_dates(call.date_text, article.published_at), None) is not None
        if article.published_at is None or known:
            # Without a publication date (or for words naming no real day) any day given
            # could only be guessed.
            why = "published_at was not given" if article.published_at is None else "no such day"
            result.notes.append(f"call {call.id}: {call.date_text!r} left unresolved: {why}")
            call.date = None
        elif call.date is not None:
            # Words the resolver cannot read ("a day after the talks"): the engine's day
            # stands, anchored to words of the cited sentences, and is flagged.
            result.notes.append(
                f"call {call.id}: date {call.date} taken as given: the service cannot "
                f"resolve {call.date_text!r}"
            )
        return []
    if call.date is not None and call.date != resolved:
        return [
            Issue(
                "date does not match its date_text",
                f"date {call.date} does not match date_text {call.date_text!r}, which names "
                f"{resolved} (published {article.published_at}); fix the date or cite the "
                "words that date this call",
            )
        ]
    call.date = resolved
    return []


def check_claim(
    claim: ClaimDraft,
    actors: list[ActorDraft],
    article: SegmentedArticle,
    names: NameCheck,
    result: Review,
    visible: frozenset[int] | None,
) -> None:
    """Record each error of `claim`; its statement is trimmed and its quote grounded."""
    refs = {"claimant": [claim.claimant], "about": claim.about, "disputed_by": claim.disputed_by}
    ref, declared, problems = _opening("claim", claim, actors, article, visible, refs)
    if claim.claimant in claim.disputed_by:
        problems.append(
            Issue(
                "claimant in its own disputed_by",
                "the claimant cannot dispute its own claim; remove it from disputed_by",
            )
        )
    problems += _not_named("claimant", [claim.claimant], declared, claim.sentences, article)
    if not claim.statement.strip():
        problems.append(Issue("blank statement", "statement must not be blank"))
    claim.statement = claim.statement.strip()
    problems += names.absent_in(claim.statement)
    if claim.quote is not None:
        bare = strip_outer_quotes(claim.quote)
        if not fold(bare, loose=False).text.strip("\"' "):
            claim.quote = None
        else:
            found = locate_in_citation(article, bare, claim.sentences, loose=True)
            if found is None:
                problems.append(
                    Issue(
                        "quote not in the cited sentences",
                        f"quote {claim.quote!r} is not verbatim in one cited sentence or a run "
                        f"of adjacent cited sentences {claim.sentences}; copy it exactly or cite "
                        "the right sentences",
                    )
                )
            else:
                claim.quote = article.text[found[0] : found[1]]
    for problem in problems:
        result.fail(ref, problem)
