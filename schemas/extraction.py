"""What an engine fills in: actors, calls and claims that cite sentence numbers, never offsets.

These models check structure only (types, keys, enums, unknown keys refused): an answer that
fails here is re-asked whole. Whether each item is supported by the article is checked item by
item afterwards (`service.pipeline.checks`), so one bad item never costs the whole answer.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.article import SegmentedArticle, fold
from schemas.contract import ActorKind, ClaimKind, EvidenceStatus, Medium

# Unknown keys are errors, never dropped: a misspelt optional key ("disputedBy") must not
# vanish silently. At the top level they fail the structure (re-asked whole); inside an item
# they are kept so that the item checks flag that item alone (the schema still forbids them).
_STRICT = ConfigDict(extra="forbid")
_ITEM = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": False})


class ActorDraft(BaseModel):
    """An actor as the engine declares it."""

    model_config = _ITEM

    id: str = Field(
        pattern=r"^A[1-9][0-9]*$", description="Your key for this actor: A1, A2, … unique."
    )
    name: str = Field(
        description="The fullest name as written in the article (verbatim words), e.g. a "
        "person's full name, a country's name, or 'senior official' for an unnamed speaker."
    )
    kind: ActorKind
    role: str | None = Field(
        default=None, description="Title or function as the article words it, or null."
    )
    affiliation: str | None = Field(
        default=None,
        description="The state or organisation the actor belongs to: a declared actor's name "
        "or words of the article, or null.",
    )
    aliases: list[str] = Field(
        default_factory=list,
        description="Other forms used in the article for the same actor (surname, acronym, "
        "capital standing for a government, nationality adjective), verbatim.",
    )

    def surface_forms(self) -> list[str]:
        """The name and every alias."""
        return [self.name, *self.aliases]


class CallDraft(BaseModel):
    """A communication that took place, citing the sentences that report it."""

    model_config = _ITEM

    id: str | None = Field(
        default=None, pattern=r"^C[1-9][0-9]*$", description="Your key for this call: C1, C2, …"
    )
    participants: list[str] = Field(description="Actor ids of those who took part (2 or more).")
    initiator: str | None = Field(default=None, description="Actor id of who placed the call.")
    date: dt.date | None = Field(
        default=None,
        description="The day it took place (YYYY-MM-DD), resolved from date_text against the "
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
    sentences: list[int] = Field(
        min_length=1,
        description="Numbers of the sentences reporting it, and of those naming its participants.",
    )

    @field_validator("sentences")
    @classmethod
    def _sorted(cls, value: list[int]) -> list[int]:
        return sorted(set(value))


class ClaimDraft(BaseModel):
    """An attributed statement, citing the sentences that report it."""

    model_config = _ITEM

    id: str | None = Field(
        default=None, pattern=r"^K[1-9][0-9]*$", description="Your key for this claim: K1, K2, …"
    )
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
    sentences: list[int] = Field(
        min_length=1,
        description="Numbers of the sentences reporting it, and of the one naming the claimant.",
    )

    @field_validator("sentences")
    @classmethod
    def _sorted(cls, value: list[int]) -> list[int]:
        return sorted(set(value))


def cited_ranges(article: SegmentedArticle, numbers: list[int]) -> list[tuple[int, int]]:
    """Character ranges a citation covers: each run of adjacent cited sentences, joined.

    A sentence between two cited ones is never covered unless it is cited itself.
    """
    ranges: list[tuple[int, int]] = []
    previous = None
    for number in sorted(set(numbers)):
        if not 1 <= number <= len(article.sentences):
            previous = None
            continue
        start, end = article.sentence(number)
        if previous is not None and number == previous + 1:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
        previous = number
    return ranges


def locate_in_citation(
    article: SegmentedArticle, needle: str, numbers: list[int], *, loose: bool
) -> tuple[int, int] | None:
    """Where `needle` stands inside one run of the cited sentences, or None."""
    for window in cited_ranges(article, numbers):
        found = article.find(needle, loose=loose, within=window)
        if found is not None:
            return found
    return None


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

    model_config = _STRICT

    summary: str = Field(description="Two or three sentences summarising the article.")
    key_points: list[str] = Field(default_factory=list, description="Up to five key points.")
    actors: list[ActorDraft] = Field(default_factory=list)
    calls: list[CallDraft] = Field(
        default_factory=list,
        description="Only communications that took place; not planned or proposed ones.",
    )
    claims: list[ClaimDraft] = Field(default_factory=list)

    @model_validator(mode="after")
    def _keys_unique(self) -> Extraction:
        """Every item has a key, and no key is given twice (missing call and claim keys are
        numbered by position)."""
        problems: list[str] = []
        for n, call in enumerate(self.calls, start=1):
            call.id = call.id or f"C{n}"
        for n, claim in enumerate(self.claims, start=1):
            claim.id = claim.id or f"K{n}"
        for what, keys in (
            ("actor ids", [a.id for a in self.actors]),
            ("call ids", [c.id for c in self.calls]),
            ("claim ids", [k.id for k in self.claims]),
        ):
            repeated = sorted({k for k in keys if k is not None and keys.count(k) > 1})
            if repeated:
                problems.append(f"{what} {repeated} are given more than once; give each its own")
        if problems:
            raise ValueError("; ".join(problems))
        return self
