"""What an engine fills in: actors, calls and claims that cite sentence numbers, never offsets.

Every validator grounds the draft against the segmented article, taken from the pydantic
validation context (`{"article": SegmentedArticle}`) or, where a caller cannot pass one
(instructor renders messages through Jinja whenever it is given a context), from
`bind_article`. A draft that validates can be turned into exact spans without guessing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from schemas.article import SegmentedArticle, fold
from schemas.contract import ActorKind, ClaimKind, EvidenceStatus, Medium

_bound_article: ContextVar[SegmentedArticle | None] = ContextVar("readout_article", default=None)


@contextmanager
def bind_article(article: SegmentedArticle) -> Iterator[None]:
    """Ground every draft validated inside the block against `article`."""
    token = _bound_article.set(article)
    try:
        yield
    finally:
        _bound_article.reset(token)


def article_from(info: ValidationInfo) -> SegmentedArticle:
    """The article a draft is validated against."""
    context = info.context
    if isinstance(context, dict) and isinstance(context.get("article"), SegmentedArticle):
        found: SegmentedArticle = context["article"]
        return found
    bound = _bound_article.get()
    if bound is None:
        raise RuntimeError("drafts are validated against an article: pass context or bind one")
    return bound


def _check_sentences(numbers: list[int], info: ValidationInfo) -> list[int]:
    article = article_from(info)
    missing = [n for n in numbers if not 1 <= n <= len(article.sentences)]
    if missing:
        raise ValueError(
            f"sentence numbers {missing} do not exist; the article has sentences "
            f"1 to {len(article.sentences)}"
        )
    return sorted(set(numbers))


def cited_ranges(article: SegmentedArticle, numbers: list[int]) -> list[tuple[int, int]]:
    """Character ranges a citation covers: each sentence, and each run of neighbours joined."""
    ranges = [article.sentence(n) for n in numbers]
    if numbers:
        ranges.append((article.sentence(min(numbers))[0], article.sentence(max(numbers))[1]))
    return ranges


def locate_in_citation(
    article: SegmentedArticle, needle: str, numbers: list[int], *, loose: bool
) -> tuple[int, int] | None:
    """Where `needle` stands inside the cited sentences, or None."""
    for window in cited_ranges(article, numbers):
        found = article.find(needle, loose=loose, within=window)
        if found is not None:
            return found
    return None


def _grounded_name(value: str, info: ValidationInfo, what: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError(f"{what} must not be blank")
    article = article_from(info)
    if next(article.find_all(value, loose=True, whole_words=True), None) is None:
        raise ValueError(f"{what} {value!r} does not appear in the article; use its words")
    return value


class ActorDraft(BaseModel):
    """An actor as the engine declares it."""

    id: str = Field(
        pattern=r"^A[1-9][0-9]*$", description="Your key for this actor: A1, A2, … unique."
    )
    name: str = Field(
        description="The fullest name as written in the article (verbatim words), e.g. a "
        "person's full name, a country's name, or 'senior official' for an unnamed speaker."
    )
    kind: ActorKind
    role: str | None = Field(
        default=None, description="Title or function, e.g. 'Defence Minister'."
    )
    affiliation: str | None = Field(
        default=None, description="The state or organisation the actor belongs to."
    )
    aliases: list[str] = Field(
        default_factory=list,
        description="Other forms used in the article for the same actor (surname, acronym, "
        "capital standing for a government, nationality adjective), verbatim.",
    )

    @field_validator("name")
    @classmethod
    def _name_in_text(cls, value: str, info: ValidationInfo) -> str:
        return _grounded_name(value, info, "actor name")

    @field_validator("aliases")
    @classmethod
    def _aliases_in_text(cls, values: list[str], info: ValidationInfo) -> list[str]:
        kept: list[str] = []
        for value in values:
            grounded = _grounded_name(value, info, "alias")
            if grounded not in kept:
                kept.append(grounded)
        return kept

    def surface_forms(self) -> list[str]:
        """The name and every alias."""
        return [self.name, *self.aliases]


class CallDraft(BaseModel):
    """A communication that took place, citing the sentences that report it."""

    participants: list[str] = Field(description="Actor ids of those who took part (2 or more).")
    initiator: str | None = Field(default=None, description="Actor id of who placed the call.")
    date: dt.date | None = Field(
        default=None,
        description="The day it took place (YYYY-MM-DD), resolved against the "
        "publication date; null if the article does not say.",
    )
    date_text: str | None = Field(
        default=None, description="The words giving the date, verbatim (e.g. 'on Sunday')."
    )
    medium: Medium = Medium.unknown
    topics: list[str] = Field(default_factory=list)
    outcome: str | None = None
    readout_by: list[str] = Field(
        default_factory=list, description="Actor ids of those who gave an account of the call."
    )
    sentences: list[int] = Field(min_length=1, description="Numbers of the sentences reporting it.")

    @field_validator("sentences")
    @classmethod
    def _sentences_exist(cls, value: list[int], info: ValidationInfo) -> list[int]:
        return _check_sentences(value, info)

    @model_validator(mode="after")
    def _date_text_in_citation(self, info: ValidationInfo) -> CallDraft:
        if self.date_text is not None and self.date_text.strip():
            article = article_from(info)
            if locate_in_citation(article, self.date_text, self.sentences, loose=True) is None:
                raise ValueError(
                    f"date_text {self.date_text!r} is not in the cited sentences {self.sentences}"
                )
        return self


class ClaimDraft(BaseModel):
    """An attributed statement, citing the sentences that report it."""

    claimant: str = Field(description="Actor id of who made the claim.")
    statement: str = Field(description="What was claimed, in a short sentence.")
    about: list[str] = Field(default_factory=list, description="Actor ids the claim concerns.")
    kind: ClaimKind
    evidence_status: EvidenceStatus = Field(
        description="What the article says about its truth: supported (confirmed), unsupported "
        "(no evidence offered), disputed (contested), refuted (rebutted or said to be false), "
        "unverified (could not be verified), not_addressed (nothing said)."
    )
    disputed_by: list[str] = Field(default_factory=list, description="Actor ids contesting it.")
    quote: str | None = Field(
        default=None, description="Exact words quoted from the article, if the claim is quoted."
    )
    sentences: list[int] = Field(min_length=1, description="Numbers of the sentences reporting it.")

    @field_validator("statement")
    @classmethod
    def _statement_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("statement must not be blank")
        return value.strip()

    @field_validator("sentences")
    @classmethod
    def _sentences_exist(cls, value: list[int], info: ValidationInfo) -> list[int]:
        return _check_sentences(value, info)

    @model_validator(mode="after")
    def _quote_in_citation(self, info: ValidationInfo) -> ClaimDraft:
        if self.quote is not None and fold(self.quote, loose=False).text.strip("\"' "):
            article = article_from(info)
            if (
                locate_in_citation(
                    article, strip_outer_quotes(self.quote), self.sentences, loose=False
                )
                is None
            ):
                raise ValueError(
                    f"quote {self.quote!r} is not verbatim in the cited sentences "
                    f"{self.sentences}; copy it exactly or cite the right sentences"
                )
        elif self.quote is not None:
            self.quote = None
        return self


def strip_outer_quotes(quote: str) -> str:
    """A quote without the quotation marks around it."""
    folded = quote.strip()
    while (
        len(folded) >= 2
        and fold(folded[0], loose=False).text in "\"'"
        and fold(folded[-1], loose=False).text in "\"'"
    ):
        folded = folded[1:-1].strip()
    return folded


class Extraction(BaseModel):
    """A grounded reading of one article: summary, actors, calls and claims."""

    summary: str = Field(description="Two or three sentences summarising the article.")
    key_points: list[str] = Field(default_factory=list, description="Up to five key points.")
    actors: list[ActorDraft] = Field(default_factory=list)
    calls: list[CallDraft] = Field(
        default_factory=list,
        description="Only communications that took place; not planned or proposed ones.",
    )
    claims: list[ClaimDraft] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> Extraction:
        article = article_from(info)
        problems: list[str] = []
        ids = [actor.id for actor in self.actors]
        declared = set(ids)
        duplicates_ids = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates_ids:
            problems.append(f"actor ids {duplicates_ids} are declared more than once")
        problems.extend(_duplicate_actors(self.actors))

        def check(refs: list[str], where: str) -> None:
            unknown = [ref for ref in refs if ref not in declared]
            if unknown:
                problems.append(f"{where} refers to undeclared actors {unknown}")

        for n, call in enumerate(self.calls, start=1):
            where = f"calls[{n - 1}]"
            check(call.participants, f"{where}.participants")
            check(call.readout_by, f"{where}.readout_by")
            if call.initiator is not None:
                check([call.initiator], f"{where}.initiator")
                if call.initiator not in call.participants:
                    problems.append(f"{where}.initiator must be one of its participants")
            if len(set(call.participants)) < 2:
                problems.append(f"{where} needs at least two distinct participants")
            if (
                call.date is not None
                and article.published_at is not None
                and call.date > article.published_at
            ):
                problems.append(
                    f"{where}.date {call.date} is after publication ({article.published_at}); "
                    "a planned call is not a call"
                )
        for n, claim in enumerate(self.claims):
            where = f"claims[{n}]"
            check([claim.claimant], f"{where}.claimant")
            check(claim.about, f"{where}.about")
            check(claim.disputed_by, f"{where}.disputed_by")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _duplicate_actors(actors: list[ActorDraft]) -> list[str]:
    forms = {
        actor.id: {fold(form, loose=True).text for form in actor.surface_forms()}
        for actor in actors
    }
    problems: list[str] = []
    for i, actor in enumerate(actors):
        name = fold(actor.name, loose=True).text
        for other in actors[:i]:
            if name in forms[other.id] or fold(other.name, loose=True).text in forms[actor.id]:
                problems.append(
                    f"actors {other.id} and {actor.id} are the same actor ({actor.name!r}); "
                    "declare it once and list other forms as aliases"
                )
    return problems
