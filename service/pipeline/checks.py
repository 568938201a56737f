"""Item checks: every actor, call and claim must be supported by the sentences it cites.

Pure functions over a structurally valid draft and the segmented article; both engines' drafts
pass through them. Each error tells the model how to fix the item. Words matched loosely (case,
diacritics, quote marks, whitespace) come back as the article's own characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from schemas.article import SegmentedArticle, fold
from schemas.extraction import (
    ActorDraft,
    CallDraft,
    ClaimDraft,
    Extraction,
    cited_ranges,
    locate_in_citation,
    strip_outer_quotes,
)
from service.pipeline.dates import find_dates, resolve
from service.pipeline.draft_copy import deep_copy
from service.pipeline.engine import ItemRef

_WORD = re.compile(r"[^\W_]+")
_OPENERS = "\"'([{\u2018\u201c\u00ab"


@dataclass(frozen=True, slots=True)
class Issue:
    """What is wrong with an item: a fixed `reason` for callers (it never quotes the model's
    output) and a `message` telling the model how to fix it."""

    reason: str
    message: str


@dataclass(slots=True)
class Review:
    """A draft in the article's characters, and what is wrong with each of its items."""

    draft: Extraction
    errors: dict[ItemRef, list[Issue]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def fail(self, ref: ItemRef, issue: Issue | None) -> None:
        """Record one error of an item."""
        if issue is not None:
            self.errors.setdefault(ref, []).append(issue)


def review(
    draft: Extraction,
    article: SegmentedArticle,
    title: str | None = None,
    shown: tuple[int, ...] | None = None,
) -> Review:
    """Check every item of `draft` against `article` (and its title, for the names free text
    may use; `shown`, the only sentences it may cite); a normalised copy and the errors."""
    names = _NameCheck(article, title)
    visible = frozenset(shown) if shown is not None else None
    result = Review(draft=deep_copy(draft))
    out = result.draft
    actors = [_actor(actor, article, result) for actor in out.actors]
    out.actors, renamed = _merge_same_entities(actors, result)
    _affiliations(out.actors, article, result)
    for call in out.calls:
        _rename(call, renamed)
        _call(call, out.actors, article, names, result, visible)
    for claim in out.claims:
        _rename(claim, renamed)
        _claim(claim, out.actors, article, names, result, visible)
    for issue in names.absent_in(out.summary):
        result.fail(ItemRef("summary", "summary"), issue)
    for n, point in enumerate(out.key_points):
        for issue in names.absent_in(point):
            result.fail(ItemRef("key_point", f"key_points[{n}]"), issue)
    return result


def grounded_form(article: SegmentedArticle, value: str) -> str | None:
    """The article's own characters for `value` (whole words, loosely matched), or None."""
    found = next(article.find_all(value.strip(), loose=True, whole_words=True), None)
    return article.text[found[0] : found[1]] if found is not None else None


def _unknown_keys(item: ActorDraft | CallDraft | ClaimDraft) -> Issue | None:
    extra = sorted(item.model_extra or {})
    if not extra:
        return None
    known = sorted(type(item).model_fields)
    return Issue(
        "unknown keys",
        f"unknown keys {extra}; use only the schema's keys {known} (mind their spelling)",
    )


def _actor(actor: ActorDraft, article: SegmentedArticle, result: Review) -> ActorDraft:
    ref = ItemRef("actor", actor.id)
    result.fail(ref, _unknown_keys(actor))
    name = grounded_form(article, actor.name) if actor.name.strip() else None
    if name is None:
        result.fail(
            ref,
            Issue(
                "name not in the article",
                f"name {actor.name!r} does not appear in the article; copy the article's own "
                "words for this actor",
            ),
        )
        name = actor.name
    aliases: list[str] = []
    for alias in actor.aliases:
        found = grounded_form(article, alias) if alias.strip() else None
        if found is None:
            result.fail(
                ref,
                Issue(
                    "alias not in the article",
                    f"alias {alias!r} does not appear in the article; remove it",
                ),
            )
        elif fold(found, loose=True).text != fold(name, loose=True).text and found not in aliases:
            aliases.append(found)
    role = actor.role
    if role is not None and role.strip():
        role = grounded_form(article, role)
        if role is None:
            result.fail(
                ref,
                Issue(
                    "role not in the article",
                    f"role {actor.role!r} does not stand in the article; copy the title as the "
                    "article words it, or leave role null",
                ),
            )
            role = actor.role
    else:
        role = None
    return actor.model_copy(update={"name": name, "aliases": aliases, "role": role})


def _affiliations(actors: list[ActorDraft], article: SegmentedArticle, result: Review) -> None:
    forms = {fold(form, loose=True).text: form for a in actors for form in a.surface_forms()}
    for actor in actors:
        value = actor.affiliation
        if value is None or not value.strip():
            actor.affiliation = None
            continue
        declared = forms.get(fold(value.strip(), loose=True).text)
        found = declared or grounded_form(article, value)
        if found is None:
            result.fail(
                ItemRef("actor", actor.id),
                Issue(
                    "affiliation neither an actor nor in the article",
                    f"affiliation {value!r} is neither a declared actor nor words of the "
                    "article; use a declared actor's name or leave affiliation null",
                ),
            )
        else:
            actor.affiliation = found


def _last_word(name: str) -> str:
    words = fold(name, loose=True).text.split()
    return words[-1] if words else ""


def _merge_same_entities(
    actors: list[ActorDraft], result: Review
) -> tuple[list[ActorDraft], dict[str, str]]:
    """One actor per entity: a repeated name, or a person's bare surname beside the full name,
    is merged into the fuller actor (the other form becomes an alias)."""
    kept: list[ActorDraft] = []
    renamed: dict[str, str] = {}
    # The folded name and forms of each kept actor, folded once rather than once a comparison.
    folded: list[tuple[str, set[str]]] = []
    for actor in actors:
        name = fold(actor.name, loose=True).text
        forms = {fold(f, loose=True).text for f in actor.surface_forms()}
        same = [
            other
            for other, (other_name, other_forms) in zip(kept, folded, strict=True)
            if name in other_forms or other_name in forms
        ]
        if not same and actor.kind == "person" and len(name.split()) == 1:
            same = [o for o in kept if o.kind == "person" and _last_word(o.name) == name]
        elif not same and actor.kind == "person":
            same = [
                o
                for o in kept
                if o.kind == "person"
                and len(fold(o.name, loose=True).text.split()) == 1
                and fold(o.name, loose=True).text == _last_word(actor.name)
            ]
        if len(same) > 1:
            result.fail(
                ItemRef("actor", actor.id),
                Issue(
                    "ambiguous: could be more than one declared actor",
                    f"{actor.name!r} could be any of {[o.id for o in same]}; use the full name, "
                    "or remove this actor and use the right key",
                ),
            )
            kept.append(actor)
            folded.append((name, forms))
            continue
        if not same:
            kept.append(actor)
            folded.append((name, forms))
            continue
        other = same[0]
        fuller, lesser = (
            (actor, other) if len(actor.name.split()) > len(other.name.split()) else (other, actor)
        )
        merged = fuller.model_copy(
            update={
                "aliases": _unique([*fuller.aliases, lesser.name, *lesser.aliases], fuller.name),
                "role": fuller.role or lesser.role,
                "affiliation": fuller.affiliation or lesser.affiliation,
            }
        )
        at = kept.index(other)
        kept[at] = merged
        folded[at] = (
            fold(merged.name, loose=True).text,
            {fold(f, loose=True).text for f in merged.surface_forms()},
        )
        renamed[lesser.id] = fuller.id
        for old, new in list(renamed.items()):
            if new == lesser.id:
                renamed[old] = fuller.id
        result.notes.append(
            f"actors {other.id} and {actor.id} named the same {fuller.kind.value}; merged into "
            f"{fuller.id} with {lesser.name!r} as an alias"
        )
    return kept, renamed


def _unique(forms: Iterable[str], name: str) -> list[str]:
    seen = {fold(name, loose=True).text}
    out: list[str] = []
    for form in forms:
        key = fold(form, loose=True).text
        if key not in seen:
            seen.add(key)
            out.append(form)
    return out


def _rename(item: CallDraft | ClaimDraft, renamed: dict[str, str]) -> None:
    if not renamed:
        return

    def fix(values: list[str]) -> list[str]:
        return list(dict.fromkeys(renamed.get(v, v) for v in values))

    if isinstance(item, CallDraft):
        item.participants = fix(item.participants)
        item.readout_by = fix(item.readout_by)
        item.initiator = renamed.get(item.initiator, item.initiator) if item.initiator else None
    else:
        item.claimant = renamed.get(item.claimant, item.claimant)
        item.about = fix(item.about)
        item.disputed_by = fix(item.disputed_by)


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


def _call(
    call: CallDraft,
    actors: list[ActorDraft],
    article: SegmentedArticle,
    names: _NameCheck,
    result: Review,
    visible: frozenset[int] | None,
) -> None:
    ref = ItemRef("call", call.id or "")
    declared = {a.id: a for a in actors}
    problems: list[Issue | None] = [
        _unknown_keys(call),
        _sentences(call.sentences, article, visible),
        _undeclared(call.participants, declared, "participants"),
        _undeclared(call.readout_by, declared, "readout_by"),
        _undeclared([call.initiator] if call.initiator else [], declared, "initiator"),
    ]
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
        if problem is not None:
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


def _claim(
    claim: ClaimDraft,
    actors: list[ActorDraft],
    article: SegmentedArticle,
    names: _NameCheck,
    result: Review,
    visible: frozenset[int] | None,
) -> None:
    ref = ItemRef("claim", claim.id or "")
    declared = {a.id: a for a in actors}
    problems: list[Issue | None] = [
        _unknown_keys(claim),
        _sentences(claim.sentences, article, visible),
        _undeclared([claim.claimant], declared, "claimant"),
        _undeclared(claim.about, declared, "about"),
        _undeclared(claim.disputed_by, declared, "disputed_by"),
    ]
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
        if problem is not None:
            result.fail(ref, problem)


class _NameCheck:
    """Finds proper names in free text that appear nowhere in the article."""

    def __init__(self, article: SegmentedArticle, title: str | None) -> None:
        self._article = article
        self._title = title or ""
        self._words: set[str] | None = None
        self._stems: set[str] = set()

    def _present(self, word: str) -> bool:
        """Whether the article (or title) has `word`, or a word it is the stem of: "Chile"
        stands for "Chilean", "Norway" for "Norwegian" (a shared start of all but two letters,
        at least four)."""
        if self._words is None:
            # Built once per article and title (every chunk and repair of a request shares it).
            key = "names:" + self._title
            if key not in self._article.memo:
                text = (
                    self._article.folded(loose=True).text + " " + fold(self._title, loose=True).text
                )
                words = set(_WORD.findall(text))
                stems = {w[:n] for w in words for n in range(4, len(w) + 1)}
                self._article.memo[key] = (words, stems)
            self._words, self._stems = cast(tuple[set[str], set[str]], self._article.memo[key])
        folded = fold(word, loose=True).text
        if folded in self._words:
            return True
        return len(folded) >= 4 and folded[: max(4, len(folded) - 2)] in self._stems

    def absent_in(self, text: str) -> list[Issue]:
        """An error for each capitalised word of `text` the article never uses."""
        words = list(_WORD.finditer(text))
        absent: list[str] = []
        for n, match in enumerate(words):
            word = match.group()
            if len(word) < 2 or not word[0].isupper() or word in absent:
                continue
            if _starts_sentence(text, match.start()):
                following = words[n + 1].group() if n + 1 < len(words) else ""
                # A capitalised opener is a name only when another capitalised word follows.
                if not following[:1].isupper():
                    continue
            if not self._present(word):
                absent.append(word)
        return [
            Issue(
                "names someone or something absent from the article",
                f"{word!r} appears nowhere in the article; free text may only name people, "
                "places and bodies the article names",
            )
            for word in absent
        ]


def _starts_sentence(text: str, at: int) -> bool:
    position = at - 1
    while position >= 0 and (text[position].isspace() or text[position] in _OPENERS):
        position -= 1
    return position < 0 or text[position] in ".!?:;"
