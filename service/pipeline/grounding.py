"""Turn a validated draft into the contract's grounded items: exact spans and final ids."""

from __future__ import annotations

from dataclasses import dataclass, field

from schemas.article import SegmentedArticle
from schemas.contract import Actor, Call, Claim, Span
from schemas.extraction import (
    ActorDraft,
    Extraction,
    locate_in_citation,
    strip_outer_quotes,
)


@dataclass(slots=True)
class Grounded:
    """The grounded lists of one article and any warnings raised while grounding."""

    actors: list[Actor]
    calls: list[Call]
    claims: list[Claim]
    warnings: list[str] = field(default_factory=list)


def span(article: SegmentedArticle, start: int, end: int) -> Span:
    """The span of `article.text[start:end]`."""
    return Span(start=start, end=end, text=article.text[start:end])


def _mentions(article: SegmentedArticle, actor: ActorDraft) -> list[tuple[int, int]]:
    ranges = sorted(
        {
            found
            for form in actor.surface_forms()
            for found in article.find_all(form, loose=True, whole_words=True)
        },
        key=lambda r: (r[0], -(r[1] - r[0])),
    )
    kept: list[tuple[int, int]] = []
    for start, end in ranges:
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end))
    return kept


def _sentence_spans(article: SegmentedArticle, numbers: list[int]) -> list[Span]:
    return [span(article, *article.sentence(n)) for n in numbers]


def ground(draft: Extraction, article: SegmentedArticle) -> Grounded:
    """Exact spans for every item of a validated draft; ids renumbered A1…, C1…, K1…."""
    mentions = {actor.id: _mentions(article, actor) for actor in draft.actors}
    ordered = sorted(draft.actors, key=lambda a: mentions[a.id][0][0] if mentions[a.id] else 0)
    ids = {actor.id: f"A{n}" for n, actor in enumerate(ordered, start=1)}
    actors = [
        Actor(
            id=ids[a.id],
            name=a.name,
            kind=a.kind,
            role=a.role,
            affiliation=a.affiliation,
            aliases=[alias for alias in a.aliases if alias != a.name],
            mentions=[span(article, s, e) for s, e in mentions[a.id]],
        )
        for a in ordered
    ]

    def refs(values: list[str]) -> list[str]:
        return list(dict.fromkeys(ids[v] for v in values))

    warnings: list[str] = []
    calls: list[Call] = []
    for n, c in enumerate(draft.calls, start=1):
        date = c.date
        calls.append(
            Call(
                id=f"C{n}",
                participants=refs(c.participants),
                initiator=ids[c.initiator] if c.initiator else None,
                date=date,
                date_text=c.date_text,
                medium=c.medium,
                topics=c.topics,
                outcome=c.outcome,
                readout_by=refs(c.readout_by),
                evidence=_sentence_spans(article, c.sentences),
            )
        )
    claims: list[Claim] = []
    for n, k in enumerate(draft.claims, start=1):
        quote_span = None
        if k.quote:
            found = locate_in_citation(
                article, strip_outer_quotes(k.quote), k.sentences, loose=True
            )
            quote_span = span(article, *found) if found else None
        claims.append(
            Claim(
                id=f"K{n}",
                claimant=ids[k.claimant],
                statement=k.statement,
                about=refs(k.about),
                kind=k.kind,
                evidence_status=k.evidence_status,
                disputed_by=refs(k.disputed_by),
                quote=quote_span.text if quote_span else None,
                quote_span=quote_span,
                evidence=_sentence_spans(article, k.sentences),
            )
        )
    return Grounded(actors=actors, calls=calls, claims=claims, warnings=warnings)
